"""A declined card's reason, in the customer's language (billing.declines)."""

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation
from djmoney.money import Money

from billing import stripe_gateway
from billing.declines import REASONS, decline_code, decline_reason
from billing.models import Payment
from creditdesk.web.customers import customer_timeline
from tests.factories import (
    make_credit_pack,
    make_customer,
    make_declined_auto_top_up,
    make_plan,
    make_staff_user,
)
from tests.loopback import Receiver


def test_the_banks_reason_is_preferred_to_the_errors_kind():
    error = {"code": "card_declined", "decline_code": "insufficient_funds", "message": "..."}
    assert decline_code(error) == "insufficient_funds"
    assert decline_code({"code": "expired_card", "message": "Your card has expired."}) == (
        "expired_card"
    )
    assert decline_code({"message": "no code at all"}) == "card_declined"  # refused all the same
    assert len(decline_code({"code": "x" * 500})) == 100  # the columns' length


def test_a_bank_reason_we_have_no_words_for_keeps_the_errors_kind_we_have():
    # a code Stripe may add tomorrow, under a kind we know: the customer reads ours
    assert decline_code({"code": "card_declined", "decline_code": "brand_new_reason"}) == (
        "card_declined"
    )
    # neither known: the bank's, for the staff
    assert decline_code({"code": "new_kind", "decline_code": "brand_new_reason"}) == (
        "brand_new_reason"
    )


def test_every_reason_reads_in_spanish_and_in_english():
    for code in REASONS:
        with translation.override("es"):
            spanish = decline_reason(code)
        with translation.override("en"):
            english = decline_reason(code)
        assert spanish, code
        assert english not in ("", spanish), code


def test_fraud_suspicions_are_told_as_a_plain_decline():
    # Stripe's advice: the person paying may be the one the bank suspects
    with translation.override("es"):
        plain = decline_reason("generic_decline")
        assert {decline_reason(code) for code in ("fraudulent", "lost_card", "stolen_card")} == {
            plain
        }


def test_a_code_we_do_not_know_has_no_words_of_ours():
    assert decline_reason("some_future_code") == ""
    assert decline_reason("") == ""


# The off-session charge's refusal as Stripe answers it: localstripe never sends a bank's
# decline code, so these are Stripe's documented 402 bodies, served over real HTTP to the
# real library (docs.stripe.com/declines/codes).


def card_error(code: str, decline_code: str, message: str) -> dict:
    return {
        "error": {
            "type": "card_error",
            "code": code,
            "decline_code": decline_code,
            "message": message,
            "charge": "ch_recorded",
            "payment_intent": {
                "id": "pi_recorded",
                "object": "payment_intent",
                "status": "requires_payment_method",
            },
        }
    }


@pytest.fixture
def stripe_answering(settings):
    """Stripe at a loopback server that answers every call with the body handed to it, as a
    402."""
    stripe = Receiver()
    settings.STRIPE_API_BASE = stripe.base_url
    settings.STRIPE_SECRET_KEY = "sk_test_recorded"

    def answering(body: dict):
        stripe.answers.append(402)
        stripe.bodies.append(json.dumps(body).encode())
        return stripe_gateway.payment_intent_off_session(
            amount=Money("450", "USD"),
            customer_id="cus_recorded",
            payment_method_id="pm_recorded",
            metadata={},
            idempotency_key="autotopup:recorded",
        )

    yield answering
    stripe.close()


def test_an_off_session_decline_keeps_the_banks_reason(stripe_answering):
    charge = stripe_answering(
        card_error("card_declined", "insufficient_funds", "Your card has insufficient funds.")
    )
    assert (charge.status, charge.error_code, charge.intent_id) == (
        "declined",
        "insufficient_funds",
        "pi_recorded",
    )
    assert charge.error_message == "Your card has insufficient funds."


def test_the_errors_own_code_decides_whether_the_bank_wants_the_customer(stripe_answering):
    # Stripe's off-session authentication: the customer must come and confirm
    wanted = stripe_answering(
        card_error("authentication_required", "authentication_required", "Authenticate.")
    )
    assert (wanted.status, wanted.error_code) == ("requires_action", "authentication_required")
    # a bank's soft decline under a plain decline is a decline, told in the bank's words
    declined = stripe_answering(
        card_error("card_declined", "authentication_required", "Your card was declined.")
    )
    assert (declined.status, declined.error_code) == ("declined", "authentication_required")


@pytest.mark.django_db
def test_the_customer_timeline_tells_a_declined_card_in_the_readers_language():
    """Staff read a decline as the customer does: our words for a code we know, and Stripe's
    English, said to be English, for one we do not; then what finance noted."""
    customer = make_customer()
    for code, message, note in (
        ("insufficient_funds", "Your card has insufficient funds.", ""),
        ("a_code_from_2027", "Something new.", "Llamó el cliente"),
    ):
        Payment.objects.create(
            customer=customer,
            amount=Money("50000", "COP"),
            provider=Payment.Provider.STRIPE,
            status=Payment.Status.FAILED,
            failure_code=code,
            failure_message=message,
            note=note,
        )

    def details(language: str) -> set[str]:
        with translation.override(language):
            items = customer_timeline(customer=customer)
            return {item.detail for item in items if item.kind == "payment"}

    assert details("es") == {
        "La tarjeta no tiene fondos suficientes. Pruebe con otra tarjeta.",
        'Detalle (en inglés): "Something new."\nLlamó el cliente',
    }
    assert details("en") == {
        "The card has insufficient funds. Try another card.",
        'Details: "Something new."\nLlamó el cliente',
    }


@pytest.mark.django_db(transaction=True)
def test_the_migration_takes_the_providers_words_out_of_the_notes():
    """Payments failed before the provider's words had a field of their own kept them in the
    note (and an uncharged auto top-up an English sentence of ours); a note finance wrote on
    a payment it had to look at stays. A confirmed transfer's Spanish note goes: the
    timeline says where the payment came from in the reader's language."""
    customer = make_customer()
    pack = make_credit_pack(make_plan())
    declined = make_declined_auto_top_up(customer, pack)
    before = [("billing", "0012_payment_failure_code")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldPayment = executor.loader.project_state(before).apps.get_model("billing", "Payment")

    def failed(note: str, **fields) -> int:
        row = OldPayment.objects.create(
            customer_id=customer.pk,
            amount=Money("50000", "COP"),
            provider="stripe",
            status="failed",
            note=note,
            **fields,
        )
        return row.pk

    stripe_words = failed("Your card was declined.", failure_code="generic_decline")
    uncharged = failed("auto top-up not charged")
    looked_at = failed(
        "Your card was declined.\nRevisado", needs_attention=True, attention_reason="amount"
    )
    OldPayment.objects.filter(pk=declined.payment_id).update(failure_code="", note="Declined.")
    transferred = OldPayment.objects.create(
        customer_id=customer.pk,
        amount=Money("50000", "COP"),
        provider="bank_transfer",
        provider_ref="BANCO-1",
        status="succeeded",
    )
    report = (
        executor.loader.project_state(before)
        .apps.get_model("billing", "BankTransferReport")
        .objects.create(
            customer_id=customer.pk,
            reported_by_id=make_staff_user().pk,
            amount=Money("50000", "COP"),
            transferred_on="2026-12-01",
            reference="BANCO-1",
            credit_pack_id=pack.pk,
            proof="proofs/x.pdf",
            proof_name="x.pdf",
            proof_content_type="application/pdf",
            proof_size=1,
            proof_sha256="0" * 64,
            status="confirmed",
            decided_at=datetime(2026, 12, 2, tzinfo=UTC),
            payment_id=transferred.pk,
        )
    )
    transferred.note = f"Transferencia informada por el cliente (#{report.pk})"
    transferred.save(update_fields=["note"])

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = {
        row.pk: (row.failure_code, row.failure_message, row.note, row.failed_at is not None)
        for row in Payment.objects.all()
    }
    assert rows == {
        stripe_words: ("generic_decline", "Your card was declined.", "", True),
        uncharged: ("not_charged", "", "", True),
        looked_at: ("", "", "Your card was declined.\nRevisado", True),
        declined.payment_id: (declined.failure_code, "Declined.", "", True),
        transferred.pk: ("", "", "", False),
    }
