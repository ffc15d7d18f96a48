"""Auto top-up: saved cards (SetupIntent), off-session charges once per crossing, declines and
authentication, the webhook in any order and replayed. Stripe is the real library against
localstripe; mail is Django's outbox."""

import io
import json
import socket
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import stripe
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from djmoney.money import Money

from billing import stripe_gateway
from billing.exceptions import PackNotForSale, PaymentProviderError
from billing.models import AutoTopUp, AutoTopUpAttempt, Invoice, Payment, StripeEvent
from billing.services import autotopup
from billing.services.autotopup import (
    AttemptInFlight,
    auto_top_up_charge,
    auto_top_up_check,
    auto_top_up_configure,
    card_setup_finish,
    card_setup_start,
)
from billing.tasks import auto_top_up_charge_task
from core.amounts import InvalidAmount
from core.errors import InvalidInput
from credits.models import LedgerEntry
from credits.services import (
    credit_account_get_or_create,
    credits_charge,
    credits_lapse_due,
    credits_top_up,
)
from tests.billing.conftest import SECRET_KEY, make_event
from tests.factories import (
    make_contact,
    make_contract,
    make_credit_pack,
    make_declined_auto_top_up,
    make_plan,
    make_portal_user,
)

OK_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"  # saves fine, every charge is declined
AUTH_CARD = "4000002500003155"  # the bank asks the customer to authenticate each charge

Status = AutoTopUpAttempt.Status


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stripe_client(settings) -> stripe.StripeClient:
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})


def browser_saves_card(settings, client_secret: str, card: str) -> str:
    """What Stripe.js does on the card page: confirm the SetupIntent with the typed card."""
    client = stripe_client(settings)
    method = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": card, "exp_month": "12", "exp_year": "2030", "cvc": "123"},
        }
    )
    intent_id = client_secret.split("_secret_")[0]
    confirmed = client.v1.setup_intents.confirm(intent_id, params={"payment_method": method.id})
    if confirmed.status == "requires_action":  # 3-D Secure: the customer completes it
        confirmed = client.v1.setup_intents.confirm(intent_id)
    assert confirmed.status == "succeeded"
    return intent_id


def customer_with_card(settings, *, card: str = OK_CARD, credits: str = "8"):
    """A customer on a prepaid plan with `credits`, a saved card and auto top-up on at 5
    credits with a 10-credit pack (900 000 COP + 19 % IVA)."""
    contract = make_contract()
    make_contact(contract.customer, language="en")
    pack = make_credit_pack(contract.plan, credits=Decimal("10"), price=Money("900000", "COP"))
    account = credit_account_get_or_create(customer=contract.customer)
    credits_top_up(account=account, credits=credits)
    started = card_setup_start(customer=contract.customer)
    intent_id = browser_saves_card(settings, started.client_secret, card)
    card_setup_finish(customer=contract.customer, setup_intent_id=intent_id)
    auto_top_up_configure(
        customer=contract.customer, enabled=True, threshold_credits="5", credit_pack=pack
    )
    return contract, pack, account


def crossing_started(settings):
    """A customer with a saved card whose credits just fell to 4, below its threshold of
    5: the contract and the crossing's attempt, not charged yet."""
    contract, _pack, account = customer_with_card(settings)
    spend(account, "4")
    return contract, auto_top_up_check(customer_id=contract.customer.pk)


def intents_of(settings, customer) -> list[str]:
    """The PaymentIntents Stripe holds for the customer (localstripe lists them all)."""
    listed = stripe_client(settings).v1.payment_intents.list(params={"limit": 100})
    return [
        intent.id
        for intent in listed.auto_paging_iter()
        if intent.to_dict().get("customer") == customer.stripe.stripe_id
    ]


def spend(account, credits: str) -> None:
    credits_charge(account=account, credits=credits, reason="trabajo")


def top_ups(customer) -> list[Decimal]:
    return list(
        LedgerEntry.objects.filter(account__customer=customer, kind="top_up")
        .order_by("sequence")
        .values_list("credits", flat=True)
    )


# Settings and their bounds.


@pytest.mark.django_db
def test_configure_refuses_out_of_bounds_input_by_field_and_writes_nothing(stripe_settings):
    contract = make_contract()
    pack = make_credit_pack(contract.plan)
    other_plans_pack = make_credit_pack(make_plan())
    customer = contract.customer

    cases = [
        ({"threshold_credits": "0", "credit_pack": pack}, InvalidAmount, "threshold_credits"),
        ({"threshold_credits": "-3", "credit_pack": pack}, InvalidAmount, "threshold_credits"),
        ({"threshold_credits": "1.234", "credit_pack": pack}, InvalidAmount, "threshold_credits"),
        ({"threshold_credits": "abc", "credit_pack": pack}, InvalidAmount, "threshold_credits"),
        ({"threshold_credits": "10000.01", "credit_pack": pack}, InvalidInput, "threshold_credits"),
        (
            {"threshold_credits": "5", "credit_pack": other_plans_pack},
            PackNotForSale,
            "credit_pack",
        ),
        ({"threshold_credits": None, "credit_pack": pack}, InvalidInput, "threshold_credits"),
        ({"threshold_credits": "5", "credit_pack": None}, InvalidInput, "credit_pack"),
        # everything right but no saved card yet
        ({"threshold_credits": "5", "credit_pack": pack}, InvalidInput, "payment_method"),
    ]
    for fields, refusal, field in cases:
        with pytest.raises(refusal) as caught:
            auto_top_up_configure(customer=customer, enabled=True, **fields)
        assert caught.value.field == field, fields
        assert caught.value.message("es")
        assert caught.value.message("en")
    assert not AutoTopUp.objects.exists()

    # turning it off needs nothing, and keeps a valid threshold for later
    row = auto_top_up_configure(customer=customer, enabled=False, threshold_credits="10000")
    assert (row.enabled, row.threshold_credits) == (False, Decimal("10000.00"))


@pytest.mark.django_db
def test_saved_card_via_setup_intent_keeps_only_a_reference_brand_and_last4(
    settings, stripe_settings
):
    contract = make_contract()
    started = card_setup_start(customer=contract.customer)
    assert started.id.startswith("seti_")
    assert started.client_secret

    # an intent of ours that nobody confirmed saves nothing
    with pytest.raises(InvalidInput) as caught:
        card_setup_finish(customer=contract.customer, setup_intent_id=started.id)
    assert caught.value.field == "setup_intent"

    intent_id = browser_saves_card(settings, started.client_secret, OK_CARD)
    row = card_setup_finish(customer=contract.customer, setup_intent_id=intent_id)

    assert row.payment_method_id.startswith("pm_")
    assert (row.card_brand, row.card_last4) == ("visa", "4242")
    assert OK_CARD not in json.dumps(list(AutoTopUp.objects.values()), default=str)
    method = stripe_client(settings).v1.payment_methods.retrieve(row.payment_method_id)
    assert method.customer == contract.customer.stripe.stripe_id

    # another customer cannot save this intent's card as theirs, nor replay it here
    other = make_contract()
    card_setup_start(customer=other.customer)
    with pytest.raises(InvalidInput) as caught:
        card_setup_finish(customer=other.customer, setup_intent_id=intent_id)
    assert caught.value.field == "setup_intent"
    with pytest.raises(InvalidInput):
        card_setup_finish(customer=contract.customer, setup_intent_id=intent_id)


# One crossing, one charge.


@pytest.mark.django_db
def test_crossing_charges_the_card_off_session_once_and_rearms_above_the_threshold(
    settings, stripe_settings
):
    # given 8 credits, a threshold of 5
    contract, _pack, account = customer_with_card(settings)
    customer = contract.customer
    assert auto_top_up_check(customer_id=customer.pk) is None  # above: nothing

    # when a charge takes available credits to 4
    spend(account, "4")
    attempt = auto_top_up_check(customer_id=customer.pk)

    # then one crossing, one draft invoice and payment, and no second attempt while below
    assert attempt is not None
    assert attempt.crossing == 1
    assert attempt.available_credits == Decimal("4.00")
    assert auto_top_up_check(customer_id=customer.pk) is None
    assert AutoTopUpAttempt.objects.count() == 1

    # when the task charges it off-session, twice
    assert auto_top_up_charge(attempt_id=attempt.pk) == Status.SUCCEEDED
    assert auto_top_up_charge(attempt_id=attempt.pk) == Status.SUCCEEDED

    # then one PaymentIntent, the invoice issued and paid, the credits landed once
    attempt.refresh_from_db()
    payment = attempt.payment
    intent = stripe_client(settings).v1.payment_intents.retrieve(attempt.payment_intent_id)
    assert intent.status == "succeeded"
    assert intent.metadata["creditdesk_auto_top_up"] == str(attempt.pk)
    assert payment.provider_ref == intent.id
    assert payment.applied_at is not None
    assert payment.amount == Money("1071000", "COP")
    assert Invoice.objects.get(pk=payment.invoice_id).status == Invoice.Status.PAID
    assert top_ups(customer) == [Decimal("8.00"), Decimal("10.00")]

    # credits back above the threshold re-arm it: the next drop is a new crossing
    assert auto_top_up_check(customer_id=customer.pk) is None
    assert AutoTopUp.objects.get(customer=customer).armed
    spend(account, "10")  # 14 -> 4
    second = auto_top_up_check(customer_id=customer.pk)
    assert second is not None
    assert second.crossing == 2


@pytest.mark.django_db
def test_the_charge_task_run_twice_calls_stripe_once(settings, stripe_settings):
    contract, attempt = crossing_started(settings)

    # a copy of the task that finds the attempt claimed (another copy is calling) calls
    # nothing and looks again on its retry
    AutoTopUpAttempt.objects.filter(pk=attempt.pk).update(claimed_at=timezone.now())
    with pytest.raises(AttemptInFlight):
        auto_top_up_charge(attempt_id=attempt.pk)
    assert Payment.objects.get(pk=attempt.payment_id).provider_ref == ""
    AutoTopUpAttempt.objects.filter(pk=attempt.pk).update(claimed_at=None)

    # the task enqueued twice (run at once by the immediate backend)
    auto_top_up_charge_task.enqueue(attempt.pk)
    auto_top_up_charge_task.enqueue(attempt.pk)

    assert len(intents_of(settings, contract.customer)) == 1
    assert top_ups(contract.customer) == [Decimal("8.00"), Decimal("10.00")]


@pytest.mark.django_db
def test_an_attempt_whose_task_died_is_charged_by_the_hourly_upkeep(
    settings, stripe_settings, django_capture_on_commit_callbacks
):
    contract, attempt = crossing_started(settings)
    task_died(attempt, minutes_ago=11)
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("billing_daily", stdout=out)

    assert "1 auto top-ups charged again" in out.getvalue()
    attempt.refresh_from_db()
    assert attempt.status == Status.SUCCEEDED
    assert len(intents_of(settings, contract.customer)) == 1
    assert top_ups(contract.customer) == [Decimal("8.00"), Decimal("10.00")]


@pytest.mark.django_db
def test_an_attempt_claimed_within_its_lease_is_left_to_its_task(settings, stripe_settings):
    contract, attempt = crossing_started(settings)
    AutoTopUpAttempt.objects.filter(pk=attempt.pk).update(
        created_at=timezone.now() - timedelta(minutes=11),
        claimed_at=timezone.now() - timedelta(minutes=1),
    )

    assert autotopup.auto_top_up_resume() == (0, 0)

    assert AutoTopUpAttempt.objects.get(pk=attempt.pk).status == Status.STARTED
    assert intents_of(settings, contract.customer) == []


def task_died(attempt, *, minutes_ago: int) -> None:
    """The worker that claimed `attempt` died before Stripe answered, `minutes_ago`."""
    then = timezone.now() - timedelta(minutes=minutes_ago)
    AutoTopUpAttempt.objects.filter(pk=attempt.pk).update(created_at=then, claimed_at=then)


@pytest.mark.django_db
@pytest.mark.parametrize("why", ["turned off", "a day late"])
def test_an_attempt_no_longer_to_charge_is_ended_uncharged(settings, stripe_settings, why):
    contract, attempt = crossing_started(settings)
    if why == "turned off":
        task_died(attempt, minutes_ago=11)
        auto_top_up_configure(customer=contract.customer, enabled=False)
    else:  # past Stripe's idempotency window: a call now could charge a second time
        task_died(attempt, minutes_ago=23 * 60 + 1)

    assert autotopup.auto_top_up_resume() == (0, 1)

    attempt.refresh_from_db()
    assert (attempt.status, attempt.failure_code) == (Status.FAILED, "not_charged")
    # the customer's payment page says why in their words: the code, not an English note
    uncharged = Payment.objects.get(pk=attempt.payment_id)
    assert (uncharged.status, uncharged.failure_code, uncharged.note) == (
        Payment.Status.FAILED,
        "not_charged",
        "",
    )
    assert auto_top_up_charge(attempt_id=attempt.pk) == Status.FAILED  # a late copy of the task
    assert intents_of(settings, contract.customer) == []


@pytest.mark.django_db
def test_a_card_saved_or_auto_top_up_turned_on_during_a_charge_starts_no_second_crossing(
    settings, stripe_settings
):
    contract, attempt = crossing_started(settings)
    customer = contract.customer
    auto_top_up_configure(customer=customer, enabled=False)
    auto_top_up_configure(
        customer=customer,
        enabled=True,
        threshold_credits="5",
        credit_pack=attempt.payment.credit_pack,
    )
    started = card_setup_start(customer=customer)
    card_setup_finish(
        customer=customer,
        setup_intent_id=browser_saves_card(settings, started.client_secret, OK_CARD),
    )

    assert not AutoTopUp.objects.get(customer=customer).armed
    assert auto_top_up_check(customer_id=customer.pk) is None  # still below: no new crossing
    assert auto_top_up_charge(attempt_id=attempt.pk) == Status.SUCCEEDED
    assert len(intents_of(settings, customer)) == 1


@pytest.mark.django_db
def test_stripe_unreachable_frees_the_claim_for_the_retry(settings, stripe_settings):
    _contract, attempt = crossing_started(settings)
    localstripe = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{unused_port()}"

    with pytest.raises(PaymentProviderError):
        auto_top_up_charge(attempt_id=attempt.pk)

    assert AutoTopUpAttempt.objects.get(pk=attempt.pk).claimed_at is None
    settings.STRIPE_API_BASE = localstripe  # back by the retry
    assert auto_top_up_charge(attempt_id=attempt.pk) == Status.SUCCEEDED


@pytest.mark.django_db
def test_a_charge_or_hold_below_the_threshold_starts_the_crossing_through_the_signal(
    settings, stripe_settings, django_capture_on_commit_callbacks
):
    contract, _pack, account = customer_with_card(settings)
    # when credits are spent (the signal is sent on commit; the tasks run at once)
    with django_capture_on_commit_callbacks(execute=True):
        spend(account, "1")  # 7: above the threshold, nothing
    assert not AutoTopUpAttempt.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        spend(account, "3")  # 4: below

    # then the card was charged and the credits landed
    attempt = AutoTopUpAttempt.objects.get()
    assert attempt.status == Status.SUCCEEDED
    assert top_ups(contract.customer) == [Decimal("8.00"), Decimal("10.00")]


@pytest.mark.django_db
def test_credits_that_lapse_below_the_threshold_start_the_crossing_at_once(
    settings, stripe_settings, django_capture_on_commit_callbacks
):
    contract, _pack, account = customer_with_card(settings, credits="2")
    expires_at = timezone.now() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        credits_top_up(account=account, credits="6", expires_at=expires_at)  # 8: above
    assert not AutoTopUpAttempt.objects.exists()

    # when the six credits lapse (the expiry job), two are left: below the threshold of 5
    with django_capture_on_commit_callbacks(execute=True):
        credits_lapse_due(account=account, at=expires_at + timedelta(seconds=1))

    attempt = AutoTopUpAttempt.objects.get()
    assert attempt.status == Status.SUCCEEDED
    assert top_ups(contract.customer) == [Decimal("2.00"), Decimal("6.00"), Decimal("10.00")]


# Declined and authentication-required charges.


@pytest.mark.django_db
def test_a_declined_card_mails_the_customer_and_three_failed_crossings_turn_it_off(
    settings, stripe_settings, django_capture_on_commit_callbacks
):
    contract, _pack, account = customer_with_card(settings, card=DECLINED_CARD)
    customer = contract.customer
    mail.outbox.clear()

    for crossing in (1, 2, 3):
        spend(account, "4" if crossing == 1 else "10")  # to 4: below the threshold
        with django_capture_on_commit_callbacks(execute=True):
            attempt = auto_top_up_check(customer_id=customer.pk)
        attempt.refresh_from_db()
        assert (attempt.crossing, attempt.status) == (crossing, Status.DECLINED)
        assert attempt.failure_code == "card_declined"
        assert (attempt.payment.status, attempt.payment.failure_code) == (
            Payment.Status.FAILED,
            "card_declined",
        )
        assert attempt.payment.applied_at is None
        # still low: no second charge for the same crossing
        assert auto_top_up_check(customer_id=customer.pk) is None
        if crossing < 3:
            assert AutoTopUp.objects.get(customer=customer).enabled
            credits_top_up(account=account, credits="10")
            assert auto_top_up_check(customer_id=customer.pk) is None  # re-armed

    row = AutoTopUp.objects.get(customer=customer)
    assert row.enabled is False
    assert row.disabled_by_failures_at is not None
    assert top_ups(customer) == [Decimal("8.00"), Decimal("10.00"), Decimal("10.00")]

    # each failure mailed the billing address and the contact once, in their language
    subjects = [(m.to[0], m.subject) for m in mail.outbox]
    assert len(subjects) == 6
    spanish = [m for m in mail.outbox if m.to == [customer.billing_email]]
    english = [m for m in mail.outbox if m.to != [customer.billing_email]]
    assert all("recarga automática" in m.subject for m in spanish)
    assert all("automatic credit top-up" in m.subject for m in english)
    link = f"/portal/credits/auto-top-up/attempts/{attempt.pk}/"
    assert link in spanish[-1].body
    assert "visa ···· 0341" in spanish[-1].body
    assert "quedó desactivada" in spanish[-1].body
    assert "turned off" in english[-1].body
    assert "desactivada" not in spanish[0].body
    # why, in the reader's language: Stripe's English is not run into a Spanish mail
    assert "visa ···· 0341. Su banco rechazó el pago sin dar el motivo." in spanish[0].body
    assert "Your card was declined" not in spanish[0].body
    assert "Your bank declined the payment without giving a reason." in english[0].body

    # the mail task run again sends nothing more
    assert autotopup.send_auto_top_up_failed(attempt.pk) == 0


@pytest.mark.django_db
def test_a_decline_we_have_no_words_for_is_quoted_in_the_mail_as_the_providers_english():
    contract = make_contract()
    pack = make_credit_pack(contract.plan)
    attempt = make_declined_auto_top_up(
        contract.customer,
        pack,
        failure_code="brand_new_reason",
        failure_message="Your card's issuer said no.",
    )
    mail.outbox.clear()

    assert autotopup.send_auto_top_up_failed(attempt.pk) == 1

    # the text as Stripe wrote it: a plain-text mail escapes nothing
    body = mail.outbox[0].body
    assert 'visa ···· 0341. Detalle (en inglés): "Your card\'s issuer said no."' in body


@pytest.mark.django_db
def test_a_charge_the_bank_wants_authorized_waits_for_the_customer_then_lands_once(
    settings, stripe_settings, post_event, django_capture_on_commit_callbacks
):
    contract, _pack, account = customer_with_card(settings, card=AUTH_CARD)
    customer = contract.customer
    mail.outbox.clear()
    spend(account, "4")
    with django_capture_on_commit_callbacks(execute=True):
        attempt = auto_top_up_check(customer_id=customer.pk)
    attempt.refresh_from_db()

    # the attempt waits for the customer; its payment stays pending with the intent
    assert attempt.status == Status.REQUIRES_ACTION
    assert attempt.payment.status == Payment.Status.PENDING
    assert attempt.payment.provider_ref == attempt.payment_intent_id
    spanish = next(m for m in mail.outbox if m.to == [customer.billing_email])
    assert f"/portal/credits/auto-top-up/attempts/{attempt.pk}/" in spanish.body
    assert "autorice" in spanish.body
    secret = autotopup.attempt_completion_secret(attempt)
    assert secret.startswith(attempt.payment_intent_id)
    # the attempt's page opens for the customer's contacts only: another's is a 404
    page = f"/portal/credits/auto-top-up/attempts/{attempt.pk}/"
    web = Client()
    web.force_login(make_portal_user(make_contact(customer=customer, email="own@example.com")))
    assert web.get(page).status_code == 200
    web.force_login(make_portal_user(make_contact(email="other@example.com")))
    assert web.get(page).status_code == 404

    # when the customer authenticates in the portal (Stripe.js) and the webhook arrives twice
    client = stripe_client(settings)
    client.raw_request(
        "post",
        f"/v1/payment_intents/{attempt.payment_intent_id}/_authenticate",
        client_secret=secret,
        success="true",
    )
    intent = client.v1.payment_intents.retrieve(attempt.payment_intent_id).to_dict()
    assert intent["status"] == "succeeded"
    event = make_event(
        "payment_intent.succeeded", intent, event_id="evt_auth_1", created=int(time.time())
    )
    assert post_event(event).status_code == 200
    assert post_event(event).status_code == 200

    # then the credits landed once and the portal shows it paid
    assert top_ups(customer) == [Decimal("8.00"), Decimal("10.00")]
    attempt.refresh_from_db()
    assert autotopup.attempt_shown_status(attempt) == Status.SUCCEEDED
    assert autotopup.attempt_completion_secret(attempt) == ""
    assert StripeEvent.objects.get(event_id="evt_auth_1").processed_at is not None


# The webhook before, after, and replayed.


@pytest.mark.django_db
def test_webhook_before_the_task_records_its_answer_lands_the_credits_once(
    settings, stripe_settings, post_event
):
    contract, pack, account = customer_with_card(settings)
    spend(account, "4")
    attempt = auto_top_up_check(customer_id=contract.customer.pk)

    # Stripe charges (as the task's call does) and its webhook arrives first
    payment = attempt.payment
    charge = stripe_gateway.payment_intent_off_session(
        amount=payment.amount,
        customer_id=contract.customer.stripe.stripe_id,
        payment_method_id=attempt.auto_top_up.payment_method_id,
        metadata={
            "creditdesk_payment": str(payment.pk),
            "creditdesk_customer": str(contract.customer.pk),
            "creditdesk_pack": str(pack.pk),
        },
        idempotency_key=f"autotopup:{attempt.pk}",
    )
    assert charge.status == "succeeded"
    event = make_event(
        "payment_intent.succeeded", charge.raw, event_id="evt_first", created=int(time.time())
    )
    assert post_event(event).status_code == 200
    assert top_ups(contract.customer) == [Decimal("8.00"), Decimal("10.00")]

    # then the task (a retry after it died) finds it applied and does not charge again
    assert auto_top_up_charge(attempt_id=attempt.pk) == Status.SUCCEEDED
    assert len(intents_of(settings, contract.customer)) == 1
    assert top_ups(contract.customer) == [Decimal("8.00"), Decimal("10.00")]


@pytest.mark.django_db
def test_webhook_after_the_task_and_replayed_changes_nothing(settings, stripe_settings, post_event):
    contract, attempt = crossing_started(settings)
    assert auto_top_up_charge(attempt_id=attempt.pk) == Status.SUCCEEDED
    attempt.refresh_from_db()
    intent = stripe_client(settings).v1.payment_intents.retrieve(attempt.payment_intent_id)

    event = make_event(
        "payment_intent.succeeded", intent.to_dict(), event_id="evt_after", created=int(time.time())
    )
    again = make_event(
        "payment_intent.succeeded", intent.to_dict(), event_id="evt_again", created=int(time.time())
    )
    for payload in (event, event, again):
        assert post_event(payload).status_code == 200

    assert top_ups(contract.customer) == [Decimal("8.00"), Decimal("10.00")]
    assert Invoice.objects.filter(customer=contract.customer, status="paid").count() == 1
    assert not Payment.objects.filter(needs_attention=True).exists()


@pytest.mark.django_db(transaction=True)
def test_end_to_end_localstripe_sends_its_own_webhook(settings, localstripe_webhooks):
    # given a customer whose card is saved, with the tasks running as they are enqueued
    contract, _pack, account = customer_with_card(settings)

    # when a charge takes the credits below the threshold
    spend(account, "4")

    # then the card is charged off-session and localstripe's signed webhook arrives too
    attempt = AutoTopUpAttempt.objects.get()
    assert attempt.status == Status.SUCCEEDED
    deadline = time.monotonic() + 15
    while not StripeEvent.objects.filter(
        type="payment_intent.succeeded", processed_at__isnull=False
    ).exists():
        assert time.monotonic() < deadline, list(StripeEvent.objects.values("type", "error"))
        time.sleep(0.2)
    assert top_ups(contract.customer) == [Decimal("8.00"), Decimal("10.00")]
    assert Payment.objects.get(pk=attempt.payment_id).applied_at is not None
