"""Stripe webhooks: store the event once, then process it, then record the outcome on the row.

The view has already verified the signature. Outcomes:
- "processed": handled now (including payments that did not fit: a payment whose amount or
  currency differs from its invoice is refused, stays unpaid and is flagged for finance; one
  we cannot place is kept, flagged, never credited);
- "replay": this event id was processed before; nothing happens;
- "pending": it names something we do not have yet (a subscription still being recorded); it
  is kept and `stripe_events_replay_pending` processes it later, or rejects it a day after
  it arrived;
- "rejected": the payload made no sense (missing fields, a payment we cannot place); the error
  is on the row for a person to read. None of these is a server error: Stripe gets a 2xx.
Anything else (the database is down) propagates so Stripe retries the delivery.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from djmoney.money import Money

from billing import stripe_gateway
from billing.declines import MESSAGE_LENGTH, decline_code
from billing.locks import invoice_lock, payment_lock, stripe_event_lock
from billing.models import Payment, StripeCustomer, StripeEvent
from billing.selectors import amount_misfit
from billing.services import refunds, subscriptions
from billing.services.payments import flag_locked, payment_apply
from billing.services.subscriptions import EventNotReady
from contracts.models import CreditPack, Customer
from contracts.services import customer_today
from core.amounts import InvalidAmount, parse_money
from core.errors import CreditdeskError
from core.text import row_id

# An event without a time counts as the oldest, so it never overrides a dated one.
UNDATED_EVENT = datetime(1970, 1, 1, tzinfo=UTC)

Attention = Payment.Attention
BAD_INPUT = (KeyError, TypeError, ValueError, AttributeError, CreditdeskError)
AMOUNT_DIGITS = Payment._meta.get_field("amount").max_digits


def _int(value: Any) -> int | None:
    return row_id(value or "")


def _received(obj: dict[str, Any]) -> Money:
    """What Stripe says arrived; a currency outside settings.CURRENCIES is a ValueError, an
    amount our payment column cannot hold (or not above zero) an InvalidAmount."""
    currency = str(obj["currency"]).upper()
    if currency not in settings.CURRENCIES:
        raise ValueError(f"currency {currency!r} is not one we bill in")
    units = obj.get("amount_received") or obj.get("amount") or 0
    received = stripe_gateway.from_stripe_amount(int(units), currency)
    return parse_money(
        received, field="amount", currency=currency, sign="positive", max_digits=AMOUNT_DIGITS
    )


def _payment_for_intent(obj: dict[str, Any]) -> Payment | None:
    payment = Payment.objects.filter(
        provider=Payment.Provider.STRIPE, provider_ref=obj["id"]
    ).first()
    if payment is None:
        ours = _int((obj.get("metadata") or {}).get("creditdesk_payment"))
        if ours is not None:
            payment = Payment.objects.filter(
                pk=ours, provider=Payment.Provider.STRIPE, provider_ref__in=["", obj["id"]]
            ).first()
    return payment


def _day_of(customer: Customer | None) -> date:
    """The day a payment is dated: the customer's, or UTC's for one we cannot place."""
    return customer_today(customer) if customer is not None else timezone.localdate()


def _record_unknown_intent(obj: dict[str, Any], amount: Money | None, detail: str) -> None:
    """A payment we did not start (or cannot place): kept for finance, never credited."""
    metadata = obj.get("metadata") or {}
    customer = None
    stripe_customer = obj.get("customer")
    if stripe_customer:
        mapping = StripeCustomer.objects.filter(stripe_id=stripe_customer).first()
        customer = mapping.customer if mapping else None
    customer_id = _int(metadata.get("creditdesk_customer"))
    if customer is None and customer_id:
        customer = Customer.objects.filter(pk=customer_id).first()
    pack = None
    pack_id = _int(metadata.get("creditdesk_pack"))
    if pack_id:
        pack = CreditPack.objects.filter(pk=pack_id).first()
    if customer is None:
        reason = Attention.UNKNOWN_CUSTOMER
    elif metadata.get("creditdesk_pack") and pack is None:
        reason = Attention.UNKNOWN_PACK
    elif amount is None:
        reason = Attention.CURRENCY_MISMATCH
    else:
        reason = Attention.UNKNOWN_PAYMENT
    if amount is None:
        currency = customer.currency if customer else "USD"
        amount = Money(0, currency)
    try:
        with transaction.atomic():
            Payment.objects.create(
                provider=Payment.Provider.STRIPE,
                provider_ref=obj["id"],
                status=Payment.Status.SUCCEEDED,
                customer=customer,
                credit_pack=pack,
                amount=amount,
                received_on=_day_of(customer),
                needs_attention=True,
                attention_reason=reason,
                attention_detail=detail,
                raw_payload=obj,
            )
    except IntegrityError:
        pass  # the same intent, seen through another event id: already recorded


def _on_intent_succeeded(obj: dict[str, Any], event_at: datetime) -> None:
    metadata = obj.get("metadata") or {}
    if not metadata.get("creditdesk_payment") and obj.get("invoice"):
        return  # a subscription invoice's intent: the invoice events handle it
    try:
        amount = _received(obj)
    except InvalidAmount:
        raise
    except (ValueError, LookupError):
        _record_unknown_intent(obj, None, f"currency {obj.get('currency')!r} is not one we know")
        return
    payment = _payment_for_intent(obj)
    if payment is None:
        _record_unknown_intent(obj, amount, "no payment of ours for this PaymentIntent")
        return
    with transaction.atomic():
        invoice = invoice_lock(payment.invoice_id) if payment.invoice_id else None
        locked = payment_lock(payment.pk)
        misfit = amount_misfit(amount, invoice) if invoice is not None else None
        if misfit and locked.applied_at is None and locked.status != Payment.Status.SUCCEEDED:
            # Refused: the payment keeps what we asked for and stays unpaid; finance sees why.
            flag_locked(locked, *misfit)
            return
        if locked.applied_at is None and locked.status != Payment.Status.SUCCEEDED:
            locked.provider_ref = obj["id"]
            locked.status = Payment.Status.SUCCEEDED
            # an earlier decline, then a card that paid
            locked.failure_code, locked.failure_message, locked.failed_at = "", "", None
            locked.amount = amount
            locked.received_on = _day_of(locked.customer)
            locked.raw_payload = obj
            locked.save()
            pack = _int(metadata.get("creditdesk_pack"))
            if pack != locked.credit_pack_id:
                flag_locked(
                    locked,
                    Attention.UNKNOWN_PACK,
                    f"metadata names pack {metadata.get('creditdesk_pack')!r}, "
                    f"the payment was for pack {locked.credit_pack_id}",
                )
            customer = _int(metadata.get("creditdesk_customer"))
            if customer != locked.customer_id:
                flag_locked(
                    locked,
                    Attention.UNKNOWN_CUSTOMER,
                    f"metadata names customer {metadata.get('creditdesk_customer')!r}",
                )
    payment_apply(locked)


def payment_intent_succeeded(obj: dict[str, Any]) -> None:
    """What a `payment_intent.succeeded` webhook does, for a caller that learnt of the
    success from Stripe's answer (an off-session charge): our payment is marked succeeded
    and applied once, whichever of the two comes first."""
    _on_intent_succeeded(obj, timezone.now())


def _on_intent_failed(obj: dict[str, Any], event_at: datetime) -> None:
    payment = _payment_for_intent(obj)
    if payment is None:
        return
    error = obj.get("last_payment_error") or {}
    # The latest decline is the one told: another card refused on the same intent replaces
    # the first, and an older event that arrives late changes nothing.
    Payment.objects.filter(
        Q(status__in=[Payment.Status.STARTED, Payment.Status.PENDING])
        | Q(status=Payment.Status.FAILED, failed_at__lt=event_at),
        pk=payment.pk,
    ).update(
        status=Payment.Status.FAILED,
        failure_code=decline_code(error),
        failure_message=str(error.get("message") or "")[:MESSAGE_LENGTH],
        failed_at=event_at,
        provider_ref=obj["id"],
        raw_payload=obj,
    )


def _on_charge_refunded(obj: dict[str, Any], event_at: datetime) -> None:
    refunds.refunds_from_stripe_charge(obj)


Handler = Callable[[dict[str, Any], datetime], None]

HANDLERS: dict[str, Handler] = {
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "invoice.paid": lambda obj, at: subscriptions.subscription_invoice_paid(obj, event_at=at),
    "invoice.payment_succeeded": lambda obj, at: subscriptions.subscription_invoice_paid(
        obj, event_at=at
    ),
    "invoice.payment_failed": lambda obj, at: subscriptions.subscription_payment_failed(
        obj, event_at=at
    ),
    "customer.subscription.deleted": lambda obj, at: subscriptions.subscription_deleted(
        obj, event_at=at
    ),
    "customer.subscription.updated": lambda obj, at: subscriptions.subscription_updated(
        obj, event_at=at
    ),
    "charge.refunded": _on_charge_refunded,
}


def stripe_event_receive(event: dict[str, Any]) -> str:
    """Store the verified event once by id, then process it; returns the outcome."""
    try:
        with transaction.atomic():
            row, _created = StripeEvent.objects.get_or_create(
                event_id=str(event["id"]),
                defaults={"type": str(event.get("type", ""))[:100], "payload": event},
            )
    except IntegrityError:
        row = StripeEvent.objects.get(event_id=str(event["id"]))
    return stripe_event_process(row)


PENDING_AT_MOST = timedelta(days=1)
NEVER_READY = "Never ready: "
# The events kept "pending": EventNotReady's message names the subscription waited for.
WAITING = Q(processed_at__isnull=True, error__startswith="subscription")


def stripe_event_process(row: StripeEvent) -> str:
    handler = HANDLERS.get(row.type)
    with transaction.atomic():
        locked = stripe_event_lock(row.pk)
        if locked.processed_at is not None:
            return "replay"
        locked.attempts += 1
        outcome = "processed"
        try:
            with transaction.atomic():
                if handler is not None:
                    payload = locked.payload
                    created = (
                        stripe_gateway.from_stripe_timestamp(payload.get("created"))
                        or UNDATED_EVENT
                    )
                    handler(payload["data"]["object"], created)
        except EventNotReady as error:
            if locked.received_at < timezone.now() - PENDING_AT_MOST:
                # What it waits for is recorded seconds after Stripe sends it; a day later it
                # will not come (a subscription made outside Creditdesk), and replaying the
                # event on every subscription recorded would go on forever.
                locked.error = f"{NEVER_READY}{error}"
                outcome = "rejected"
            else:
                locked.error = str(error)
                outcome = "pending"
        except BAD_INPUT as error:
            locked.error = f"{type(error).__name__}: {error}"
            outcome = "rejected"
        else:
            locked.error = ""
            locked.processed_at = timezone.now()
        locked.save(update_fields=["attempts", "error", "processed_at"])
    return outcome


def stripe_events_replay_pending() -> list[str]:
    """Process again the events that were waiting for a row of ours (oldest first): when a
    subscription is recorded, and hourly (`billing_daily`), which rejects those that waited
    longer than PENDING_AT_MOST."""
    pending = StripeEvent.objects.filter(WAITING)
    return [stripe_event_process(row) for row in pending.order_by("received_at", "pk")]
