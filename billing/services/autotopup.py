"""Auto top-up: a saved card charged off-session when available credits fall below a threshold.

1. The customer saves a card through a Stripe SetupIntent (`card_setup_start`, then
   `card_setup_finish` with the intent Stripe.js confirmed): we keep Stripe's payment method
   id and the brand and last four digits Stripe reports, never card data.
2. It chooses a threshold and a pack on sale and turns it on (`auto_top_up_configure`).
3. Whenever its available credits change (`credits.signals.available_credits_changed`, sent
   after commit by every ledger write and hold, and by the hourly low-credits check),
   `auto_top_up_check` runs as a task under the auto top-up row's lock: armed and below the
   threshold is a crossing: counted, disarmed, the pack's invoice drafted, a STARTED
   payment and the crossing's attempt (UNIQUE per crossing) recorded, and the charge task
   enqueued on commit. At or above the threshold with no charge in flight re-arms it. Two
   checks at once: the second waits for the row and finds it disarmed (one charge).
4. `auto_top_up_charge` (task) claims the attempt (a lease, so a second copy does nothing),
   and outside any transaction creates the PaymentIntent with `off_session`, `confirm` and
   the idempotency key `autotopup:<attempt pk>`. Succeeded: the webhook's own path
   (`billing.services.webhooks.payment_intent_succeeded` -> `payment_apply`) issues and pays
   the invoice and lands the credits once, whether the task or the webhook gets there first
   or a webhook is replayed. Declined or needing the customer's authentication: the
   customer is mailed a link to the portal page that completes it; after
   MAX_CONSECUTIVE_FAILURES failed crossings in a row the auto top-up turns itself off and
   the mail and the portal say so.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from background.queue import enqueue_on_commit
from billing import stripe_gateway
from billing.declines import MESSAGE_LENGTH, NOT_CHARGED
from billing.exceptions import (
    PackNotForSale,
    PaymentProviderError,
    PaymentProviderFailed,
    PaymentProviderUnavailable,
)
from billing.locks import auto_top_up_attempt_lock, auto_top_up_lock
from billing.models import AutoTopUp, AutoTopUpAttempt, Payment
from billing.services.payments import topup_invoice_draft
from billing.services.topups import stripe_customer_ensure
from billing.services.webhooks import payment_intent_succeeded
from contracts.models import CreditPack, Customer
from contracts.selectors import contract_get_live, credit_packs_on_sale
from core.amounts import parse_decimal
from core.errors import CreditdeskError, InvalidInput
from credits.models import CreditAccount

logger = logging.getLogger(__name__)

Status = AutoTopUpAttempt.Status
THRESHOLD_MAX = Decimal("10000")
MAX_CONSECUTIVE_FAILURES = 3
# A task that claimed an attempt and died is replaced after this long; its retry calls
# Stripe with the same idempotency key, so Stripe answers with the same intent.
CLAIM_LEASE = timedelta(minutes=10)
# Stripe keeps an idempotency key about a day: a call for the same attempt after that could
# make a second PaymentIntent, so an attempt is charged within this window or not at all.
CHARGE_WINDOW = timedelta(hours=23)
IN_FLIGHT = (Status.STARTED, Status.PENDING)


# Reads.


def auto_top_up_of(customer: Customer) -> AutoTopUp | None:
    return AutoTopUp.objects.select_related("credit_pack").filter(customer=customer).first()


def auto_top_up_attempts(customer: Customer, *, limit: int = 10) -> QuerySet[AutoTopUpAttempt]:
    """The customer's last attempts, newest first, with their payment (paid or not)."""
    return (
        AutoTopUpAttempt.objects.filter(auto_top_up__customer=customer)
        .select_related("payment", "payment__credit_pack", "payment__invoice")
        .order_by("-crossing")[:limit]
    )


def attempt_of_customer(customer: Customer, pk: int) -> AutoTopUpAttempt | None:
    return (
        AutoTopUpAttempt.objects.filter(pk=pk, auto_top_up__customer=customer)
        .select_related("payment", "payment__credit_pack", "auto_top_up")
        .first()
    )


def attempt_shown_status(attempt: AutoTopUpAttempt) -> str:
    """What the customer reads: paid once the payment applied, whoever applied it."""
    if attempt.payment.applied_at is not None:
        return Status.SUCCEEDED
    return attempt.status


def _consecutive_failures(auto_top_up: AutoTopUp) -> int:
    failures = 0
    recent = auto_top_up.attempts.select_related("payment").order_by("-crossing")
    for attempt in recent[: MAX_CONSECUTIVE_FAILURES + 1]:
        if attempt.status not in AutoTopUpAttempt.FAILURES or attempt.payment.applied_at:
            break
        failures += 1
    return failures


def _in_flight(auto_top_up: AutoTopUp) -> bool:
    """A charge started and not yet answered (it may still land credits)."""
    return (
        auto_top_up.attempts.filter(status__in=IN_FLIGHT, payment__applied_at__isnull=True)
        .exclude(payment__status=Payment.Status.FAILED)
        .exists()
    )


# The customer's settings.


def _refusal(field: str, message: Any) -> InvalidInput:
    return InvalidInput({field: [ValidationError(message, code="invalid")]})


def _row_for_update(customer: Customer) -> AutoTopUp:
    AutoTopUp.objects.get_or_create(customer=customer)
    row = auto_top_up_lock(customer.pk)
    assert row is not None  # created just above  # noqa: S101
    return row


def card_setup_start(*, customer: Customer) -> stripe_gateway.IntentResult:
    """A SetupIntent for the customer's Stripe customer; its id is remembered so that only
    this intent can save a card for this customer. Stripe is called outside transactions."""
    if not stripe_gateway.is_configured():
        raise PaymentProviderUnavailable()
    try:
        stripe_customer_id = stripe_customer_ensure(customer)
        intent = stripe_gateway.setup_intent_create(
            customer_id=stripe_customer_id,
            metadata={"creditdesk_customer": str(customer.pk)},
        )
    except PaymentProviderError as error:
        logger.warning("card setup of customer %s failed: %s", customer.pk, error.message("en"))
        raise PaymentProviderFailed(detail=error.params.get("detail", "")) from error
    with transaction.atomic(durable=True):
        row = _row_for_update(customer)
        row.setup_intent_id = intent.id
        row.save(update_fields=["setup_intent_id", "updated_at"])
    return intent


def card_setup_finish(*, customer: Customer, setup_intent_id: str) -> AutoTopUp:
    """Keep the card of the customer's confirmed SetupIntent (payment method id, brand, last
    four). A new card re-arms the crossing, so a declined card's replacement is tried at the
    next check. Refused (field `setup_intent`) for an intent we did not start for this
    customer or that has not succeeded; nothing is written then."""
    setup_intent_id = (setup_intent_id or "").strip()
    row = auto_top_up_of(customer)
    if row is None or not setup_intent_id or setup_intent_id != row.setup_intent_id:
        raise _refusal("setup_intent", _("Este registro de tarjeta no es de su cuenta."))
    try:
        card = stripe_gateway.setup_intent_saved_card(
            setup_intent_id=setup_intent_id, customer_id=stripe_customer_ensure(customer)
        )
    except PaymentProviderError as error:
        raise PaymentProviderFailed(detail=error.params.get("detail", "")) from error
    if card is None:
        raise _refusal("setup_intent", _("La tarjeta no quedó guardada; inténtelo de nuevo."))
    with transaction.atomic(durable=True):
        row = _row_for_update(customer)
        row.payment_method_id = card.payment_method_id
        row.card_brand = card.brand
        row.card_last4 = card.last4
        row.card_saved_at = timezone.now()
        row.setup_intent_id = ""
        row.armed = not _in_flight(row)  # a charge under way re-arms once it is answered
        row.save()
        if row.enabled:
            _check_on_commit(customer.pk)
    return row


def auto_top_up_configure(
    *,
    customer: Customer,
    enabled: bool,
    threshold_credits: object = None,
    credit_pack: CreditPack | None = None,
) -> AutoTopUp:
    """Turn auto top-up on (a threshold above 0 and at most THRESHOLD_MAX, a pack the
    customer's plan has on sale, a saved card) or off. Each refusal names its field and
    writes nothing. Turning it on re-arms it and clears a stop after failures; the check
    runs right after commit (credits may already be below the new threshold)."""
    threshold = None
    if threshold_credits not in (None, ""):
        threshold = parse_decimal(
            threshold_credits, field="threshold_credits", sign="positive", max_digits=12
        )
        if threshold > THRESHOLD_MAX:
            raise _refusal(
                "threshold_credits",
                _("El umbral puede ser de hasta %(max)s créditos.") % {"max": THRESHOLD_MAX},
            )
    if credit_pack is not None:
        contract = contract_get_live(customer=customer)
        if not credit_packs_on_sale(contract=contract).filter(pk=credit_pack.pk).exists():
            raise PackNotForSale(field="credit_pack", pack=credit_pack.name)
    if enabled:
        if threshold is None:
            raise _refusal("threshold_credits", _("Indique el umbral de créditos."))
        if credit_pack is None:
            raise _refusal("credit_pack", _("Elija el paquete que se comprará."))
    with transaction.atomic():
        row = _row_for_update(customer)
        if enabled and not row.payment_method_id:
            raise _refusal("payment_method", _("Guarde primero una tarjeta."))
        if threshold is not None:
            row.threshold_credits = threshold
        if credit_pack is not None:
            row.credit_pack = credit_pack
        if enabled and not row.enabled:
            row.armed = not _in_flight(row)  # a charge under way re-arms once it is answered
            row.disabled_by_failures_at = None
        row.enabled = enabled
        row.save()
        if enabled:
            _check_on_commit(customer.pk)
    return row


def _check_on_commit(customer_id: int) -> None:
    from billing.tasks import auto_top_up_check_task

    enqueue_on_commit(auto_top_up_check_task, customer_id)


# The crossing.


def _available(customer_id: int) -> Decimal:
    account = CreditAccount.objects.filter(customer_id=customer_id).first()
    return account.available if account is not None else Decimal("0")


def auto_top_up_check(*, customer_id: int) -> AutoTopUpAttempt | None:
    """Start the crossing's one charge, or re-arm; returns the attempt started now. Locks the
    auto top-up row (then drafts the invoice and payment); the credits are read unlocked:
    a change that commits after the read sends its own signal and its own check."""
    with transaction.atomic():
        row = auto_top_up_lock(customer_id)
        # An enabled row always has a threshold and a pack (billing_autotopup_enabled_is_complete).
        if (
            row is None
            or not row.enabled
            or row.threshold_credits is None
            or row.credit_pack is None
        ):
            return None
        available = _available(customer_id)
        if available >= row.threshold_credits:
            if not row.armed and not _in_flight(row):
                row.armed = True
                row.save(update_fields=["armed", "updated_at"])
            return None
        if not row.armed:
            return None
        row.armed = False
        row.crossings += 1
        row.save(update_fields=["armed", "crossings", "updated_at"])
        try:
            with transaction.atomic():
                invoice = topup_invoice_draft(customer=row.customer, credit_pack=row.credit_pack)
        except CreditdeskError as error:
            # The pack is no longer on sale (or no live contract): nothing to charge.
            logger.warning("auto top-up of customer %s: %s", customer_id, error.message("en"))
            return None
        payment = Payment.objects.create(
            provider=Payment.Provider.STRIPE,
            status=Payment.Status.STARTED,
            customer=row.customer,
            invoice=invoice,
            credit_pack=row.credit_pack,
            amount=invoice.total,
        )
        attempt = AutoTopUpAttempt.objects.create(
            auto_top_up=row, crossing=row.crossings, payment=payment, available_credits=available
        )
        from billing.tasks import auto_top_up_charge_task

        enqueue_on_commit(auto_top_up_charge_task, attempt.pk)
    return attempt


@dataclass(frozen=True)
class _Claim:
    attempt: AutoTopUpAttempt
    payment_method_id: str
    claimed_at: datetime


def _chargeable(now: datetime) -> QuerySet[AutoTopUpAttempt]:
    """Attempts a charge task may still take: unanswered, and either paid already (a webhook
    applied the payment; the task records it) or still to charge: their auto top-up on (the
    customer may turn it off while one waits), within CHARGE_WINDOW, the payment not
    failed."""
    to_charge = Q(auto_top_up__enabled=True, created_at__gt=now - CHARGE_WINDOW) & ~Q(
        payment__status=Payment.Status.FAILED
    )
    return AutoTopUpAttempt.objects.filter(
        Q(payment__applied_at__isnull=False) | to_charge, status=Status.STARTED
    )


def _unclaimed(now: datetime) -> Q:
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE)


def _claim(attempt_id: int, now: datetime) -> _Claim | None:
    with transaction.atomic():
        claimed = _chargeable(now).filter(_unclaimed(now), pk=attempt_id).update(claimed_at=now)
        if not claimed:
            return None
        attempt = AutoTopUpAttempt.objects.select_related("payment", "auto_top_up__customer").get(
            pk=attempt_id
        )
        return _Claim(
            attempt=attempt,
            payment_method_id=attempt.auto_top_up.payment_method_id,
            claimed_at=now,
        )


class AttemptInFlight(Exception):
    """Another copy of the charge task holds the attempt's claim: this copy checks again
    later (its retry), so a claim whose holder died is taken over once its lease ends."""


def auto_top_up_charge(*, attempt_id: int) -> str:
    """Charge the crossing's attempt once; returns its status. A copy of the task that finds
    it answered does nothing; one that finds it claimed raises `AttemptInFlight`, to look
    again on its retry. Whatever fails after the claim (Stripe, not a card's refusal, or the
    recording of its answer) frees the claim and raises, so the task's retry calls again
    with the same idempotency key, which Stripe answers with the same intent."""
    now = timezone.now()
    claim = _claim(attempt_id, now)
    if claim is None:
        if _chargeable(now).filter(pk=attempt_id).exists():
            raise AttemptInFlight(f"auto top-up attempt {attempt_id} is claimed")
        # answered, or no longer to charge (`auto_top_up_resume` ends it)
        return AutoTopUpAttempt.objects.values_list("status", flat=True).get(pk=attempt_id)
    try:
        return _charge_claimed(claim)
    except Exception:
        # this copy's claim only: a slower copy's failure must not free a newer claim
        AutoTopUpAttempt.objects.filter(
            pk=attempt_id, status=Status.STARTED, claimed_at=claim.claimed_at
        ).update(claimed_at=None)
        raise


def _charge_claimed(claim: _Claim) -> str:
    attempt, payment = claim.attempt, claim.attempt.payment
    customer = attempt.auto_top_up.customer
    if Payment.objects.filter(pk=payment.pk, applied_at__isnull=False).exists():
        # A webhook already applied it (a task that died after Stripe answered).
        return _record_success(attempt.pk, None)
    if not claim.payment_method_id:
        raise PaymentProviderError(detail="no saved card")
    charge = stripe_gateway.payment_intent_off_session(
        amount=payment.amount,
        customer_id=stripe_customer_ensure(customer),
        payment_method_id=claim.payment_method_id,
        metadata={
            "creditdesk_payment": str(payment.pk),
            "creditdesk_customer": str(customer.pk),
            "creditdesk_pack": str(payment.credit_pack_id),
            "creditdesk_invoice": str(payment.invoice_id),
            "creditdesk_auto_top_up": str(attempt.pk),
        },
        idempotency_key=f"autotopup:{attempt.pk}",
    )
    if charge.status == "succeeded":
        return _record_success(attempt.pk, charge)
    if charge.status == "processing":
        with transaction.atomic(durable=True):
            locked = auto_top_up_attempt_lock(attempt.pk)
            _payment_pending(locked, charge)
            if locked.status == Status.STARTED:
                locked.status = Status.PENDING
                locked.payment_intent_id = charge.intent_id
                locked.save(update_fields=["status", "payment_intent_id"])
        return Status.PENDING
    return _record_failure(attempt.pk, charge)


def auto_top_up_resume(*, now: datetime | None = None) -> tuple[int, int]:
    """Attempts still unanswered a lease after they started and not claimed within the last
    lease (their task died with its worker, or ran out of retries): charged again while
    still chargeable (`_chargeable`), ended otherwise (auto top-up turned off meanwhile,
    past CHARGE_WINDOW), so auto top-up can re-arm. Returns (charged again, ended); run
    hourly by `billing_daily`."""
    now = now or timezone.now()
    unanswered = AutoTopUpAttempt.objects.filter(
        _unclaimed(now), status=Status.STARTED, created_at__lt=now - CLAIM_LEASE
    )
    chargeable = _chargeable(now).values("pk")
    waiting = list(unanswered.filter(pk__in=chargeable).values_list("pk", flat=True))
    ended = list(unanswered.exclude(pk__in=chargeable).values_list("pk", flat=True))
    for attempt_id in ended:
        _end_uncharged(attempt_id, now=now)
    from billing.tasks import auto_top_up_charge_task

    for attempt_id in waiting:
        enqueue_on_commit(auto_top_up_charge_task, attempt_id)
    return len(waiting), len(ended)


def _end_uncharged(attempt_id: int, *, now: datetime) -> None:
    """End an attempt no charge will be made for; its payment, never applied, failed."""
    with transaction.atomic():
        locked = auto_top_up_attempt_lock(attempt_id)
        if locked.status != Status.STARTED:
            return
        Payment.objects.filter(
            pk=locked.payment_id, applied_at__isnull=True, status=Payment.Status.STARTED
        ).update(status=Payment.Status.FAILED, failure_code=NOT_CHARGED, failed_at=now)
        locked.status = Status.FAILED
        locked.failure_code = NOT_CHARGED
        locked.finished_at = now
        locked.save(update_fields=["status", "failure_code", "finished_at"])


def _payment_pending(attempt: AutoTopUpAttempt, charge: stripe_gateway.OffSessionCharge) -> None:
    if charge.intent_id:
        Payment.objects.filter(pk=attempt.payment_id, provider_ref="").update(
            provider_ref=charge.intent_id
        )
    Payment.objects.filter(pk=attempt.payment_id, status=Payment.Status.STARTED).update(
        status=Payment.Status.PENDING, raw_payload=charge.raw
    )


def _record_success(attempt_id: int, charge: stripe_gateway.OffSessionCharge | None) -> str:
    with transaction.atomic(durable=True):
        locked = auto_top_up_attempt_lock(attempt_id)
        if charge is not None:
            _payment_pending(locked, charge)
            # The webhook's path: marks the payment succeeded, issues and pays the invoice,
            # lands the credits; a no-op when the webhook got there first.
            payment_intent_succeeded(charge.raw)
            locked.payment_intent_id = charge.intent_id
        locked.status = Status.SUCCEEDED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "payment_intent_id", "finished_at"])
    return Status.SUCCEEDED


def _record_failure(attempt_id: int, charge: stripe_gateway.OffSessionCharge) -> str:
    """A refused card or one that needs the customer: the attempt says which, the customer
    is mailed (a task, once per attempt), and a third failed crossing in a row turns auto
    top-up off. An intent that needs authentication stays pending: the customer may still
    finish it from the portal, and its webhook then lands the credits."""
    needs_customer = charge.status == "requires_action"
    attempt = AutoTopUpAttempt.objects.select_related("auto_top_up").get(pk=attempt_id)
    with transaction.atomic(durable=True):
        row = auto_top_up_lock(attempt.auto_top_up.customer_id)
        locked = auto_top_up_attempt_lock(attempt_id)
        if locked.status != Status.STARTED:
            return locked.status
        now = timezone.now()
        if needs_customer:
            _payment_pending(locked, charge)
        else:
            if charge.intent_id:
                Payment.objects.filter(pk=locked.payment_id, provider_ref="").update(
                    provider_ref=charge.intent_id
                )
            Payment.objects.filter(
                pk=locked.payment_id,
                status__in=[Payment.Status.STARTED, Payment.Status.PENDING],
            ).update(
                status=Payment.Status.FAILED,
                failure_code=charge.error_code,
                failure_message=charge.error_message[:MESSAGE_LENGTH],
                failed_at=now,
                raw_payload=charge.raw,
            )
        locked.status = Status.REQUIRES_ACTION if needs_customer else Status.DECLINED
        locked.payment_intent_id = charge.intent_id
        locked.failure_code = charge.error_code
        locked.failure_message = charge.error_message[:MESSAGE_LENGTH]
        locked.finished_at = now
        locked.save()
        assert row is not None  # noqa: S101 - the attempt's row
        if row.enabled and _consecutive_failures(row) >= MAX_CONSECUTIVE_FAILURES:
            row.enabled = False
            row.disabled_by_failures_at = locked.finished_at
            row.save(update_fields=["enabled", "disabled_by_failures_at", "updated_at"])
        from billing.tasks import send_auto_top_up_failed

        enqueue_on_commit(send_auto_top_up_failed, locked.pk)
    return locked.status


def attempt_completion_secret(attempt: AutoTopUpAttempt) -> str:
    """The client secret the portal's Stripe.js needs to let the customer authenticate an
    attempt's payment; empty when there is nothing left to complete."""
    if (
        attempt.status != Status.REQUIRES_ACTION
        or not attempt.payment_intent_id
        or attempt.payment.applied_at is not None
        or not stripe_gateway.is_configured()
    ):
        return ""
    try:
        status, secret = stripe_gateway.payment_intent_client_secret(attempt.payment_intent_id)
    except PaymentProviderError:
        return ""
    return secret if status in ("requires_action", "requires_payment_method") else ""


# The mail when a charge fails.

FAILED_SUBJECT = (
    "No pudimos completar su recarga automática de créditos",
    "We could not complete your automatic credit top-up",
)
FAILED_KIND = "auto_top_up_failed"


def send_auto_top_up_failed(attempt_id: int) -> int:
    """Mail the billing address and the authorized contacts (each in their language) a
    failed attempt, with the link that completes it and whether auto top-up turned itself
    off: once per attempt and recipient (`mail_once`). Returns the mails sent now."""
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from background.mail import mail_once
    from core.formatting import money_text
    from core.languages import in_language

    attempt = AutoTopUpAttempt.objects.select_related(
        "auto_top_up__customer", "payment__credit_pack"
    ).get(pk=attempt_id)
    if attempt.status not in AutoTopUpAttempt.FAILURES or attempt.payment.applied_at:
        return 0
    row, customer = attempt.auto_top_up, attempt.auto_top_up.customer
    turned_off = (
        not row.enabled
        and row.disabled_by_failures_at is not None
        and row.disabled_by_failures_at == attempt.finished_at
    )
    recipients = {customer.billing_email.lower(): customer.language}
    for contact in customer.contacts.filter(can_request=True):
        recipients.setdefault(contact.email.lower(), contact.preferred_language)
    url = settings.SITE_URL + reverse("web:auto-top-up-attempt", args=[attempt.pk])
    sent = 0
    for address, language in sorted(recipients.items()):
        with translation.override(language):
            body = render_to_string(
                f"billing/email/auto_top_up_failed.{language}.txt",
                {
                    "customer": customer,
                    "needs_action": attempt.status == Status.REQUIRES_ACTION,
                    "pack": attempt.payment.credit_pack.name if attempt.payment.credit_pack else "",
                    "amount": money_text(attempt.payment.amount, language=language),
                    "card": f"{row.card_brand} ···· {row.card_last4}".strip(),
                    "failure_code": attempt.failure_code,
                    "failure_message": attempt.failure_message,
                    "turned_off": turned_off,
                    "failures": MAX_CONSECUTIVE_FAILURES,
                    "url": url,
                },
            )
        message = EmailMessage(
            subject=in_language(*FAILED_SUBJECT, language),
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        sent += mail_once(message, kind=FAILED_KIND, about=attempt.pk)
    return sent
