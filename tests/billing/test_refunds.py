"""Refunds: a credit note and the unused credits taken back, once, from finance or Stripe."""

import time
from datetime import date
from decimal import Decimal

import pytest
from djmoney.money import Money

from billing.exceptions import RefundExceedsPayment
from billing.models import Invoice, Payment, Refund
from billing.selectors import payment_list_needing_attention
from billing.services import payment_record, refund_issue
from credits.models import LedgerEntry
from credits.services import credit_account_get_or_create, credits_place_hold
from tests.billing.conftest import make_event
from tests.billing.test_topups import pack_setup, stripe_client
from tests.factories import make_staff_user


def bank_top_up():
    contract, pack = pack_setup()
    payment = payment_record(
        customer=contract.customer,
        amount=Money("1071000", "COP"),
        provider=Payment.Provider.BANK_TRANSFER,
        provider_ref="TRX-1",
        received_on=date(2026, 12, 1),
        credit_pack=pack,
    )
    return contract.customer, payment


def balance(customer) -> Decimal:
    return credit_account_get_or_create(customer=customer).balance


@pytest.mark.django_db
def test_full_refund_of_unused_credits_takes_them_all_back():
    customer, payment = bank_top_up()
    refund = refund_issue(payment=payment, reason="Cliente desiste")
    assert refund.status == Refund.Status.SUCCEEDED
    note = refund.credit_note
    assert note.kind == Invoice.Kind.CREDIT_NOTE
    assert note.status == Invoice.Status.ISSUED
    assert note.corrects_id == payment.invoice_id
    assert note.total == Money("1071000", "COP")
    assert refund.reversed_credits == Decimal("10")
    assert balance(customer) == Decimal("0")
    taken_back = LedgerEntry.objects.get(kind=LedgerEntry.Kind.PURCHASE_REFUNDED)
    assert (taken_back.credits, taken_back.idempotency_key) == (
        Decimal("-10.00"),
        f"refund:{refund.pk}",
    )


@pytest.mark.django_db
def test_partial_refund_arriving_without_a_staff_user_takes_back_credits_too():
    customer, payment = bank_top_up()

    refund = refund_issue(payment=payment, reason="Mitad", amount=Money("535500", "COP"))

    assert refund.reversed_credits == Decimal("5")
    assert balance(customer) == Decimal("5")
    assert not payment_list_needing_attention().exists()


@pytest.mark.django_db
def test_partial_refund_by_finance_takes_back_only_unused_credits():
    customer, payment = bank_top_up()
    account = credit_account_get_or_create(customer=customer)
    credits_place_hold(account=account, credits=Decimal("8"))  # 8 of 10 are spoken for
    finance = make_staff_user()
    refund = refund_issue(
        payment=payment, reason="Mitad", amount=Money("535500", "COP"), by=finance
    )
    assert refund.credit_note.total == Money("535500", "COP")
    assert refund.reversed_credits == Decimal("2")  # 5 covered, only 2 unused
    assert balance(customer) == Decimal("8")
    assert payment_list_needing_attention().get().attention_reason == "refund_mismatch"
    # the rest of the payment can still be refunded, but no more than that
    with pytest.raises(RefundExceedsPayment, match="left to refund"):
        refund_issue(payment=payment, reason="Otra vez", amount=Money("535501", "COP"))


@pytest.fixture
def stripe_top_up(db, settings, stripe_settings, post_event):
    from tests.billing.test_topups import customer_pays

    contract, pack = pack_setup()
    from billing.services import topup_start

    started = topup_start(customer=contract.customer, credit_pack=pack)
    intent = customer_pays(settings, started.payment.provider_ref)
    event = make_event("payment_intent.succeeded", intent, event_id="evt_paid", created=1)
    assert post_event(event).status_code == 200
    payment = Payment.objects.get(pk=started.payment.pk)
    assert payment.applied_at is not None
    return contract.customer, payment, intent


def test_finance_refund_through_stripe(stripe_top_up, settings):
    customer, payment, _intent = stripe_top_up
    refund = refund_issue(payment=payment, reason="Duplicado", by=make_staff_user())
    assert refund.provider_ref.startswith("re_")
    remote = stripe_client(settings).v1.refunds.retrieve(refund.provider_ref)
    assert remote.amount == 107100000
    assert remote.metadata["creditdesk_refund"] == str(refund.pk)
    assert balance(customer) == Decimal("0")


def test_refund_made_in_stripe_arrives_as_charge_refunded(stripe_top_up, settings, post_event):
    customer, payment, intent = stripe_top_up
    # given a refund made in the Stripe dashboard (here: through the API of localstripe)
    client = stripe_client(settings)
    client.v1.refunds.create(params={"payment_intent": intent["id"]})
    charge = client.v1.charges.retrieve(intent["latest_charge"]["id"]).to_dict()
    assert charge["refunded"] is True
    # localstripe never sends charge.refunded: we sign it with Stripe's scheme ourselves
    event = make_event("charge.refunded", charge, event_id="evt_refund", created=int(time.time()))
    for _ in range(3):
        assert post_event(event).status_code == 200
    again = make_event("charge.refunded", charge, event_id="evt_refund_2", created=int(time.time()))
    assert post_event(again).status_code == 200
    # then one refund, one credit note, credits taken back once
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.credit_note.total == payment.amount
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1
    assert refund.reversed_credits == Decimal("10")
    assert balance(customer) == Decimal("0")
