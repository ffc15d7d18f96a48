"""Reading amounts people type: credits and prices, always two decimals, never floats.

One parser for every service that takes an amount, so "0", "-1", "abc", "1.005" and a
price in the wrong currency are refused the same way, naming the field, before anything
is written. Values with more than two decimals are refused rather than rounded: a silent
rounding of money is a bug report waiting to happen.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats
from djmoney.forms import fields as money_forms
from djmoney.models.fields import MoneyField as MoneyModelField
from djmoney.money import Money

from core.errors import CreditdeskError

CENT = Decimal("0.01")
# The columns every app stores credits and money in (the bounds below derive from them).
CREDITS_COLUMN: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}
MONEY_COLUMN: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
# The largest amount a money column holds: 999,999,999,999.99.
MONEY_MAX = Decimal(10) ** (MONEY_COLUMN["max_digits"] - MONEY_COLUMN["decimal_places"]) - CENT
# A price sold on an invoice line (a credit pack, an activation) must leave its invoice, tax
# (at most 99.99 %) included, inside the money columns: prices below 10^11, a digit short of
# the column, so the total stays below 10^12.
PRICE_DIGITS = MONEY_COLUMN["max_digits"] - 1
PRICE_MAX = (
    Decimal(10) ** (PRICE_DIGITS - 2) - CENT
)  # what parse_money(max_digits=PRICE_DIGITS) takes
Sign = Literal["positive", "nonzero", "non_negative"]
# What services accept for credits and amounts: parsed and bounded by parse_decimal and
# parse_money, never a float.
CreditsInput = Decimal | int | str
AmountInput = Money | Decimal | int | str

_SIGN_TEXT = {
    "positive": ("un número mayor que cero", "a number greater than zero"),
    "nonzero": ("un número distinto de cero", "a number other than zero"),
    "non_negative": ("un número, cero o más", "a number, zero or more"),
}


class InvalidAmount(CreditdeskError):
    code = "invalid_amount"
    message_es = "{label}: «{value}» no es válido; use {sign_es} con hasta dos decimales."
    message_en = "{label}: '{value}' is not valid; use {sign_en} with at most two decimals."

    def __init__(self, *, field: str, value: object, sign: Sign = "positive") -> None:
        sign_es, sign_en = _SIGN_TEXT[sign]
        super().__init__(field=field, label=field, value=value, sign_es=sign_es, sign_en=sign_en)


class CurrencyMismatch(CreditdeskError):
    code = "currency_mismatch"
    message_es = "{label}: el importe debe estar en {expected}, no en {given}."
    message_en = "{label}: the amount must be in {expected}, not in {given}."

    def __init__(self, *, field: str, expected: str, given: str) -> None:
        super().__init__(field=field, label=field, expected=expected, given=given)


# Digits 0-9 with an optional sign and decimal point, as people type amounts. Decimal() also
# reads "1e5", "1_000", "NaN" and other scripts' digits ("٣"), none of which anyone means.
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def is_plain_number(text: str) -> bool:
    """Whether `text` (stripped) is a number as people type one: every parser of typed
    numbers (services, page fields, API fields) asks this before Decimal()."""
    return _PLAIN_NUMBER.fullmatch(text.strip()) is not None


def parse_decimal(value: object, *, field: str, sign: Sign, max_digits: int) -> Decimal:
    """`value` (Decimal, int or numeric text) as a two-place Decimal obeying `sign`."""

    def refuse() -> InvalidAmount:
        return InvalidAmount(field=field, value=value, sign=sign)

    if isinstance(value, bool | float) or not isinstance(value, Decimal | int | str):
        raise refuse()
    if isinstance(value, str) and not is_plain_number(value):
        raise refuse()
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise refuse() from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** (max_digits - 2):
        raise refuse()
    if number != number.quantize(CENT):
        raise refuse()
    if (sign == "positive" and number <= 0) or (sign == "nonzero" and number == 0):
        raise refuse()
    if sign == "non_negative" and number < 0:
        raise refuse()
    return number.quantize(CENT)


def parse_money(value: object, *, field: str, currency: str, sign: Sign, max_digits: int) -> Money:
    """A Money in `currency`; a bare number is taken to be in it, another currency is refused."""
    if isinstance(value, Money):
        if str(value.currency) != currency:
            raise CurrencyMismatch(field=field, expected=currency, given=str(value.currency))
        value = value.amount
    amount = parse_decimal(value, field=field, sign=sign, max_digits=max_digits)
    return Money(amount, currency)


class PlainDecimalField(forms.DecimalField):
    """A page's number field with the services' rule for typed numbers (`is_plain_number`):
    Django's DecimalField reads whatever Decimal() reads, "1e5" included."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values:
            text = str(value).strip()
            if self.localize:
                text = formats.sanitize_separators(text)
            if not is_plain_number(str(text)):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class PlainMoneyField(money_forms.MoneyField):
    """djmoney's amount and currency, the amount read as `PlainDecimalField` reads it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        amount: Any = self.fields[0]  # djmoney's DecimalField, built above
        plain = PlainDecimalField(
            max_value=amount.max_value,
            min_value=amount.min_value,
            max_digits=amount.max_digits,
            decimal_places=amount.decimal_places,
            required=amount.required,  # as MultiValueField left it
            disabled=amount.disabled,
            localize=amount.localize,
        )
        plain.error_messages.setdefault("incomplete", self.error_messages["incomplete"])
        self.fields = (plain, self.fields[1])


# The admin's forms, with the pages' rule for typed numbers: `formfield_overrides` of every
# ModelAdmin that edits amounts (a MoneyField is a DecimalField: named first, it keeps its
# currency).
PLAIN_NUMBER_FORM_FIELDS: dict[type[models.Field], dict[str, Any]] = {
    MoneyModelField: {"form_class": PlainMoneyField},
    models.DecimalField: {"form_class": PlainDecimalField},
}
