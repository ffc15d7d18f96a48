"""Credit-pack top-ups: Stripe (the real library against localstripe) and bank transfers."""

import contextlib
import json
import time
from datetime import UTC, date, datetime
from datetime import time as dt_time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import stripe
import time_machine
from django.db import connection
from djmoney.money import Money

from billing.exceptions import DuplicatePaymentReference, PackNotForSale
from billing.models import Invoice, Payment, StripeEvent
from billing.selectors import payment_list_needing_attention
from billing.services import invoice_void, payment_record, topup_start
from contracts.models import Plan
from contracts.selectors import credit_packs_on_sale
from core.errors import CreditdeskError
from credits.models import LedgerEntry
from tests.billing.conftest import SECRET_KEY, assert_refused, make_event, sign
from tests.factories import make_contract, make_credit_pack, make_customer, make_invoice

Attention = Payment.Attention


def stripe_client(settings) -> stripe.StripeClient:
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})


DECLINED_CARD = "4000000000000341"  # localstripe declines every charge on it


def customer_pays(settings, intent_id: str, card: str = "4242424242424242") -> dict:
    """What the customer's browser does with Stripe.js: a card, then confirm the intent."""
    client = stripe_client(settings)
    method = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": card, "exp_month": "12", "exp_year": "2030", "cvc": "123"},
        }
    )
    client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    return client.v1.payment_intents.confirm(intent_id).to_dict()


def pack_setup():
    contract = make_contract()
    pack = make_credit_pack(contract.plan, credits=Decimal("10"), price=Money("900000", "COP"))
    return contract, pack


def top_up_entries(customer) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(account__customer=customer, kind="top_up"))


@pytest.mark.django_db(transaction=True)
def test_top_up_end_to_end_with_localstripe_signed_webhook(settings, localstripe_webhooks):
    # given a customer who picks a pack
    contract, pack = pack_setup()
    started = topup_start(customer=contract.customer, credit_pack=pack)
    payment = started.payment
    assert payment.status == Payment.Status.PENDING
    assert payment.provider_ref.startswith("pi_")
    assert started.client_secret
    assert payment.invoice.status == Invoice.Status.DRAFT
    assert payment.amount == Money("1071000", "COP")  # 900000 + 19 % IVA
    # when the customer pays and localstripe sends its signed webhook to our live server
    intent = customer_pays(settings, payment.provider_ref)
    assert intent["status"] == "succeeded"
    assert intent["metadata"]["creditdesk_pack"] == str(pack.pk)
    deadline = time.monotonic() + 15
    while not Payment.objects.filter(pk=payment.pk, applied_at__isnull=False).exists():
        assert time.monotonic() < deadline, list(StripeEvent.objects.values("type", "error"))
        time.sleep(0.2)
    # then the invoice is issued and paid, and the credits landed once
    invoice = Invoice.objects.get(pk=payment.invoice_id)
    assert invoice.status == Invoice.Status.PAID
    assert invoice.number is not None
    assert invoice.total == Money("1071000", "COP")
    entries = top_up_entries(contract.customer)
    assert [e.credits for e in entries] == [Decimal("10.00")]
    assert entries[0].idempotency_key == f"payment:{payment.pk}"
    # (localstripe may also deliver events of earlier tests' intents now; ours is this one)
    ours = [
        event
        for event in StripeEvent.objects.filter(type="payment_intent.succeeded")
        if event.payload["data"]["object"]["id"] == payment.provider_ref
    ]
    assert len(ours) == 1
    assert ours[0].processed_at is not None


@pytest.fixture
def paid_intent(db, settings, stripe_settings):
    """A top-up whose PaymentIntent succeeded in localstripe; its webhook not delivered yet."""
    contract, pack = pack_setup()
    started = topup_start(customer=contract.customer, credit_pack=pack)
    intent = customer_pays(settings, started.payment.provider_ref)
    return started.payment, intent


def test_the_same_payment_webhook_100_times_pays_once_and_credits_once(paid_intent, post_event):
    payment, intent = paid_intent
    payload = make_event(
        "payment_intent.succeeded", intent, event_id="evt_replayed", created=int(time.time())
    )
    # the same event 100 times, then the same intent under 5 other event ids
    answers = [post_event(payload).status_code for _ in range(100)]
    for n in range(5):
        again = make_event(
            "payment_intent.succeeded", intent, event_id=f"evt_other_{n}", created=int(time.time())
        )
        answers.append(post_event(again).status_code)
    assert set(answers) == {200}
    assert Invoice.objects.filter(customer=payment.customer, status="paid").count() == 1
    assert len(top_up_entries(payment.customer)) == 1
    assert StripeEvent.objects.count() == 6
    assert not payment_list_needing_attention().exists()


def test_a_card_payment_in_the_customers_evening_is_dated_on_the_customers_day(
    paid_intent, post_event
):
    # given: Stripe says the intent succeeded at 20:30 in Bogotá, already tomorrow in UTC
    payment, intent = paid_intent
    bogota_today = datetime.now(UTC).astimezone(ZoneInfo("America/Bogota")).date()
    evening = datetime.combine(bogota_today, dt_time(20, 30), tzinfo=ZoneInfo("America/Bogota"))
    with time_machine.travel(evening, tick=False):
        # when
        _succeeded(post_event, intent, "evt_evening")
    # then: the payment and the invoice it settles bear the customer's day
    payment.refresh_from_db()
    assert payment.received_on == bogota_today
    assert payment.invoice.issued_on == bogota_today
    assert payment.invoice.status == Invoice.Status.PAID


def test_replies_say_what_happened(paid_intent, post_event):
    _payment, intent = paid_intent
    payload = make_event("payment_intent.succeeded", intent, event_id="evt_a", created=1)
    assert json.loads(post_event(payload).content)["outcome"] in {"processed"}
    assert json.loads(post_event(payload).content)["outcome"] == "replay"


@pytest.mark.parametrize(
    "signature",
    [
        "",  # missing
        "t=1,v1=deadbeef",  # wrong
        "garbage",
    ],
)
def test_bad_signatures_get_400_and_change_nothing(paid_intent, post_event, signature):
    payment, intent = paid_intent
    payload = make_event("payment_intent.succeeded", intent, event_id="evt_x", created=1)
    response = post_event(payload, signature=signature)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert Payment.objects.get(pk=payment.pk).applied_at is None


def test_wrong_secret_and_stale_timestamps_fail_verification(paid_intent, post_event):
    payment, intent = paid_intent
    payload = make_event("payment_intent.succeeded", intent, event_id="evt_t", created=1)
    assert post_event(payload, signature=sign(payload, secret="whsec_other")).status_code == 400
    stale = sign(payload, timestamp=int(time.time()) - 301)
    assert post_event(payload, signature=stale).status_code == 400
    assert not StripeEvent.objects.exists()
    fresh_enough = sign(payload, timestamp=int(time.time()) - 290)
    assert post_event(payload, signature=fresh_enough).status_code == 200
    assert Payment.objects.get(pk=payment.pk).applied_at is not None


def test_a_signed_body_that_is_not_an_event_is_refused_without_500(post_event, db):
    for body in [b"not json", b"[1, 2]", b'{"no": "id"}']:
        assert post_event(body).status_code == 400
    payload = json.dumps({"id": "evt_broken", "type": "payment_intent.succeeded"}).encode()
    response = post_event(payload)
    assert response.status_code == 200
    assert json.loads(response.content)["outcome"] == "rejected"
    assert "KeyError" in StripeEvent.objects.get(event_id="evt_broken").error


def _succeeded(post_event, intent: dict, event_id: str) -> None:
    payload = make_event("payment_intent.succeeded", intent, event_id=event_id, created=1)
    assert post_event(payload).status_code == 200


def test_amount_that_does_not_match_is_refused_never_stored_as_a_payment(paid_intent, post_event):
    payment, intent = paid_intent
    _succeeded(post_event, intent | {"amount": intent["amount"] - 100}, "evt_amount")
    flagged = payment_list_needing_attention().get()
    assert flagged.pk == payment.pk
    assert flagged.attention_reason == Attention.AMOUNT_MISMATCH
    assert flagged.attention_detail == "received COP 1,070,999, the pack costs COP 1,071,000"
    # the payment keeps what was asked; nothing of the wrong amount is a payment
    assert flagged.status == Payment.Status.PENDING
    assert flagged.amount == Money("1071000", "COP")
    assert not Payment.objects.filter(status=Payment.Status.SUCCEEDED).exists()
    assert not top_up_entries(payment.customer)
    assert Invoice.objects.get(pk=payment.invoice_id).status == Invoice.Status.DRAFT
    # the right amount afterwards (a second, corrected charge) is not applied either:
    # finance decides once a payment needs attention
    _succeeded(post_event, intent, "evt_amount_right")
    assert not top_up_entries(payment.customer)


def test_currency_that_does_not_match_is_refused_never_stored_as_a_payment(paid_intent, post_event):
    payment, intent = paid_intent
    _succeeded(post_event, intent | {"currency": "usd"}, "evt_currency")
    flagged = payment_list_needing_attention().get()
    assert flagged.attention_reason == Attention.CURRENCY_MISMATCH
    assert flagged.status == Payment.Status.PENDING
    _succeeded(post_event, intent | {"id": "pi_weird", "currency": "xyz"}, "evt_xyz")
    assert not top_up_entries(payment.customer)


def test_pack_that_does_not_match_is_recorded_not_credited(paid_intent, post_event):
    payment, intent = paid_intent
    metadata = intent["metadata"] | {"creditdesk_pack": "999999"}
    _succeeded(post_event, intent | {"metadata": metadata}, "evt_pack")
    assert payment_list_needing_attention().get().attention_reason == Attention.UNKNOWN_PACK
    assert not top_up_entries(payment.customer)


def test_unknown_intents_are_kept_for_finance(post_event, db):
    base = {"object": "payment_intent", "amount": 5000, "currency": "cop", "invoice": None}
    _succeeded(post_event, base | {"id": "pi_nobody", "customer": "cus_nobody"}, "evt_u1")
    customer = make_customer()
    known = {"creditdesk_customer": str(customer.pk), "creditdesk_pack": "424242"}
    _succeeded(post_event, base | {"id": "pi_nopack", "metadata": known}, "evt_u2")
    mine = {"creditdesk_customer": str(customer.pk)}
    _succeeded(post_event, base | {"id": "pi_stray", "metadata": mine}, "evt_u3")
    reasons = dict(payment_list_needing_attention().values_list("provider_ref", "attention_reason"))
    assert reasons == {
        "pi_nobody": Attention.UNKNOWN_CUSTOMER,
        "pi_nopack": Attention.UNKNOWN_PACK,
        "pi_stray": Attention.UNKNOWN_PAYMENT,
    }
    assert not LedgerEntry.objects.exists()


def test_payment_for_a_voided_draft_is_recorded_not_credited(paid_intent, post_event):
    payment, intent = paid_intent
    invoice_void(payment.invoice, reason="Carrito abandonado")
    _succeeded(post_event, intent, "evt_void")
    assert payment_list_needing_attention().get().attention_reason == Attention.INVOICE_VOID
    assert not top_up_entries(payment.customer)


def test_failed_intent_marks_the_payment_failed(paid_intent, post_event):
    payment, intent = paid_intent
    payload = make_event("payment_intent.payment_failed", intent, event_id="evt_f", created=1)
    assert post_event(payload).status_code == 200
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.FAILED
    # a late success still wins: the money did arrive
    _succeeded(post_event, intent, "evt_late_success")
    assert Payment.objects.get(pk=payment.pk).applied_at is not None


def test_a_pack_of_another_plan_is_not_for_sale(db, stripe_settings):
    contract, _pack = pack_setup()
    other = make_credit_pack()
    with pytest.raises(PackNotForSale):
        topup_start(customer=contract.customer, credit_pack=other)
    assert not Payment.objects.exists()


def test_a_plan_that_includes_support_sells_no_packs(db, stripe_settings):
    contract, pack = pack_setup()
    Plan.objects.filter(pk=contract.plan_id).update(support_model=Plan.SupportModel.INCLUDED)
    contract.refresh_from_db()
    assert not credit_packs_on_sale(contract=contract).exists()
    with pytest.raises(PackNotForSale):
        topup_start(customer=contract.customer, credit_pack=pack)
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_bank_transfer_for_a_pack_goes_through_the_same_path():
    contract, pack = pack_setup()
    payment = payment_record(
        customer=contract.customer,
        amount=Money("1071000", "COP"),
        provider=Payment.Provider.BANK_TRANSFER,
        provider_ref="BANCOLOMBIA-0001",
        received_on=date(2026, 12, 1),
        credit_pack=pack,
    )
    assert payment.applied_at is not None
    assert not payment.needs_attention
    assert payment.invoice.status == Invoice.Status.PAID
    assert [e.credits for e in top_up_entries(contract.customer)] == [Decimal("10.00")]
    with pytest.raises(DuplicatePaymentReference):
        payment_record(
            customer=contract.customer,
            amount=Money("1071000", "COP"),
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref="BANCOLOMBIA-0001",
            received_on=date(2026, 12, 1),
            credit_pack=pack,
        )
    assert len(top_up_entries(contract.customer)) == 1


@pytest.mark.parametrize(
    ("changes", "code", "field", "spanish", "english"),
    [
        (
            {"provider": "paypal"},
            "invalid_input",
            "provider",
            "provider: Valor 'paypal' no es una opción válida.",
            "provider: Value 'paypal' is not a valid choice.",
        ),
        (
            {"provider": Payment.Provider.STRIPE},  # Stripe payments come by webhook only
            "invalid_input",
            "provider",
            "no es una opción válida",
            "is not a valid choice",
        ),
        (
            {"credit_pack": None},
            "invalid_input",
            "invoice",
            "invoice: Este campo es requerido.",
            "invoice: This field is required.",
        ),
        (
            {"amount": Money("0", "COP")},
            "invalid_amount",
            "amount",
            "un número mayor que cero",
            "a number greater than zero",
        ),
        (
            {"amount": Money("10.001", "COP")},
            "invalid_amount",
            "amount",
            "hasta dos decimales",
            "at most two decimals",
        ),
        (
            {"note": "x" * 2001},
            "invalid_input",
            "note",
            "note: Como máximo 2000 caracteres.",
            "note: At most 2000 characters.",
        ),
    ],
)
@pytest.mark.django_db
def test_a_bad_recorded_payment_is_refused_naming_the_field_and_nothing_is_written(
    changes, code, field, spanish, english
):
    contract, pack = pack_setup()
    kwargs = {
        "customer": contract.customer,
        "amount": Money("1071000", "COP"),
        "provider": Payment.Provider.BANK_TRANSFER,
        "provider_ref": "BANCOLOMBIA-0002",
        "received_on": date(2026, 12, 1),
        "credit_pack": pack,
    }
    with pytest.raises(CreditdeskError) as refused:
        payment_record(**(kwargs | changes))
    assert_refused(refused.value, code, field, spanish, english)
    assert not Payment.objects.exists()
    assert not Invoice.objects.exists()
    assert top_up_entries(contract.customer) == []


@pytest.mark.django_db
def test_paying_an_invoice_twice_is_flagged_not_applied():
    invoice = make_invoice(issue=True)
    kwargs = {
        "customer": invoice.customer,
        "amount": invoice.total,
        "provider": Payment.Provider.CASH,
        "received_on": date(2026, 12, 1),
        "invoice": invoice,
    }
    first = payment_record(provider_ref="R1", **kwargs)
    second = payment_record(provider_ref="R2", **kwargs)
    assert first.applied_at is not None
    assert second.applied_at is None
    assert second.attention_reason == Attention.INVOICE_ALREADY_PAID
    assert list(payment_list_needing_attention()) == [second]
    short = payment_record(
        provider_ref="R3", **(kwargs | {"invoice": make_invoice(issue=True)}), note="parcial"
    )
    assert short.attention_reason in {Attention.AMOUNT_MISMATCH, Attention.UNKNOWN_CUSTOMER}


def test_query_count_of_a_webhook_is_small(paid_intent, post_event, django_assert_max_num_queries):
    _payment, intent = paid_intent
    payload = make_event("payment_intent.succeeded", intent, event_id="evt_q", created=1)
    with django_assert_max_num_queries(60):
        post_event(payload)
    assert connection.vendor in {"sqlite", "postgresql"}


def _signed_and_received(post_event, payload: bytes):
    response = post_event(payload)
    assert response.status_code in (200, 400), response.status_code
    return response


ABSURD_INTENTS = {
    "amount_beyond_the_column": {"amount": 10**30, "amount_received": 10**30},
    "negative_amount": {"amount": -5, "amount_received": -5},
    "id_over_255": {"id": "pi_" + "x" * 300},
    "customer_over_255": {"customer": "cus_" + "x" * 300, "metadata": {}},
    "metadata_not_a_dict": {"metadata": ["creditdesk_payment"]},
}


@pytest.mark.parametrize("change", ABSURD_INTENTS.values(), ids=ABSURD_INTENTS.keys())
def test_absurd_intents_are_rejected_without_500_and_credit_nothing(
    paid_intent, post_event, change
):
    payment, intent = paid_intent
    payload = make_event("payment_intent.succeeded", intent | change, event_id="evt_x", created=1)
    response = _signed_and_received(post_event, payload)
    if response.status_code == 200:
        assert json.loads(response.content)["outcome"] == "rejected"
        assert StripeEvent.objects.get(event_id="evt_x").error
    assert not Payment.objects.filter(status=Payment.Status.SUCCEEDED).exists()
    assert not top_up_entries(payment.customer)


@pytest.mark.parametrize("created", [10**20, -(10**20), 253402300800, "soon"])
def test_an_absurd_created_time_is_rejected(paid_intent, post_event, created):
    payment, intent = paid_intent
    payload = json.loads(
        make_event("payment_intent.succeeded", intent, event_id="evt_t", created=1)
    )
    payload["created"] = created
    response = _signed_and_received(post_event, json.dumps(payload).encode())
    assert json.loads(response.content)["outcome"] == "rejected"
    assert not top_up_entries(payment.customer)


@pytest.mark.parametrize(
    "payload",
    [
        json.dumps({"id": "evt_" + "x" * 300, "type": "payment_intent.succeeded"}),
        json.dumps({"id": "evt_nul\u0000", "type": "ping"}),
        json.dumps({"id": "evt_nul_inside", "type": "ping", "data": {"object": {"n": "a\u0000"}}}),
        json.dumps({"id": "evt_huge_float", "type": "ping", "created": 1}).replace("1}", "1e999}"),
        '{"id": "evt_nan", "type": "ping", "created": NaN}',
        '{"id": "evt_deep", "data": ' + "[" * 50_000 + "]" * 50_000 + "}",
    ],
    ids=["id_over_255", "nul_in_id", "nul_inside", "infinite_number", "nan", "nested"],
)
def test_unusable_event_bodies_are_400_and_store_nothing(post_event, db, payload):
    response = post_event(payload.encode())
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.fixture
def declined_intent(paid_intent, settings):
    """Another top-up of the same customer, its card declined in localstripe: (its payment,
    the intent as the `payment_intent.payment_failed` event carries it)."""
    payment, _paid = paid_intent
    started = topup_start(customer=payment.customer, credit_pack=payment.credit_pack)
    with contextlib.suppress(stripe.CardError):
        customer_pays(settings, started.payment.provider_ref, card=DECLINED_CARD)
    intent = stripe_client(settings).v1.payment_intents.retrieve(started.payment.provider_ref)
    return started.payment, intent.to_dict()


def test_a_declined_top_up_keeps_the_banks_reason_for_the_customers_language(
    declined_intent, post_event
):
    started, failed = declined_intent
    # localstripe sends the error's code; a real card's bank adds its own reason
    assert failed["last_payment_error"]["code"] == "card_declined"
    failed["last_payment_error"]["decline_code"] = "insufficient_funds"

    payload = make_event("payment_intent.payment_failed", failed, event_id="evt_d", created=1)
    assert post_event(payload).status_code == 200

    declined = Payment.objects.get(pk=started.pk)
    assert (declined.status, declined.failure_code) == (Payment.Status.FAILED, "insufficient_funds")
    # Stripe's words, kept apart from the note finance writes, and the intent as Stripe sent it
    assert declined.failure_message == failed["last_payment_error"]["message"]
    assert declined.note == ""
    assert declined.raw_payload["last_payment_error"]["decline_code"] == "insufficient_funds"


def test_a_card_that_pays_after_a_decline_leaves_no_decline_behind(declined_intent, post_event):
    started, failed = declined_intent
    payload = make_event("payment_intent.payment_failed", failed, event_id="evt_f", created=1)
    assert post_event(payload).status_code == 200
    # the customer tries another card on the same intent (localstripe confirms an intent
    # once; Stripe lets a declined one be confirmed again), and it pays
    paid = failed | {"status": "succeeded", "last_payment_error": None}
    payload = make_event("payment_intent.succeeded", paid, event_id="evt_s", created=2)
    assert post_event(payload).status_code == 200

    settled = Payment.objects.get(pk=started.pk)
    assert (settled.status, settled.failure_code, settled.failure_message, settled.note) == (
        Payment.Status.SUCCEEDED,
        "",
        "",
        "",
    )
    assert settled.failed_at is None
    assert settled.applied_at is not None


def test_the_latest_decline_of_an_intent_is_the_one_told(paid_intent, post_event):
    payment, paid = paid_intent  # its payment still pending: the webhook was not delivered

    def declined(code: str, *, event_id: str, created: int):
        error = {"code": "card_declined", "decline_code": code, "message": f"Stripe: {code}"}
        intent = paid | {"status": "requires_payment_method", "last_payment_error": error}
        payload = make_event(
            "payment_intent.payment_failed", intent, event_id=event_id, created=created
        )
        assert post_event(payload).status_code == 200
        return Payment.objects.get(pk=payment.pk)

    assert declined("insufficient_funds", event_id="evt_1", created=100).failure_code == (
        "insufficient_funds"
    )
    # a second card refused on the same intent: that is what the customer reads now
    assert declined("expired_card", event_id="evt_2", created=200).failure_code == "expired_card"
    # Stripe does not promise the order of its events: an older one changes nothing
    late = declined("lost_card", event_id="evt_0", created=150)
    assert (late.failure_code, late.failure_message) == ("expired_card", "Stripe: expired_card")
