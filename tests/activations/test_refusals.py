"""Bad input to every activation entry point that writes (the purchase, ticking a
prerequisite, recording the product active), through the service, the API and the page: a
clear refusal naming the field (400 or a form error, never a 500) and nothing written —
no activation, step, invoice or invoice line, no step ticked, no status changed."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from djmoney.money import Money

from activations.exceptions import InvoiceNotForActivation
from activations.models import NOTE_LIMIT, Activation, ActivationStep
from activations.services import (
    activation_complete,
    activation_purchase,
    activation_step_meet,
    product_save,
)
from billing.models import Invoice, InvoiceLine
from billing.services.payments import payment_record
from contracts.models import Channel
from contracts.services import customer_today
from core.errors import InvalidInput
from sla.models import BusinessCalendar
from tests.api.conftest import client_for
from tests.factories import make_account_manager, make_agent, make_finance_user
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tests.web.conftest import shop, top_up  # noqa: F401  (fixture)
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db


def _written() -> tuple[int, ...]:
    """What a refused write must leave as it was."""
    return (
        Activation.objects.count(),
        ActivationStep.objects.count(),
        ActivationStep.objects.filter(met_at__isnull=False).count(),
        Invoice.objects.count(),
        InvoiceLine.objects.count(),
        Activation.objects.filter(status=Activation.Status.ACTIVE).count(),
    )


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(catalogue, customer, shop):  # noqa: F811
    """Radio del Sur (ARS, IVA 21 %) with a waiting Portal Noticioso, and the hotel of the web
    tests as another customer, with its own request and invoice."""
    manager = make_account_manager()
    customer.account_manager = manager
    customer.save(update_fields=["account_manager"])
    top_up(shop.customer, "10")
    theirs = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Correo").ticket
    their_invoice = activation_purchase(
        customer=shop.customer, product=catalogue["Hosting"], unit_price=Money("1000", "COP")
    ).invoice
    mine = activation_purchase(
        customer=customer, product=catalogue["Portal Noticioso"], unit_price=Money("1000", "ARS")
    )
    return {
        "finance": make_finance_user(),
        "manager": manager,
        "agent": make_agent(),
        "customer": customer,
        "catalogue": catalogue,
        "mine": mine,
        "their_ticket": theirs,
        "their_invoice": their_invoice,
    }


def _purchase(world, **fields) -> dict:
    return {
        "customer": world["customer"].pk,
        "product": world["catalogue"]["Hosting"].pk,
        "unit_price": "1000.00",
    } | fields


# --- the purchase -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "price",
    ["-1", "0", "1.001", "abc", "1e30", "999999999999.99", "100000000000.00"],
)
def test_the_api_refuses_a_bad_price_naming_it_and_writes_nothing(world, price):
    before = _written()
    response = client_for(world["finance"]).post(
        "/api/v1/activations/", _purchase(world, unit_price=price), format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["unit_price"]
    assert _written() == before


def test_the_largest_price_whose_invoice_fits_is_accepted(world):
    response = client_for(world["finance"]).post(
        "/api/v1/activations/", _purchase(world, unit_price="99999999999.99"), format="json"
    )
    assert response.status_code == 201, response.content
    invoice = Invoice.objects.get(pk=response.json()["invoice"])
    assert invoice.total == Money("120999999999.99", "ARS")  # IVA 21 %, rounded half up


def test_the_page_refuses_a_price_too_large_on_its_field(world):
    before = _written()
    response = _page(world["manager"]).post(
        "/workspace/activations/new/",
        _purchase(world, unit_price="999999999999.99", ticket=""),
    )
    assert response.status_code == 200
    assert "unit_price" in response.context["form"].errors
    assert _written() == before


def test_another_customers_request_is_refused_on_its_field_by_api_and_page(world):
    number = world["their_ticket"].number
    before = _written()
    api = client_for(world["finance"]).post(
        "/api/v1/activations/",
        _purchase(world, ticket=number),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert api.status_code == 400, api.content
    assert api.json()["code"] == "invalid_input"
    assert list(api.json()["fields"]) == ["ticket"]
    finance = client_for(world["finance"])
    nobodys = finance.post("/api/v1/activations/", _purchase(world, ticket="T-0000-1"))
    theirs = finance.post("/api/v1/activations/", _purchase(world, ticket=number))
    assert nobodys.json() == theirs.json()  # another customer's reads like one of nobody's
    page = _page(world["manager"]).post(
        "/workspace/activations/new/", _purchase(world, ticket=number)
    )
    assert page.status_code == 200
    assert "ticket" in page.context["form"].errors
    assert _written() == before


def test_another_customers_invoice_is_a_404_and_links_nothing(world):
    before = _written()
    response = client_for(world["finance"]).post(
        "/api/v1/activations/",
        {
            "customer": world["customer"].pk,
            "product": world["catalogue"]["Hosting"].pk,
            "invoice": world["their_invoice"].pk,
        },
        format="json",
    )
    assert response.status_code == 404
    assert _written() == before


def test_a_price_and_an_invoice_together_are_refused_not_one_ignored(world):
    before = _written()
    response = client_for(world["finance"]).post(
        "/api/v1/activations/",
        _purchase(world, invoice=world["mine"].invoice_id, unit_price="5000.00"),
        format="json",
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["unit_price"]
    assert _written() == before


def test_the_service_refuses_another_customers_invoice_naming_it(world):
    before = _written()
    with pytest.raises(InvoiceNotForActivation) as refused:
        activation_purchase(
            customer=world["customer"],
            product=world["catalogue"]["Hosting"],
            invoice=world["their_invoice"],
        )
    assert refused.value.code == "activation_invoice_unusable"
    assert refused.value.field == "invoice"
    assert _written() == before


# --- a prerequisite's note --------------------------------------------------------------------


# Too long, or holding a NUL (PostgreSQL refuses the row: a 500 before) or another control
# character: each refused on the field, with the words the page shows.
BAD_NOTES = [
    pytest.param("x" * (NOTE_LIMIT + 1), f"{NOTE_LIMIT}", id="too long"),
    pytest.param("a\x00b", "Sin caracteres de control", id="NUL"),
    pytest.param("a\x1bb", "Sin caracteres de control", id="escape"),
]


@pytest.mark.parametrize(("note", "shown"), BAD_NOTES)
def test_a_bad_note_is_refused_by_the_service_and_the_step_stays_unmet(world, note, shown):
    step = world["mine"].steps.get(position=2)
    before = _written()
    with pytest.raises(InvalidInput) as refused:
        activation_step_meet(step=step, by=world["agent"], note=note)
    assert list(refused.value.fields) == ["note"]
    assert shown in refused.value.message("es")
    assert _written() == before


@pytest.mark.parametrize(("note", "shown"), BAD_NOTES)
def test_a_bad_note_is_a_400_from_the_api(world, note, shown):
    before = _written()
    response = client_for(world["agent"]).post(
        f"/api/v1/activations/{world['mine'].pk}/steps/2/meet/",
        {"note": note},
        format="json",
    )
    assert response.status_code == 400
    assert "note" in response.json()["fields"]
    assert _written() == before


@pytest.mark.parametrize(("note", "shown"), BAD_NOTES)
def test_a_bad_note_is_refused_on_the_page_and_the_step_stays_unmet(world, note, shown):
    step = world["mine"].steps.get(position=2)
    before = _written()
    response = _page(world["agent"]).post(
        f"/workspace/activations/{world['mine'].pk}/steps/{step.pk}/meet/",
        {"note": note},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 200
    assert _written() == before  # before: ticked, the note silently dropped
    page = response.content.decode()
    assert shown in page
    assert "note:" not in page  # the field's words, not its name


def test_a_step_of_another_activation_or_position_is_a_404(world):
    before = _written()
    agent = client_for(world["agent"])
    assert agent.post(f"/api/v1/activations/{world['mine'].pk}/steps/9/meet/").status_code == 404
    other = Activation.objects.exclude(pk=world["mine"].pk).get()
    step = world["mine"].steps.get(position=2)
    page = _page(world["agent"]).post(f"/workspace/activations/{other.pk}/steps/{step.pk}/meet/")
    assert page.status_code == 404
    assert _written() == before


# --- recording the product active -------------------------------------------------------------


def test_a_product_cannot_be_recorded_active_in_the_future(
    world, django_capture_on_commit_callbacks
):
    hosting = activation_purchase(
        customer=world["customer"],
        product=world["catalogue"]["Hosting"],
        unit_price=Money("1000", "ARS"),
    )
    with django_capture_on_commit_callbacks(execute=True):  # its task ticks the payment
        payment_record(
            customer=world["customer"],
            amount=hosting.invoice.total,
            provider="bank_transfer",
            provider_ref="TR-FUTURE",
            received_on=customer_today(world["customer"]),
            invoice=hosting.invoice,
        )
    hosting.refresh_from_db()
    assert hosting.status == Activation.Status.RUNNING
    before = _written()
    with pytest.raises(InvalidInput) as refused:
        activation_complete(
            activation=hosting, by=world["agent"], at=timezone.now() + timedelta(days=400)
        )
    assert list(refused.value.fields) == ["at"]
    assert _written() == before


def test_a_product_on_a_calendar_never_published_is_refused_not_counted_24x7(world):
    """A calendar created without a version has no business hours yet: counting its business
    days as every hour of every day would promise a wrong due time."""
    unpublished = BusinessCalendar.objects.create(slug="sin-publicar", name="Sin publicar")
    product = product_save(
        name="Portal nuevo", kind="business_days", business_days_max=3, calendar=unpublished
    )
    before = _written()
    response = client_for(world["finance"]).post(
        "/api/v1/activations/", _purchase(world, product=product.pk), format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "activation_product_without_calendar"
    assert list(response.json()["fields"]) == ["product"]
    assert _written() == before
