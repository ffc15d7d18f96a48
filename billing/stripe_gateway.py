"""The only module that talks to Stripe (and the only one importing `stripe`).

Every call names an idempotency key derived from one of our rows, so a retried call never
creates a second object in Stripe. Amounts cross the boundary as integer minor units
through `to_stripe_amount` / `from_stripe_amount`; Stripe's zero-decimal currencies among
ours (CLP) match ISO 4217, which `core.money` uses. `STRIPE_API_BASE` points the client at
another Stripe-compatible server (the tests use localstripe).
"""

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from djmoney.money import Money

from billing.declines import decline_code
from billing.exceptions import PaymentProviderError
from core.instants import instant_check
from core.money import from_minor_units, to_minor_units

SIGNATURE_TOLERANCE_SECONDS = 300
# Stripe's identifiers are at most 255 characters; our columns that keep them are as long.
MAX_ID_LENGTH = 255
# Keys whose string values are identifiers of Stripe objects (an expanded object is a dict).
ID_KEYS = frozenset(
    {"id", "customer", "subscription", "invoice", "payment_intent", "charge", "refund", "price"}
)


class InvalidSignature(Exception):
    """A webhook whose Stripe-Signature is missing, wrong or stale, or whose body is not JSON."""


def to_stripe_amount(amount: Money) -> int:
    """Money -> Stripe integer minor units. No rounding here: amounts arrive already rounded
    half-up per line by `core.money.round_half_up`; an unrounded amount is refused."""
    return to_minor_units(amount)


def from_stripe_amount(units: int, currency: str) -> Money:
    return from_minor_units(units, currency)


def is_configured() -> bool:
    """Whether card payments can be taken at all (the quickstart demo has no keys)."""
    return bool(settings.STRIPE_SECRET_KEY)


def _client() -> stripe.StripeClient:
    options: dict[str, Any] = {"max_network_retries": 2}
    if settings.STRIPE_API_BASE:
        options["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, **options)


def _call(function: Any, params: dict[str, Any], idempotency_key: str | None = None) -> Any:
    options = {"idempotency_key": idempotency_key} if idempotency_key else {}
    try:
        return function(params=params, options=options)
    except stripe.StripeError as error:
        raise PaymentProviderError(detail=str(error.user_message or error)) from error


def verify_event(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event as a dict, once its signature verifies against STRIPE_WEBHOOK_SECRET and
    its body is one we can store: an object with an id, no NUL characters (PostgreSQL's
    jsonb refuses them), finite numbers, identifiers within MAX_ID_LENGTH, and not nested
    beyond what the parser can read."""
    if not signature or not settings.STRIPE_WEBHOOK_SECRET:
        raise InvalidSignature("missing signature or secret")
    try:
        # The official check (Stripe's scheme, its constant-time comparison and tolerance);
        # the body is parsed by us afterwards, so a signed body of any shape cannot crash it.
        text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
        stripe.WebhookSignature.verify_header(
            text, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
        event = json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
    except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as error:
        raise InvalidSignature(str(error)) from error
    except RecursionError:
        raise InvalidSignature("nested too deeply") from None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise InvalidSignature("not an event")
    problem = _unstorable(event)
    if problem:
        raise InvalidSignature(problem)
    return event


def _finite_float(text: str) -> float:
    # Stripe sends amounts as integer minor units; a fractional number in an event is some
    # other field, kept as JSON stores it, and refused only when jsonb could not hold it.
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"number out of range: {text[:20]}")
    return number


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def _unstorable(event: dict[str, Any]) -> str | None:
    """What makes a parsed event impossible to store or to trust, or None."""
    pending: list[tuple[str | None, Any]] = [(None, event)]
    while pending:
        key, value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.items())
            if any("\x00" in name for name in value):
                return "NUL character in a key"
        elif isinstance(value, list):
            pending.extend((None, item) for item in value)
        elif isinstance(value, str):
            if "\x00" in value:
                return f"NUL character in {key or 'a value'}"
            if key in ID_KEYS and not 0 < len(value) <= MAX_ID_LENGTH:
                return f"{key} is not a Stripe identifier ({len(value)} characters)"
    return None


def from_stripe_timestamp(value: Any) -> datetime | None:
    """Stripe's Unix seconds as an aware UTC datetime (None for none); a ValueError for a
    time outside the accepted years (core.instants)."""
    if value in (None, ""):
        return None
    try:
        return instant_check(datetime.fromtimestamp(int(value), tz=UTC))
    except (OverflowError, OSError, ValueError, TypeError, ValidationError):
        raise ValueError(f"timestamp out of range: {str(value)[:30]!r}") from None


@dataclass(frozen=True)
class IntentResult:
    id: str
    client_secret: str
    status: str
    raw: dict[str, Any]


def customer_create(
    *, email: str, name: str, metadata: dict[str, str], idempotency_key: str
) -> str:
    customer = _call(
        _client().v1.customers.create,
        {"email": email, "name": name, "metadata": metadata},
        idempotency_key,
    )
    return str(customer.id)


def customer_set_default_payment_method(*, customer_id: str, payment_method_id: str) -> None:
    client = _client()
    _call(
        lambda params, options: client.v1.payment_methods.attach(
            payment_method_id, params=params, options=options
        ),
        {"customer": customer_id},
    )
    _call(
        lambda params, options: client.v1.customers.update(
            customer_id, params=params, options=options
        ),
        {"invoice_settings": {"default_payment_method": payment_method_id}},
    )


def payment_intent_create(
    *,
    amount: Money,
    customer_id: str,
    metadata: dict[str, str],
    idempotency_key: str,
) -> IntentResult:
    intent = _call(
        _client().v1.payment_intents.create,
        {
            "amount": to_stripe_amount(amount),
            "currency": str(amount.currency).lower(),
            "customer": customer_id,
            "metadata": metadata,
            "payment_method_types": ["card"],
        },
        idempotency_key,
    )
    return IntentResult(
        id=intent.id,
        client_secret=intent.client_secret or "",
        status=intent.status,
        raw=intent.to_dict(),
    )


def refund_create(
    *, payment_intent_id: str, amount: Money, metadata: dict[str, str], idempotency_key: str
) -> dict[str, Any]:
    refund = _call(
        _client().v1.refunds.create,
        {
            "payment_intent": payment_intent_id,
            "amount": to_stripe_amount(amount),
            "metadata": metadata,
        },
        idempotency_key,
    )
    return dict(refund.to_dict())


def plan_ensure(*, plan_id: str, amount: Money, product_name: str) -> str:
    """A monthly Stripe Plan with our own id (Plans, not Prices: localstripe knows only those)."""
    client = _client()
    try:
        return client.v1.plans.retrieve(plan_id).id
    except stripe.InvalidRequestError:
        pass
    except stripe.StripeError as error:
        raise PaymentProviderError(detail=str(error.user_message or error)) from error
    plan = _call(
        client.v1.plans.create,
        {
            "id": plan_id,
            "amount": to_stripe_amount(amount),
            "currency": str(amount.currency).lower(),
            "interval": "month",
            "product": {"name": product_name},
        },
        f"plan:{plan_id}",
    )
    return str(plan.id)


def subscription_create(
    *, customer_id: str, plan_id: str, metadata: dict[str, str], idempotency_key: str
) -> dict[str, Any]:
    subscription = _call(
        _client().v1.subscriptions.create,
        {"customer": customer_id, "items": [{"plan": plan_id}], "metadata": metadata},
        idempotency_key,
    )
    return dict(subscription.to_dict())


def subscription_cancel_at_period_end(*, subscription_id: str, idempotency_key: str) -> dict:
    """Ask Stripe to end the subscription when its paid period ends (no refund, no further
    invoice); Stripe sends `customer.subscription.deleted` then."""
    subscriptions = _client().v1.subscriptions
    subscription = _call(
        lambda **kwargs: subscriptions.update(subscription_id, **kwargs),
        {"cancel_at_period_end": True},
        idempotency_key,
    )
    return dict(subscription.to_dict())


# Saved cards and off-session charges (auto top-up, `billing.services.autotopup`).


def setup_intent_create(*, customer_id: str, metadata: dict[str, str]) -> IntentResult:
    """A SetupIntent to save a card for later charges without the customer (off session).
    No idempotency key: each visit to the form may start a new one; only a confirmed one
    that belongs to the customer is ever saved."""
    intent = _call(
        _client().v1.setup_intents.create,
        {
            "customer": customer_id,
            "usage": "off_session",
            "payment_method_types": ["card"],
            "metadata": metadata,
        },
    )
    return IntentResult(
        id=intent.id,
        client_secret=intent.client_secret or "",
        status=intent.status,
        raw=intent.to_dict(),
    )


@dataclass(frozen=True)
class SavedCard:
    payment_method_id: str
    brand: str
    last4: str


def setup_intent_saved_card(*, setup_intent_id: str, customer_id: str) -> SavedCard | None:
    """The card a succeeded SetupIntent of this customer saved (attached to the customer),
    or None while it has not succeeded or when it is someone else's."""
    client = _client()
    intent = _call(
        lambda params, options: client.v1.setup_intents.retrieve(
            setup_intent_id, params=params, options=options
        ),
        {},
    )
    if intent.status != "succeeded" or intent.customer != customer_id or not intent.payment_method:
        return None
    method_id = str(
        intent.payment_method
        if isinstance(intent.payment_method, str)
        else intent.payment_method.id
    )
    method = _call(
        lambda params, options: client.v1.payment_methods.retrieve(
            method_id, params=params, options=options
        ),
        {},
    )
    if not method.customer:
        # Stripe attaches it on success; a server that does not is asked to.
        _call(
            lambda params, options: client.v1.payment_methods.attach(
                method_id, params=params, options=options
            ),
            {"customer": customer_id},
        )
    elif method.customer != customer_id:
        return None
    card = method.to_dict().get("card") or {}
    return SavedCard(
        payment_method_id=method_id,
        brand=str(card.get("brand") or "")[:20],
        last4=str(card.get("last4") or "")[:4],
    )


@dataclass(frozen=True)
class OffSessionCharge:
    """What an off-session charge came to: Stripe's intent (when it made one) and its status
    ("succeeded", "processing", "requires_action", "declined"), with the card's refusal."""

    intent_id: str
    status: str
    raw: dict[str, Any]
    error_code: str = ""
    error_message: str = ""


def payment_intent_off_session(
    *,
    amount: Money,
    customer_id: str,
    payment_method_id: str,
    metadata: dict[str, str],
    idempotency_key: str,
) -> OffSessionCharge:
    """Charge a saved card without the customer (`off_session`, confirmed at once). A card
    refusal is an answer, not an error: "declined", or "requires_action" when the bank asks
    the customer to authenticate. Anything else from Stripe is a PaymentProviderError."""
    try:
        intent = _client().v1.payment_intents.create(
            params={
                "amount": to_stripe_amount(amount),
                "currency": str(amount.currency).lower(),
                "customer": customer_id,
                "payment_method": payment_method_id,
                # A real parameter of the API (the calls above pass it too); missing from
                # this call's TypedDict in the stripe stubs.
                "payment_method_types": ["card"],  # type: ignore[typeddict-unknown-key]
                "off_session": True,
                "confirm": True,
                "metadata": metadata,
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.CardError as error:
        detail = error.error.to_dict() if error.error is not None else {}
        found = detail.get("payment_intent") or {}
        # The error's own code says whether the bank wants the customer (Stripe's off-session
        # authentication); the code kept for the customer may be the bank's reason.
        asks_customer = (error.code or detail.get("code")) == "authentication_required"
        return OffSessionCharge(
            intent_id=str(found.get("id") or "") if isinstance(found, dict) else str(found),
            status="requires_action" if asks_customer else "declined",
            raw=detail,
            error_code=decline_code(detail),
            error_message=str(error.user_message or detail.get("message") or ""),
        )
    except stripe.StripeError as error:
        raise PaymentProviderError(detail=str(error.user_message or error)) from error
    status = intent.status
    if status == "requires_payment_method":
        status = "declined"
    last_error = (intent.to_dict().get("last_payment_error") or {}) if status != "succeeded" else {}
    return OffSessionCharge(
        intent_id=intent.id,
        status=status,
        raw=intent.to_dict(),
        error_code=decline_code(last_error) if status == "declined" else "",
        error_message=str(last_error.get("message") or ""),
    )


def payment_intent_client_secret(intent_id: str) -> tuple[str, str]:
    """The intent's status and client secret, for the customer's browser to finish it."""
    client = _client()
    intent = _call(
        lambda params, options: client.v1.payment_intents.retrieve(
            intent_id, params=params, options=options
        ),
        {},
    )
    return str(intent.status), str(intent.client_secret or "")
