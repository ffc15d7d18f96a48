"""A declined card, told to the customer in their language.

Stripe explains a decline in English only (`last_payment_error.message`), so a Spanish page
or mail quoting it mixes languages. Its codes are stable, though: the decline code names the
issuer's reason (`insufficient_funds`), the error code the kind (`card_declined`,
`expired_card`). We keep the code on the payment and say it ourselves; a code we do not know
falls back to Stripe's words, marked as English where they are shown. Our own failures of
a card payment have codes here too (`not_charged`, `provider_failed`).

Following Stripe's advice (docs.stripe.com/declines/codes), the codes that point at fraud
(`fraudulent`, `lost_card`, `stolen_card`, `pickup_card`, ...) are told as a plain decline:
the person at the page may be the one the bank suspects.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CODE_LENGTH = 100  # Payment.failure_code and AutoTopUpAttempt.failure_code
# Said before the provider's own words, which are in English.
IN_ENGLISH = _("Detalle (en inglés):")
MESSAGE_LENGTH = 2000  # the provider's words kept of a failure: a sentence, not a page
CARD_DECLINED = "card_declined"
NOT_CHARGED = "not_charged"
PROVIDER_FAILED = "provider_failed"

CALL_THE_BANK = _(
    "Su banco rechazó el pago sin dar el motivo. Pruebe con otra tarjeta o consulte a su banco."
)
TRY_LATER = _("El banco no pudo procesar el pago en este momento. Inténtelo de nuevo más tarde.")
OVER_LIMIT = _(
    "La tarjeta superó su límite de compras. Pruebe con otra tarjeta o consulte a su banco."
)
NOT_FOR_THIS_PURCHASE = _(
    "La tarjeta no admite este tipo de compra. Pruebe con otra tarjeta o consulte a su banco."
)
NOT_VERIFIED = _(
    "No se completó la verificación que pidió su banco. Inténtelo de nuevo o use otra tarjeta."
)
WRONG_NUMBER = _("El número de la tarjeta no es correcto. Revíselo o use otra tarjeta.")
WRONG_EXPIRY = _("La fecha de vencimiento no es correcta. Revísela o use otra tarjeta.")

REASONS: dict[str, Promise] = {
    "insufficient_funds": _("La tarjeta no tiene fondos suficientes. Pruebe con otra tarjeta."),
    "expired_card": _("La tarjeta está vencida. Use otra tarjeta."),
    "incorrect_cvc": _("El código de seguridad (CVC) no es correcto. Revíselo o use otra tarjeta."),
    "invalid_cvc": _("El código de seguridad (CVC) no es correcto. Revíselo o use otra tarjeta."),
    "incorrect_number": WRONG_NUMBER,
    "invalid_number": WRONG_NUMBER,
    "invalid_expiry_month": WRONG_EXPIRY,
    "invalid_expiry_year": WRONG_EXPIRY,
    "incorrect_zip": _("El código postal no coincide con el que tiene su banco para la tarjeta."),
    "authentication_required": _(
        "Su banco pide que confirme el pago. Inténtelo de nuevo y autorícelo cuando se lo pida."
    ),
    "duplicate_transaction": _(
        "Su banco rechazó el pago por ser igual a otro hecho hace muy poco. Revise sus "
        "movimientos antes de intentarlo de nuevo."
    ),
    "payment_intent_authentication_failure": NOT_VERIFIED,
    "setup_intent_authentication_failure": NOT_VERIFIED,
    "authentication_not_handled": NOT_VERIFIED,
    "card_decline_rate_limit_exceeded": _(
        "Se intentó pagar con esta tarjeta demasiadas veces. Espere un día o use otra tarjeta."
    ),
    # Ours: an automatic top-up turned off, or past its time, before its card was charged.
    NOT_CHARGED: _(
        "No se hizo el cobro: la recarga automática se desactivó, o el cobro no pudo intentarse "
        "a tiempo."
    ),
    # Ours: the payment provider failed to take the payment at all (`PaymentProviderError`).
    PROVIDER_FAILED: _(
        "El proveedor de pagos no pudo tomar el pago. Inténtelo de nuevo más tarde."
    ),
    "testmode_decline": _("Se usó una tarjeta de prueba: no sirve para pagos reales."),
    "card_velocity_exceeded": OVER_LIMIT,
    "withdrawal_count_limit_exceeded": OVER_LIMIT,
    "invalid_amount": _("El importe supera lo que la tarjeta admite. Consulte a su banco."),
    "card_not_supported": NOT_FOR_THIS_PURCHASE,
    "currency_not_supported": NOT_FOR_THIS_PURCHASE,
    "transaction_not_allowed": NOT_FOR_THIS_PURCHASE,
    "service_not_allowed": NOT_FOR_THIS_PURCHASE,
    "not_permitted": NOT_FOR_THIS_PURCHASE,
    "payment_method_unactivated": NOT_FOR_THIS_PURCHASE,
    "processing_error": TRY_LATER,
    "issuer_not_available": TRY_LATER,
    "try_again_later": TRY_LATER,
    "reenter_transaction": TRY_LATER,
    "approve_with_id": TRY_LATER,
    **dict.fromkeys(
        (
            "card_declined",
            "generic_decline",
            "do_not_honor",
            "do_not_try_again",
            "call_issuer",
            "no_action_taken",
            "invalid_account",
            "new_account_information_available",
            "revocation_of_all_authorizations",
            "revocation_of_authorization",
            "stop_payment_order",
            "restricted_card",
            "fraudulent",
            "lost_card",
            "stolen_card",
            "pickup_card",
            "merchant_blacklist",
            "security_violation",
            # a PIN is for card-present payments: online, a plain decline
            "incorrect_pin",
            "invalid_pin",
            "offline_pin_required",
            "online_or_offline_pin_required",
            "pin_try_exceeded",
        ),
        CALL_THE_BANK,
    ),
}


def decline_code(error: Mapping[str, Any]) -> str:
    """The code to keep of a refused charge's Stripe error (`last_payment_error`, a card
    error's body): the bank's decline code, unless we have words for the error's code and not
    for the bank's (a PIN refusal under `card_declined`), so the customer reads a reason of
    ours wherever one fits. Neither known: the bank's, for the staff (the whole error stays
    in the payment's `raw_payload`). None at all: a plain decline."""
    codes = [str(error.get(key) or "")[:CODE_LENGTH] for key in ("decline_code", "code")]
    codes = [code for code in codes if code]
    return next((code for code in codes if code in REASONS), codes[0] if codes else CARD_DECLINED)


def decline_reason(code: str) -> str:
    """What to tell the customer about a decline, in the active language; "" for a code we
    do not know (show the provider's own words instead)."""
    reason = REASONS.get(code)
    return str(reason) if reason is not None else ""


def decline_words(code: str, provider_message: str) -> tuple[str, str]:
    """What to say of a decline, in the active language: (our words for `code`, "") or, for a
    code we have no words for, ("", the provider's own words, in English)."""
    reason = decline_reason(code)
    return (reason, "") if reason else ("", provider_message)


def decline_explained(code: str, provider_message: str) -> str:
    """A decline as plain text (mail, the staff's timeline); "" when there is nothing to say.
    Pages mark the provider's words up as English (`templatetags.declines`)."""
    ours, providers = decline_words(code, provider_message)
    return ours or (f'{IN_ENGLISH} "{providers}"' if providers else "")
