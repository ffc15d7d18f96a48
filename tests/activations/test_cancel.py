"""Cancelling an activation: staff who work activations cancel one that is not active yet,
with a reason (page and API alike, refusals naming the field, idempotent); a voided or fully
credited purchase invoice cancels its open activations by itself (billing announces
`invoice.voided` and `invoice.credited`, activations listen). A cancelled activation leaves
the open list and reads "Cancelada" on the portal and the workspace."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from djmoney.money import Money

from activations.models import Activation
from activations.selectors import activations_list, state_of
from activations.services import (
    CANCEL_REASON_LIMIT,
    activation_cancel,
    activation_complete,
    activation_purchase,
    activation_step_meet,
)
from billing.services import credit_note_issue, invoice_mark_paid, invoice_void
from core.errors import CreditdeskError
from tests.api.conftest import client_for
from tests.factories import (
    make_account_manager,
    make_agent,
    make_contact,
    make_customer,
    make_finance_user,
    make_portal_user,
)

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


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

    def buy(whose=customer, product="Portal Noticioso") -> Activation:
        return activation_purchase(
            customer=whose, product=catalogue[product], unit_price=Money("1000", "ARS")
        )

    return {
        "manager": manager,
        "agent": make_agent(),
        "finance": make_finance_user(),
        "contact": make_portal_user(make_contact(customer)),
        "customer": customer,
        "other": other,
        "buy": buy,
    }


def _fresh(activation: Activation) -> Activation:
    return Activation.objects.get(pk=activation.pk)


# --- the service ------------------------------------------------------------------------------


def test_staff_cancel_with_a_reason_once(world):
    activation = world["buy"]()
    with time_machine.travel(NOON, tick=False):
        cancelled = activation_cancel(
            activation=activation, reason="  El cliente desistió  ", by=world["agent"]
        )
    assert cancelled.status == Activation.Status.CANCELLED
    assert (cancelled.cancelled_at, cancelled.cancelled_by, cancelled.cancel_reason) == (
        NOON,
        world["agent"],
        "El cliente desistió",
    )
    assert cancelled.cancel_cause == Activation.CancelCause.STAFF
    assert state_of(cancelled, NOON) == "cancelled"
    # again, by someone else and later: nothing changes
    again = activation_cancel(activation=activation, reason="otra", by=world["manager"])
    assert (again.cancelled_at, again.cancelled_by, again.cancel_reason) == (
        NOON,
        world["agent"],
        "El cliente desistió",
    )


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("", "activation_cancel_reason_required"),
        ("   ", "activation_cancel_reason_required"),
        ("x" * (CANCEL_REASON_LIMIT + 1), "invalid_input"),
        ("con\x00nulo", "invalid_input"),
    ],
)
def test_a_bad_reason_is_refused_naming_it_and_nothing_changes(world, reason, code):
    activation = world["buy"]()
    with pytest.raises(CreditdeskError) as refused:
        activation_cancel(activation=activation, reason=reason, by=world["agent"])
    assert refused.value.code == code
    assert "reason" in refused.value.as_dict("es")["fields"]
    assert refused.value.message("es")
    assert refused.value.message("en")
    assert _fresh(activation).status == Activation.Status.WAITING


def test_an_active_product_is_not_cancelled(world, django_capture_on_commit_callbacks):
    activation = world["buy"](product="Hosting")
    with django_capture_on_commit_callbacks(execute=True):  # the task ticks the payment
        invoice_mark_paid(activation.invoice)
    activation = _fresh(activation)
    for step in activation.steps.filter(met_at__isnull=True, kind="other"):
        activation_step_meet(step=step, by=world["agent"])
    activation_complete(activation=_fresh(activation), by=world["agent"])
    with pytest.raises(CreditdeskError) as refused:
        activation_cancel(activation=activation, reason="tarde", by=world["agent"])
    assert refused.value.code == "activation_closed"
    assert _fresh(activation).status == Activation.Status.ACTIVE


def test_a_payment_after_the_cancellation_ticks_nothing(world):
    activation = world["buy"]()
    activation_cancel(activation=activation, reason="desistió", by=world["agent"])
    invoice_mark_paid(activation.invoice)
    cancelled = _fresh(activation)
    assert cancelled.status == Activation.Status.CANCELLED
    assert cancelled.steps.get(position=1).met_at is None


# --- the invoice voided or credited -----------------------------------------------------------


def test_a_voided_invoice_cancels_its_open_activations(world, django_capture_on_commit_callbacks):
    activation = world["buy"]()
    kept = world["buy"](product="Hosting")  # another invoice
    with django_capture_on_commit_callbacks(execute=True):
        invoice_void(activation.invoice, reason="Emitida por error", by=world["manager"])
    cancelled = _fresh(activation)
    assert cancelled.status == Activation.Status.CANCELLED
    assert cancelled.cancel_cause == Activation.CancelCause.INVOICE_VOID
    assert cancelled.cancelled_at is not None
    assert _fresh(kept).status == Activation.Status.WAITING
    open_ones = activations_list(
        activations=Activation.objects.all(), now=cancelled.cancelled_at, open_only=True
    )
    assert list(open_ones) == [kept]


def test_an_invoice_credited_in_full_cancels_and_a_partial_credit_does_not(
    world, django_capture_on_commit_callbacks
):
    activation = world["buy"]()
    invoice = activation.invoice
    with django_capture_on_commit_callbacks(execute=True):
        credit_note_issue(
            invoice=invoice, reason="Descuento", amount=Money("100", invoice.currency)
        )
    assert _fresh(activation).status == Activation.Status.WAITING
    with django_capture_on_commit_callbacks(execute=True):
        credit_note_issue(
            invoice=invoice,
            reason="Anulación de la compra",
            amount=invoice.total - Money("100", invoice.currency),
        )
    cancelled = _fresh(activation)
    assert cancelled.status == Activation.Status.CANCELLED
    assert cancelled.cancel_cause == Activation.CancelCause.INVOICE_CREDITED


# --- the API ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"), [("agent", 200), ("manager", 200), ("finance", 403), ("contact", 403)]
)
def test_the_api_cancels_for_the_staff_who_work_activations(world, role, expected):
    activation = world["buy"]()
    response = client_for(world[role]).post(
        f"/api/v1/activations/{activation.pk}/cancel/", {"reason": "desistió"}, format="json"
    )
    assert response.status_code == expected, response.content
    status = _fresh(activation).status
    if expected == 200:
        body = response.json()
        assert (body["status"], body["state"]) == ("cancelled", "cancelled")
        assert body["cancel_reason"] == "desistió"
        assert body["cancelled_at"] is not None
        assert status == Activation.Status.CANCELLED
    else:
        assert status == Activation.Status.WAITING


def test_the_api_refuses_a_missing_reason_and_another_managers_activation(world):
    mine, theirs = world["buy"](), world["buy"](whose=world["other"])
    client = client_for(world["manager"])
    missing = client.post(f"/api/v1/activations/{mine.pk}/cancel/", {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "activation_cancel_reason_required"
    assert "reason" in missing.json()["fields"]
    too_long = client.post(
        f"/api/v1/activations/{mine.pk}/cancel/",
        {"reason": "x" * (CANCEL_REASON_LIMIT + 1)},
        format="json",
    )
    assert too_long.status_code == 400
    assert "reason" in too_long.json()["fields"]
    other = client.post(
        f"/api/v1/activations/{theirs.pk}/cancel/", {"reason": "desistió"}, format="json"
    )
    assert other.status_code == 404
    assert _fresh(mine).status == _fresh(theirs).status == Activation.Status.WAITING


def test_a_contact_reads_the_cancellation_but_not_staffs_reason(world):
    activation = world["buy"]()
    activation_cancel(activation=activation, reason="nota interna", by=world["agent"])
    body = client_for(world["contact"]).get(f"/api/v1/activations/{activation.pk}/").json()
    assert (body["state"], body["cancel_cause"]) == ("cancelled", "staff")
    assert body["cancelled_at"] is not None
    assert body["cancel_reason"] is None


# --- the pages --------------------------------------------------------------------------------


def test_an_agent_cancels_from_the_workspace_page(world):
    activation = world["buy"]()
    client = client_of(world["agent"])
    url = f"/workspace/activations/{activation.pk}/"
    page = client.get(url).content.decode()
    assert f'action="{url}cancel/"' in page
    refused = client.post(f"{url}cancel/", {"reason": " "}, follow=True)
    assert refused.status_code == 200
    assert "Indique por qué se cancela" in refused.content.decode()
    assert _fresh(activation).status == Activation.Status.WAITING

    done = client.post(f"{url}cancel/", {"reason": "El cliente desistió"}, follow=True)
    assert done.status_code == 200
    shown = done.content.decode()
    assert "Cancelada" in shown
    assert "El cliente desistió" in shown
    assert f'action="{url}cancel/"' not in shown
    assert _fresh(activation).status == Activation.Status.CANCELLED
    listed = client.get("/workspace/activations/?all=1").content.decode()
    assert "Cancelada" in listed
    assert activation.product_name not in client.get("/workspace/activations/").content.decode()


@pytest.mark.parametrize(
    ("role", "whose", "expected"),
    [("contact", "customer", 403), ("finance", "customer", 403), ("manager", "other", 404)],
)
def test_who_may_not_cancel_from_the_page(world, role, whose, expected):
    activation = world["buy"](whose=world[whose])
    response = client_of(world[role]).post(
        f"/workspace/activations/{activation.pk}/cancel/", {"reason": "desistió"}
    )
    assert response.status_code == expected
    assert _fresh(activation).status == Activation.Status.WAITING


def test_the_portal_shows_a_cancelled_activation_as_such(world, django_capture_on_commit_callbacks):
    activation = world["buy"]()
    with django_capture_on_commit_callbacks(execute=True):
        invoice_void(activation.invoice, reason="Emitida por error", by=world["manager"])
    client = client_of(world["contact"])
    spanish = client.get("/portal/activations/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get("/portal/activations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cancelada" in spanish
    assert "factura anulada" in spanish
    assert "cuando se cumplan los requisitos" not in spanish
    assert "Cancelled" in english
    assert "invoice voided" in english
