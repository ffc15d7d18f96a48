"""Activation tracking at the services' level: the due time, the checklist, the payment
ticking it once from the Stripe webhook, the monitor and the catalogue's bounds."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import translation
from djmoney.money import Money

from activations.exceptions import ActivationClosed, ActivationNotStarted, StepIsPayment
from activations.models import Activation, ActivationStep
from activations.notifications import send_activation_alert
from activations.selectors import State, activations_on_time, state_of
from activations.services import (
    activation_complete,
    activation_due,
    activation_purchase,
    activation_step_meet,
    activations_monitor_run,
    activations_payment_credited,
    product_save,
)
from billing.models import Invoice, Payment
from billing.services import stripe_event_receive
from billing.services.payments import payment_record
from contracts.services import customer_today
from core.errors import InvalidInput
from sla.calendars import Calendar
from sla.exceptions import NaiveDatetime
from sla.models import BusinessCalendar
from tests.activations.conftest import ar
from tests.factories import make_account_manager

pytestmark = pytest.mark.django_db
Status = Activation.Status
AR_HOURS = Calendar.build(
    "America/Argentina/Buenos_Aires",
    {day: [("10:00", "17:00")] for day in range(5)},
    country="AR",
)


# --- due time ---------------------------------------------------------------------------------


def test_instant_product_is_due_two_minutes_after_the_start_on_any_day():
    saturday_night = ar(2026, 12, 5, 23, 59)
    warn, due = activation_due(
        kind="instant", start=saturday_night, minutes_max=2, business_days=None, calendar=AR_HOURS
    )
    assert due == saturday_night + timedelta(minutes=2)
    assert warn == saturday_night + timedelta(seconds=96)  # 80 % of the span


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Monday 7 December 2026 is a bridge holiday ("feriado con fines turísticos") and
        # Tuesday 8 a holiday (Inmaculada Concepción): Wednesday is the first business day.
        (ar(2026, 12, 7, 11, 0), 3, ar(2026, 12, 11, 17, 0)),
        (ar(2026, 12, 7, 11, 0), 1, ar(2026, 12, 9, 17, 0)),
        # Friday evening, after hours: the days start counting on the next business day.
        (ar(2026, 12, 4, 20, 0), 2, ar(2026, 12, 10, 17, 0)),
        # A plain week: Tuesday 1 plus two business days is Thursday 3 at closing.
        (ar(2026, 12, 1, 10, 0), 2, ar(2026, 12, 3, 17, 0)),
        # Saturday: the weekend does not count.
        (ar(2026, 12, 12, 9, 0), 1, ar(2026, 12, 14, 17, 0)),
    ],
)
def test_manual_product_is_due_when_its_last_business_day_closes(start, days, due):
    _warn, computed = activation_due(
        kind="business_days", start=start, minutes_max=None, business_days=days, calendar=AR_HOURS
    )
    assert computed == due


def test_due_time_refuses_a_naive_start():
    with pytest.raises(NaiveDatetime) as refused:
        activation_due(
            kind="instant",
            start=datetime(2026, 12, 7),  # noqa: DTZ001
            minutes_max=2,
            business_days=None,
            calendar=AR_HOURS,
        )
    assert refused.value.field == "start"


# --- purchase and checklist -------------------------------------------------------------------


def _buy(customer, product, price="10000"):
    return activation_purchase(customer=customer, product=product, unit_price=Money(price, "ARS"))


def _pay(invoice: Invoice, ref: str = "TR-1") -> Payment:
    return payment_record(
        customer=invoice.customer,
        amount=invoice.total,
        provider="bank_transfer",
        provider_ref=ref,
        received_on=customer_today(invoice.customer),
        invoice=invoice,
    )


def test_a_purchase_issues_its_invoice_and_lists_the_products_prerequisites(catalogue, customer):
    activation = _buy(customer, catalogue["Portal Noticioso"])
    assert activation.invoice.status == Invoice.Status.ISSUED
    assert activation.invoice.total == Money("12100.00", "ARS")  # IVA 21 %
    assert [(s.kind, s.label, s.met_at) for s in activation.steps.all()] == [
        ("payment", "pago acreditado", None),
        ("other", "dominio activo y delegado", None),
    ]
    assert (activation.kind, activation.business_days, activation.status) == (
        "business_days",
        3,
        Status.WAITING,
    )
    assert activation.calendar_version.calendar.slug == "altomarketing-comercial"
    assert activation.due_at is None


def test_instant_product_starts_on_the_payment_credited(
    catalogue, customer, django_capture_on_commit_callbacks
):
    activation = _buy(customer, catalogue["Hosting"])
    assert [s.label for s in activation.steps.all()] == ["pago acreditado"]
    with (
        time_machine.travel(datetime(2026, 12, 5, 2, 0, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):  # invoice.paid -> the task
        _pay(activation.invoice)
    activation.refresh_from_db()
    paid_at = Invoice.objects.get().paid_at
    assert paid_at == datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    assert activation.status == Status.RUNNING
    assert activation.started_at == paid_at
    assert activation.due_at == paid_at + timedelta(minutes=2)


def _intent_succeeded(event_id: str, payment: Payment) -> dict:
    return {
        "id": event_id,
        "type": "payment_intent.succeeded",
        "created": 1796446800,
        "data": {
            "object": {
                "id": "pi_activation_1",
                "object": "payment_intent",
                "amount_received": int(payment.amount.amount * 100),
                "currency": "ars",
                "metadata": {
                    "creditdesk_payment": str(payment.pk),
                    "creditdesk_customer": str(payment.customer_id),
                },
            }
        },
    }


def test_a_replayed_stripe_payment_starts_the_clock_once(
    catalogue, customer, django_capture_on_commit_callbacks
):
    activation = _buy(customer, catalogue["Hosting"])
    payment = Payment.objects.create(
        provider=Payment.Provider.STRIPE,
        customer=customer,
        invoice=activation.invoice,
        amount=activation.invoice.total,
    )
    with (
        time_machine.travel(datetime(2026, 12, 7, 13, 0, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True) as first,
    ):
        assert stripe_event_receive(_intent_succeeded("evt_1", payment)) == "processed"
    assert len(first) >= 1
    activation.refresh_from_db()
    started, due = activation.started_at, activation.due_at
    assert due == datetime(2026, 12, 7, 13, 2, tzinfo=UTC)
    met = activation.steps.get().met_at
    # Later: the same event again, the same intent under another event id, the task again.
    with (
        time_machine.travel(datetime(2026, 12, 7, 15, 0, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert stripe_event_receive(_intent_succeeded("evt_1", payment)) == "replay"
        assert stripe_event_receive(_intent_succeeded("evt_2", payment)) == "processed"
        assert activations_payment_credited(invoice_id=activation.invoice_id) == 0
    activation.refresh_from_db()
    assert (activation.started_at, activation.due_at) == (started, due)
    assert activation.steps.get().met_at == met
    assert Payment.objects.get().applied_at is not None


def test_manual_product_starts_on_the_last_prerequisite_met(
    catalogue, customer, django_capture_on_commit_callbacks
):
    activation = _buy(customer, catalogue["Portal Noticioso"])
    with (
        time_machine.travel(ar(2026, 12, 3, 12, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _pay(activation.invoice)
    activation.refresh_from_db()
    assert activation.status == Status.WAITING  # the domain is not delegated yet
    domain = activation.steps.get(kind="other")
    with time_machine.travel(ar(2026, 12, 7, 11, 0), tick=False):
        activation = activation_step_meet(step=domain, by=None)
        again = activation_step_meet(step=domain, by=None)  # ticked once
    assert activation.status == Status.RUNNING
    assert activation.started_at == ar(2026, 12, 7, 11, 0)
    assert activation.due_at == ar(2026, 12, 11, 17, 0)
    assert again.due_at == activation.due_at


def test_prerequisite_met_before_the_payment_starts_the_clock_at_the_payment(
    catalogue, customer, django_capture_on_commit_callbacks
):
    activation = _buy(customer, catalogue["Simplenews"])
    with time_machine.travel(ar(2026, 12, 1, 9, 0), tick=False):
        activation_step_meet(step=activation.steps.get(kind="other"), by=None)
    with (
        time_machine.travel(ar(2026, 12, 2, 16, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _pay(activation.invoice)
    activation.refresh_from_db()
    assert activation.started_at == ar(2026, 12, 2, 16, 0)
    assert activation.due_at == ar(2026, 12, 4, 17, 0)  # Thursday 3, Friday 4


def test_a_paid_invoice_ticks_the_payment_at_once(
    catalogue, customer, django_capture_on_commit_callbacks
):
    first = _buy(customer, catalogue["VideoStreaming"])
    with django_capture_on_commit_callbacks(execute=True):
        _pay(first.invoice)
    first.invoice.refresh_from_db()
    second = activation_purchase(
        customer=customer, product=catalogue["VideoStreaming"], invoice=first.invoice
    )
    assert second.status == Status.RUNNING
    assert second.started_at == first.invoice.paid_at


def test_the_payment_step_is_not_ticked_by_hand(catalogue, customer):
    activation = _buy(customer, catalogue["Hosting"])
    with pytest.raises(StepIsPayment) as refused:
        activation_step_meet(step=activation.steps.get(), by=None)
    assert refused.value.field == "step"
    assert activation.steps.get().met_at is None


def test_an_activation_waiting_for_prerequisites_cannot_be_completed(catalogue, customer):
    activation = _buy(customer, catalogue["Portal Noticioso"])
    with pytest.raises(ActivationNotStarted):
        activation_complete(activation=activation, by=None)
    assert Activation.objects.get().status == Status.WAITING


def test_on_time_and_late_completions_and_the_rate(
    catalogue, customer, django_capture_on_commit_callbacks
):
    done = []
    for ref, minutes_after in (("A", 1), ("B", 3)):
        activation = _buy(customer, catalogue["Hosting"])
        with (
            time_machine.travel(datetime(2026, 12, 7, 13, 0, tzinfo=UTC), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            _pay(Invoice.objects.get(pk=activation.invoice_id), ref=ref)
        at = datetime(2026, 12, 7, 13, minutes_after, tzinfo=UTC)
        activation.refresh_from_db()
        with time_machine.travel(datetime(2026, 12, 7, 14, 0, tzinfo=UTC), tick=False):
            done.append(activation_complete(activation=activation, by=None, at=at))
    now = datetime(2026, 12, 8, tzinfo=UTC)
    assert [state_of(a, now) for a in done] == [State.ACTIVE, State.ACTIVE_LATE]
    with pytest.raises(ActivationClosed) as refused, translation.override("es"):
        activation_complete(activation=done[0], by=None)
    # its status by its label, in each message's own language
    assert refused.value.message("en").endswith("is already over (Activated).")
    rate = activations_on_time(
        customer_id=customer.pk,
        start=datetime(2026, 12, 1, tzinfo=UTC),
        end=datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert (rate.activated, rate.on_time, rate.share) == (2, 1, Decimal("0.5"))


def test_the_monitor_warns_then_marks_late_once(
    catalogue, customer, django_capture_on_commit_callbacks
):
    activation = _buy(customer, catalogue["Hosting"])
    with (
        time_machine.travel(datetime(2026, 12, 7, 13, 0, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _pay(activation.invoice)
    start = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
    customer.account_manager = make_account_manager(email="gestora@proveedor.example")
    customer.save(update_fields=["account_manager"])
    mail.outbox.clear()
    runs = []
    for seconds in (60, 100, 110, 300, 360):
        with django_capture_on_commit_callbacks(execute=True):  # the mail tasks
            runs.append(activations_monitor_run(now=start + timedelta(seconds=seconds)))
    assert runs == [(0, 0), (1, 0), (0, 0), (0, 1), (0, 0)]
    activation.refresh_from_db()
    assert activation.late_at == activation.due_at
    assert state_of(activation, start + timedelta(minutes=6)) == State.LATE
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Activación por vencer: Hosting (Radio del Sur S.R.L.)", ["gestora@proveedor.example"]),
        ("Activación vencida: Hosting (Radio del Sur S.R.L.)", ["gestora@proveedor.example"]),
    ]
    assert "07/12/2026 10:02" in mail.outbox[1].body  # the due time in Buenos Aires
    assert send_activation_alert(activation.pk, late=True) == 0  # sent once


# --- the catalogue ----------------------------------------------------------------------------


def test_staff_edit_a_lead_time_and_earlier_purchases_keep_theirs(catalogue, customer):
    bought = _buy(customer, catalogue["Portal Noticioso"])
    calendar = BusinessCalendar.objects.get(slug="altomarketing-comercial")
    edited = product_save(
        product=catalogue["Portal Noticioso"],
        name="Portal Noticioso",
        kind="business_days",
        business_days_min=4,
        business_days_max=5,
        calendar=calendar,
        prerequisite="dominio activo y delegado",
    )
    assert (edited.business_days_min, edited.business_days_max) == (4, 5)
    assert Activation.objects.get(pk=bought.pk).business_days == 3
    assert _buy(customer, edited).business_days == 5


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"kind": "instant", "minutes_max": 0}, "minutes_max"),
        ({"kind": "instant"}, "minutes_max"),
        ({"kind": "business_days", "business_days_max": 3}, "calendar"),
        (
            {"kind": "business_days", "business_days_max": 400, "calendar": True},
            "business_days_max",
        ),
        (
            {
                "kind": "business_days",
                "business_days_min": 5,
                "business_days_max": 3,
                "calendar": True,
            },
            "business_days_min",
        ),
        ({"kind": "weekly"}, "kind"),
        ({"kind": "instant", "minutes_max": 2, "name": " "}, "name"),
        ({"kind": "instant", "minutes_max": 2, "name": "x" * 121}, "name"),
    ],
)
def test_the_catalogue_refuses_bad_input_naming_the_field(catalogue, fields, named):
    if fields.get("calendar") is True:
        fields["calendar"] = BusinessCalendar.objects.get(slug="altomarketing-comercial")
    before = list(catalogue["Hosting"].__class__.objects.values())
    with pytest.raises(InvalidInput) as refused:
        product_save(**{"name": "Nuevo producto"} | fields)
    assert named in refused.value.fields
    assert list(catalogue["Hosting"].__class__.objects.values()) == before


def test_a_purchase_refuses_a_price_in_another_currency(catalogue, customer):
    from core.amounts import CurrencyMismatch

    with pytest.raises(CurrencyMismatch):
        activation_purchase(
            customer=customer, product=catalogue["Hosting"], unit_price=Money("10", "USD")
        )
    assert not Activation.objects.exists()
    assert not Invoice.objects.exists()
    assert not ActivationStep.objects.exists()
