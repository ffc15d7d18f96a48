"""An overpayment settled by finance: what is still due on the issued invoice is applied (the
invoice is paid as by a fitting payment) and the rest goes back to the customer as a refund of
that payment, with no credit note: the excess never paid the invoice. What is due stays the
one figure of `amount_due_expression` (page, ageing, API). A refund made in Stripe's dashboard
of a payment never applied is the money going back too."""

import time
from datetime import date

import pytest
from django.db import transaction
from djmoney.money import Money

from billing import stripe_gateway
from billing.exceptions import OverpaymentNotSettled, PaymentProviderError, RefundExceedsPayment
from billing.models import BillingSuspension, Invoice, Payment, Refund
from billing.selectors import (
    invoice_amount_due,
    invoice_paid_and_due,
    invoice_totals_by_currency,
    payment_list_needing_attention,
    payment_refundable,
    receivables_ageing,
    receivables_ageing_by_customer,
)
from billing.services import (
    overdue_suspend_due,
    overpayment_settle,
    payment_apply,
    payment_record,
    refund_issue,
)
from contracts.models import Contract
from tests.api.conftest import client_for
from tests.billing.conftest import assert_refused, bank_transfer, cop, make_event
from tests.billing.test_topups import customer_pays, stripe_client
from tests.factories import (
    make_contract,
    make_credit_account,
    make_finance_user,
    make_invoice,
    make_plan,
)

Attention = Payment.Attention


@pytest.fixture
def invoice(issued_invoice) -> Invoice:
    return issued_invoice


def assert_nothing_due(invoice: Invoice, paid: Money) -> None:
    """Paid, nothing due, and every reader of what is due agrees."""
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice_amount_due(invoice) == cop("0")
    assert invoice_paid_and_due(invoice) == (paid, cop("0"))
    assert receivables_ageing(on=date(2026, 12, 3)) == []
    assert list(receivables_ageing_by_customer(on=date(2026, 12, 3))) == []
    (totals,) = invoice_totals_by_currency(Invoice.objects.filter(pk=invoice.pk))
    assert totals.unpaid == cop("0")
    assert totals.credited == cop("0")
    detail = client_for(make_finance_user()).get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert detail["amount_due"] == {"amount": "0.00", "currency": "COP"}


@pytest.mark.django_db
def test_a_transfer_overpayment_pays_what_is_due_and_returns_the_rest(invoice):
    finance = make_finance_user()
    over = bank_transfer(invoice, cop("150000"), "TRF-OVER")
    assert over.attention_reason == Attention.OVERPAYMENT

    refund = overpayment_settle(payment=over, by=finance)

    # the rest went back by transfer, recorded as a refund of that payment without a credit note
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.amount == cop("31000")
    assert refund.returns_unapplied
    assert refund.credit_note is None
    assert refund.provider_ref is None
    assert refund.created_by == finance
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()
    # the part that was due is applied: the payment is dealt with, the invoice paid
    over.refresh_from_db()
    assert over.applied_at is not None
    assert over.applied_amount == cop("119000")
    assert over.resolved_by == finance
    assert not payment_list_needing_attention().exists()
    assert_nothing_due(invoice, paid=cop("119000"))


@pytest.mark.django_db
def test_settling_twice_returns_the_excess_once(invoice):
    finance = make_finance_user()
    over = bank_transfer(invoice, cop("150000"), "TRF-OVER")

    first = overpayment_settle(payment=over, by=finance)
    again = overpayment_settle(payment=over, by=finance)

    assert again.pk == first.pk
    assert Refund.objects.count() == 1
    assert invoice.status_changes.filter(to_status=Invoice.Status.PAID).count() == 1


@pytest.mark.django_db
def test_after_a_part_paid_the_settlement_applies_only_what_is_left(invoice):
    bank_transfer(invoice, cop("100000"), "TRF-1")
    over = bank_transfer(invoice, cop("50000"), "TRF-2")
    assert over.attention_reason == Attention.OVERPAYMENT

    refund = overpayment_settle(payment=over, by=make_finance_user())

    assert refund.amount == cop("31000")
    over.refresh_from_db()
    assert over.applied_amount == cop("19000")
    assert_nothing_due(invoice, paid=cop("119000"))


@pytest.mark.django_db
def test_a_later_refund_of_the_applied_part_is_credited_and_bounded_by_it(invoice):
    over = bank_transfer(invoice, cop("150000"), "TRF-OVER")
    overpayment_settle(payment=over, by=make_finance_user())

    # what the payment paid (119.000) is what a refund with a credit note may give back
    with pytest.raises(RefundExceedsPayment):
        refund_issue(payment=over, reason="Demasiado", amount=cop("119001"))
    refund = refund_issue(payment=over, reason="Descuento", amount=cop("19000"))

    assert refund.credit_note.total == cop("19000")
    invoice.refresh_from_db()
    assert invoice_amount_due(invoice) == cop("0")
    # paid 119.000 less the 19.000 given back, which the credit note counts as credit
    assert invoice_paid_and_due(invoice) == (cop("100000"), cop("0"))
    (totals,) = invoice_totals_by_currency(Invoice.objects.filter(pk=invoice.pk))
    assert totals.credited == cop("0")  # a credit note is its own row of the list


@pytest.mark.django_db
def test_the_settlement_lifts_the_suspension_as_a_fitting_payment_does(
    frozen_now, settings, django_capture_on_commit_callbacks
):
    contract = make_contract(plan=make_plan(payment_grace_days=5))
    make_credit_account(contract.customer, credits="10")
    invoice = make_invoice(contract.customer, contract=contract, issue=True)
    settings.BILLING_SUSPEND_AFTER_DAYS = 10
    frozen_now.move_to("2027-01-03T12:00:00Z")
    overdue_suspend_due()
    over = payment_record(
        customer=invoice.customer,
        amount=invoice_amount_due(invoice) + cop("5000"),
        provider=Payment.Provider.BANK_TRANSFER,
        provider_ref="TRF-OVER",
        received_on=date(2027, 1, 3),
        invoice=invoice,
    )
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SUSPENDED

    with django_capture_on_commit_callbacks(execute=True):
        overpayment_settle(payment=over, by=make_finance_user())

    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert BillingSuspension.objects.get().lifted_at is not None


@pytest.mark.django_db
def test_a_payment_that_fits_is_refused_and_nothing_is_written(invoice):
    fitting = bank_transfer(invoice, cop("100000"), "TRF-1")

    with pytest.raises(OverpaymentNotSettled) as refused:
        overpayment_settle(payment=fitting, by=make_finance_user())

    assert_refused(
        refused.value,
        "overpayment_not_settled",
        "payment",
        "no se puede aplicar en parte",
        "cannot be applied in part",
    )
    assert not Refund.objects.exists()


@pytest.mark.django_db
def test_an_overpayment_of_an_invoice_paid_meanwhile_is_refused(invoice):
    over = bank_transfer(invoice, cop("150000"), "TRF-OVER")
    bank_transfer(invoice, cop("119000"), "TRF-EXACT")

    with pytest.raises(OverpaymentNotSettled) as refused:
        overpayment_settle(payment=over, by=make_finance_user())

    assert refused.value.field == "payment"
    assert "Factura ya pagada" in refused.value.message("es")
    assert "Invoice already paid" in refused.value.message("en")
    over.refresh_from_db()
    assert over.applied_at is None
    assert not Refund.objects.exists()


@pytest.mark.django_db
def test_the_api_maps_the_refusal_to_a_conflict():
    from creditdesk.api.errors import STATUS_BY_CODE

    assert STATUS_BY_CODE["overpayment_not_settled"] == 409


# --- Stripe --------------------------------------------------------------------------------


def card_payment(settings, invoice: Invoice, amount: Money) -> tuple[Payment, dict]:
    """The customer paid `amount` by card for the issued invoice (a PaymentIntent confirmed in
    localstripe), recorded as the Stripe handlers record a payment of ours, and applied."""
    client = stripe_client(settings)
    intent = client.v1.payment_intents.create(
        params={
            "amount": stripe_gateway.to_stripe_amount(amount),
            "currency": "cop",
            "payment_method_types": ["card"],
        }
    )
    paid = customer_pays(settings, intent.id)
    payment = Payment.objects.create(
        provider=Payment.Provider.STRIPE,
        provider_ref=paid["id"],
        status=Payment.Status.SUCCEEDED,
        customer=invoice.customer,
        invoice=invoice,
        amount=amount,
        received_on=date(2026, 12, 3),
    )
    return payment_apply(payment), paid


def charge_of(settings, intent: dict) -> dict:
    return stripe_client(settings).v1.charges.retrieve(intent["latest_charge"]["id"]).to_dict()


@pytest.mark.django_db
def test_a_card_overpayment_is_returned_from_stripe_not_settled_here(
    invoice, settings, stripe_settings
):
    over, _intent = card_payment(settings, invoice, cop("150000"))
    assert over.attention_reason == Attention.OVERPAYMENT

    with pytest.raises(OverpaymentNotSettled) as refused:
        overpayment_settle(payment=over, by=make_finance_user())

    assert_refused(
        refused.value, "overpayment_not_settled", "payment", "desde Stripe", "from Stripe"
    )
    over.refresh_from_db()
    assert over.applied_at is None
    assert not Refund.objects.exists()
    assert invoice_amount_due(invoice) == cop("119000")


@pytest.mark.django_db
def test_a_settlement_stopped_before_its_refund_was_recorded_is_completed_by_a_resubmit(
    invoice,
):
    """The process died between the settlement's two transactions: the rest's refund is
    STARTED, nothing else would ever complete it, and the resubmit does, once."""
    from billing.locks import invoice_lock, payment_lock
    from billing.services.refunds import _settle_locked

    over = bank_transfer(invoice, cop("150000"), "TRF-OVER")
    with transaction.atomic():
        invoice_lock(invoice.pk)
        started, _new = _settle_locked(invoice, payment_lock(over.pk), by=None)
    assert started.status == Refund.Status.STARTED

    finished = overpayment_settle(payment=over, by=make_finance_user())
    again = overpayment_settle(payment=over, by=make_finance_user())

    assert finished.pk == again.pk == started.pk
    assert finished.status == Refund.Status.SUCCEEDED
    assert Refund.objects.count() == 1
    assert_nothing_due(invoice, paid=cop("119000"))


# --- refunds made in Stripe's dashboard of a payment never applied -------------------------


@pytest.mark.django_db
def test_a_dashboard_refund_of_an_unapplied_payment_is_the_money_going_back(
    invoice, settings, stripe_settings, post_event
):
    over, intent = card_payment(settings, invoice, cop("150000"))
    assert over.applied_at is None
    assert over.needs_attention

    # finance returns all of it from Stripe's dashboard
    stripe_client(settings).v1.refunds.create(params={"payment_intent": intent["id"]})
    charge = charge_of(settings, intent)
    event = make_event("charge.refunded", charge, event_id="evt_dash", created=int(time.time()))
    for _ in range(2):
        assert post_event(event).status_code == 200

    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.amount == cop("150000")
    assert refund.returns_unapplied
    assert refund.credit_note is None
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()
    over.refresh_from_db()
    assert over.attention_reason == Attention.OVERPAYMENT  # why it was never applied
    assert over.resolved_at is not None
    assert not payment_list_needing_attention().exists()
    # the invoice still asks its whole total, and a confirmation applies nothing
    assert payment_apply(over).applied_at is None
    assert invoice_amount_due(invoice) == cop("119000")


@pytest.mark.django_db
def test_a_partial_dashboard_refund_of_an_unapplied_payment_stays_flagged(
    invoice, settings, stripe_settings, post_event
):
    over, intent = card_payment(settings, invoice, cop("150000"))

    stripe_client(settings).v1.refunds.create(
        params={
            "payment_intent": intent["id"],
            "amount": stripe_gateway.to_stripe_amount(cop("31000")),
        }
    )
    charge = charge_of(settings, intent)
    event = make_event("charge.refunded", charge, event_id="evt_part", created=int(time.time()))
    assert post_event(event).status_code == 200

    refund = Refund.objects.get()
    assert (refund.amount, refund.returns_unapplied, refund.credit_note) == (
        cop("31000"),
        True,
        None,
    )
    flagged = payment_list_needing_attention().get()
    assert flagged == over
    assert flagged.attention_reason == Attention.PARTLY_RETURNED
    assert "returned COP 31,000; COP 119,000 is neither applied" in flagged.attention_detail
    # what it still holds fits what is due now: confirming it pays the invoice
    over.refresh_from_db()
    from billing.services import payment_resolve

    payment_resolve(over, by=make_finance_user(), note="El resto paga la factura")
    applied = payment_apply(over)
    assert applied.applied_amount == cop("119000")
    assert_nothing_due(invoice, paid=cop("119000"))


def failed_but_made(settings, paid: Payment, intent: dict, amount: Money | None) -> Refund:
    """Finance refunds `amount` of the card payment (all of it when None); Stripe errs on our
    side (a payment intent it does not know), so the refund is recorded failed; then Stripe
    makes it after all, naming our refund in its metadata, as a timeout would leave it."""
    real_ref = paid.provider_ref
    Payment.objects.filter(pk=paid.pk).update(provider_ref="pi_unknown_to_stripe")
    with pytest.raises(PaymentProviderError):
        refund_issue(payment=Payment.objects.get(pk=paid.pk), reason="Desiste", amount=amount)
    Payment.objects.filter(pk=paid.pk).update(provider_ref=real_ref)
    failed = Refund.objects.get(payment=paid, status=Refund.Status.FAILED)
    params = {"payment_intent": intent["id"], "metadata": {"creditdesk_refund": str(failed.pk)}}
    if amount is not None:
        params["amount"] = stripe_gateway.to_stripe_amount(amount)
    stripe_client(settings).v1.refunds.create(params=params)
    return failed


@pytest.mark.django_db
def test_a_refund_stripe_made_after_we_recorded_it_failed_is_recorded_as_made(
    invoice, settings, stripe_settings, post_event
):
    """A Stripe error (a timeout) marks our refund failed and voids its credit note, yet
    Stripe made it: its charge.refunded names our refund. The books record it as a refund
    made in Stripe (a credit note issued, nothing left to refund), once, whatever later
    events list it; nothing is left for finance to correct by hand."""
    paid, intent = card_payment(settings, invoice, cop("119000"))
    failed = failed_but_made(settings, paid, intent, None)
    assert failed.credit_note.status == Invoice.Status.VOID
    charge = charge_of(settings, intent)
    for event_id in ("evt_late", "evt_late", "evt_later"):
        event = make_event("charge.refunded", charge, event_id=event_id, created=int(time.time()))
        assert post_event(event).status_code == 200

    made = Refund.objects.exclude(pk=failed.pk).get()
    assert (made.status, made.amount, made.provider_ref) == (
        Refund.Status.SUCCEEDED,
        cop("119000"),
        charge["refunds"]["data"][0]["id"],
    )
    assert f"el reembolso {failed.pk} se registró fallido" in made.reason
    assert made.credit_note.status == Invoice.Status.ISSUED
    assert made.credit_note.total == cop("119000")
    failed.refresh_from_db()
    assert (failed.status, failed.provider_ref) == (Refund.Status.FAILED, None)
    assert payment_refundable(Payment.objects.get(pk=paid.pk)).amount == 0
    assert not payment_list_needing_attention().exists()


@pytest.mark.django_db
def test_a_failed_partial_refund_stripe_made_and_finance_refunding_the_rest_add_up(
    invoice, settings, stripe_settings, post_event
):
    """Finance's partial refund fails on our side while Stripe makes it; finance, seeing it
    failed, refunds the rest of the payment, which succeeds. The late charge.refunded lists
    both Stripe refunds: the books end with the payment refunded in full, in two credit
    notes, nothing counted twice."""
    paid, intent = card_payment(settings, invoice, cop("119000"))
    failed_but_made(settings, paid, intent, cop("50000"))
    rest = refund_issue(
        payment=Payment.objects.get(pk=paid.pk), reason="El resto", amount=cop("69000")
    )
    assert rest.status == Refund.Status.SUCCEEDED

    event = make_event(
        "charge.refunded",
        charge_of(settings, intent),
        event_id="evt_both",
        created=int(time.time()),
    )
    assert post_event(event).status_code == 200
    succeeded = Refund.objects.filter(status=Refund.Status.SUCCEEDED).order_by("pk")
    assert [refund.amount for refund in succeeded] == [cop("69000"), cop("50000")]
    assert payment_refundable(Payment.objects.get(pk=paid.pk)).amount == 0
    assert not payment_list_needing_attention().exists()


@pytest.mark.django_db
def test_a_stripe_refund_that_no_longer_fits_goes_before_finance_once_even_after_a_review(
    invoice, settings, stripe_settings, post_event
):
    """Finance had reviewed the payment for another reason. A refund recorded as failed that
    Stripe made, arriving when the rest of the payment was refunded meanwhile, no longer fits
    what is left: the payment goes before finance again, and once, however many later events
    list that refund."""
    from billing.services import payment_resolve
    from billing.services.payments import flag_locked

    paid, intent = card_payment(settings, invoice, cop("119000"))
    flag_locked(paid, Attention.REFUND_MISMATCH, "an earlier question")
    payment_resolve(paid, by=make_finance_user(), note="Revisado")
    assert not payment_list_needing_attention().exists()
    failed = failed_but_made(settings, paid, intent, cop("50000"))
    # finance, reading "failed", refunds the whole payment (localstripe, unlike Stripe, lets it)
    refund_issue(payment=Payment.objects.get(pk=paid.pk), reason="Todo")
    charge = charge_of(settings, intent)

    event = make_event("charge.refunded", charge, event_id="evt_one", created=int(time.time()))
    assert post_event(event).status_code == 200
    flagged = payment_list_needing_attention().get()
    assert flagged.pk == paid.pk
    assert flagged.attention_reason == Attention.REFUND_MISMATCH
    # finance's refund names its own record too, and Stripe lists refunds made in the same
    # second in no fixed order: the one made after the failure names the failed refund
    made = next(
        r
        for r in charge["refunds"]["data"]
        if r["metadata"].get("creditdesk_refund") == str(failed.pk)
    )
    assert f"Stripe refund {made['id']} of COP 50,000" in flagged.attention_detail
    payment_resolve(flagged, by=make_finance_user(), note="Se pide al cliente devolver COP 50.000")
    later = make_event("charge.refunded", charge, event_id="evt_two", created=int(time.time()))
    assert post_event(later).status_code == 200
    assert not payment_list_needing_attention().exists()
