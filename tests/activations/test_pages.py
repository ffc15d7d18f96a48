"""Activation pages: who opens which (another customer's activation is a 404), the purchase
form, ticking a prerequisite, completing, the catalogue's edit form (refusals on their
field, never a 500) and the portal's list with state and due date."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from djmoney.money import Money

from activations.models import Activation
from activations.services import activation_purchase
from billing.models import Invoice
from sla.models import ActivationLeadTime
from tests.factories import (
    make_account_manager,
    make_agent,
    make_contact,
    make_customer,
    make_finance_user,
    make_portal_user,
    make_staff_user,
)

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(catalogue, customer):
    manager = make_account_manager()
    customer.account_manager = manager
    customer.save(update_fields=["account_manager"])
    other = make_customer(country="AR", currency="ARS", time_zone="America/Argentina/Buenos_Aires")
    with time_machine.travel(datetime(2026, 12, 3, 15, 0, tzinfo=UTC), tick=False):
        mine = activation_purchase(
            customer=customer,
            product=catalogue["Portal Noticioso"],
            unit_price=Money("1000", "ARS"),
        )
        theirs = activation_purchase(
            customer=other, product=catalogue["Hosting"], unit_price=Money("1000", "ARS")
        )
    return {
        "contact": make_portal_user(make_contact(customer)),
        "manager": manager,
        "agent": make_agent(),
        "finance": make_finance_user(),
        "admin": make_staff_user(),
        "mine": mine,
        "theirs": theirs,
        "customer": customer,
        "catalogue": catalogue,
    }


# role -> (own customer's detail, another's detail, list, new purchase, catalogue, edit, portal)
EXPECTED = {
    "contact": (403, 403, 403, 403, 403, 403, 200),
    "manager": (200, 404, 200, 200, 200, 200, 403),
    "agent": (200, 200, 200, 403, 200, 403, 403),
    "finance": (200, 200, 200, 200, 200, 403, 403),
    "admin": (200, 200, 200, 200, 200, 200, 403),
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_who_opens_which_page(world, role):
    client = client_of(world[role])
    product = world["catalogue"]["Hosting"].pk
    urls = [
        f"/workspace/activations/{world['mine'].pk}/",
        f"/workspace/activations/{world['theirs'].pk}/",
        "/workspace/activations/",
        "/workspace/activations/new/",
        "/workspace/activations/products/",
        f"/workspace/activations/products/{product}/",
        "/portal/activations/",
    ]
    assert tuple(client.get(url).status_code for url in urls) == EXPECTED[role]


@pytest.mark.parametrize("role", ["manager", "agent"])
def test_step_and_complete_actions_of_another_managers_customer(world, role):
    client = client_of(world[role])
    theirs = world["theirs"]
    step = theirs.steps.get()
    meet = client.post(f"/workspace/activations/{theirs.pk}/steps/{step.pk}/meet/")
    complete = client.post(f"/workspace/activations/{theirs.pk}/complete/")
    expected = 404 if role == "manager" else 302  # the agent is refused by the service
    assert (meet.status_code, complete.status_code) == (expected, expected)
    assert Activation.objects.get(pk=theirs.pk).status == "waiting"


def test_a_contact_may_not_post_the_staff_actions(world):
    client = client_of(world["contact"])
    step = world["mine"].steps.get(position=2)
    assert (
        client.post(f"/workspace/activations/{world['mine'].pk}/steps/{step.pk}/meet/").status_code
        == 403
    )
    assert step.__class__.objects.get(pk=step.pk).met_at is None


def test_a_manager_registers_a_purchase_from_the_page(world):
    client = client_of(world["manager"])
    response = client.post(
        "/workspace/activations/new/",
        {
            "customer": world["customer"].pk,
            "product": world["catalogue"]["Simplenews"].pk,
            "unit_price": "2500.00",
            "ticket": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    created = Activation.objects.get(product_name="Simplenews")
    assert created.invoice.status == Invoice.Status.ISSUED
    assert "dominio activo y delegado" in response.content.decode()


def test_a_purchase_naming_a_ticket_of_nobody_is_refused_on_its_field(world):
    client = client_of(world["manager"])
    response = client.post(
        "/workspace/activations/new/",
        {
            "customer": world["customer"].pk,
            "product": world["catalogue"]["Simplenews"].pk,
            "unit_price": "2500.00",
            "ticket": "T-2026-999999",
        },
    )
    assert response.status_code == 200
    assert "ticket" in response.context["form"].errors
    assert not Activation.objects.filter(product_name="Simplenews").exists()


def test_an_agent_ticks_the_domain_and_the_page_shows_it(world):
    client = client_of(world["agent"])
    step = world["mine"].steps.get(position=2)
    response = client.post(
        f"/workspace/activations/{world['mine'].pk}/steps/{step.pk}/meet/",
        {"note": "NS apuntando"},
        follow=True,
    )
    assert response.status_code == 200
    assert "NS apuntando" in response.content.decode()
    step.refresh_from_db()
    assert step.met_at is not None


def test_a_manager_edits_a_lead_time_and_a_bad_value_stays_on_its_field(world):
    client = client_of(world["manager"])
    product = world["catalogue"]["Portal Noticioso"]
    url = f"/workspace/activations/products/{product.pk}/"
    data = {
        "name": "Portal Noticioso",
        "kind": "business_days",
        "business_days_min": "5",
        "business_days_max": "3",
        "calendar": product.calendar_id,
        "prerequisite": "dominio activo y delegado",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "business_days_min" in refused.context["form"].errors
    assert ActivationLeadTime.objects.get(pk=product.pk).business_days_max == 3
    saved = client.post(url, data | {"business_days_min": "3", "business_days_max": "4"})
    assert saved.status_code == 302
    assert ActivationLeadTime.objects.get(pk=product.pk).business_days_max == 4
    bad_kind = client.post(url, data | {"kind": "weekly"})
    assert bad_kind.status_code == 200


def test_the_portal_lists_state_and_due_date_in_the_customers_words(
    world, django_capture_on_commit_callbacks
):
    from billing.services.payments import payment_record
    from tests.activations.conftest import ar

    mine = world["mine"]
    with time_machine.travel(ar(2026, 12, 9, 11, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):  # the payment's task
            payment_record(
                customer=world["customer"],
                amount=mine.invoice.total,
                provider="bank_transfer",
                provider_ref="TR-9",
                received_on=ar(2026, 12, 9).date(),
                invoice=mine.invoice,
            )
        client_of(world["agent"]).post(
            f"/workspace/activations/{mine.pk}/steps/{mine.steps.get(position=2).pk}/meet/"
        )
        client = client_of(world["contact"])
        spanish = client.get("/portal/activations/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
        english = client.get("/portal/activations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # the payment step is Creditdesk's own, in the reader's words; the others as staff wrote them
    assert "✓ Pago acreditado" in spanish
    assert "✓ Payment credited" in english
    assert "pago acreditado" not in english.lower()
    assert "Portal Noticioso" in spanish
    assert "En curso" in spanish
    assert "lunes 14 de diciembre, 17:00" in spanish  # Wed 9 + 3: Thu 10, Fri 11, Mon 14
    assert "Hosting" not in spanish  # another customer's
