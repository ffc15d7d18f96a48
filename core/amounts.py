"""Reading amounts people type: credits and prices, always two decimals, never floats.

One parser for every service that takes an amount, so "0", "-1", "abc", "1.005" and a
price in the wrong currency are refused the same way, naming the field, before anything
is written. Values with more than two decimals are refused rather than rounded: a silent
rounding of money is a bug report waiting to happen.

Services, the API and the admin take plain numbers ("143871.00": JSON is not localized).
A page's amount field (`core.forms.AmountField`) first reads what a person types in the
page's language, as the page itself writes amounts (`parse_typed_decimal`):

- "143.871,00", "143871,00", "COP 143.871" (as the pages write it), "$ 143.871,00" in
  Spanish; "143,871.00", "USD 1,234.50", "US$ 1,234.50" in English. Both marks present: the
  last one is the decimal mark and the other groups thousands, in either language
  ("1,234.50" typed on a Spanish page by someone used to the other convention).
- One mark only: the language's grouping mark with one to three digits before it and
  exactly three after is grouping ("1.500" is 1500 in Spanish, "1,500" in English, as
  es-CO and en read them); repeated, it is grouping too ("1.234.567"). Any other single
  mark is the decimal mark ("143871.00" or "1,5" in either language).
- More decimals typed than the field takes are refused even when they are zeros: "1,500"
  in Spanish (or "1.500" in English) on a money field is refused, not read as 1,5, since
  whoever types three digits after a mark in an amount most likely means thousands in the
  other convention.
- A currency code (COP, USD: what the pages write) or a symbol people type (US$, Bs.S, S/,
  ...) before or after the number is tolerated; one naming another currency than the
  field's is refused (`CurrencyMismatch`). Spaces around them too; not inside the digits.
"""

import re
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Literal

from babel.localedata import locale_identifiers
from babel.numbers import get_currency_symbol, get_group_symbol
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats
from djmoney.forms import fields as money_forms
from djmoney.models.fields import MoneyField as MoneyModelField
from djmoney.money import Money

from core.errors import CreditdeskError
from core.formatting import ENGLISH_LOCALE, document_locale
from core.languages import language_code

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


_PLACES_TEXT = {2: ("dos", "two"), 4: ("cuatro", "four")}
# A typed value is echoed in the refusal up to this many characters.
_ECHO_LIMIT = 40


class InvalidAmount(CreditdeskError):
    """`label` is what the message calls the field: its key for the API's readers (the
    default), a form's label on a page (`CreditdeskError.message_labelled`)."""

    code = "invalid_amount"
    message_es = "{label}: «{value}» no es válido; use {sign_es} con hasta {places_es} decimales."
    message_en = "{label}: '{value}' is not valid; use {sign_en} with at most {places_en} decimals."

    def __init__(
        self,
        *,
        field: str,
        value: object,
        sign: Sign = "positive",
        places: int = 2,
        label: object = None,
        **params: Any,
    ) -> None:
        sign_es, sign_en = _SIGN_TEXT[sign]
        places_es, places_en = _PLACES_TEXT.get(places, (str(places), str(places)))
        if isinstance(value, str) and len(value) > _ECHO_LIMIT:
            value = value[:_ECHO_LIMIT] + "…"
        super().__init__(
            field=field,
            label=label or field,
            value=value,
            sign_es=sign_es,
            sign_en=sign_en,
            places_es=places_es,
            places_en=places_en,
            **params,
        )


class AmountMissing(InvalidAmount):
    """An amount left empty (None, "", spaces): said so, not echoed as «None»."""

    message_es = (
        "{label}: no puede quedar vacío; escriba {sign_es} con hasta {places_es} decimales."
    )
    message_en = "{label}: cannot be empty; write {sign_en} with at most {places_en} decimals."


class AmountTooLarge(InvalidAmount):
    """More digits than the column holds."""

    message_es = "{label}: «{value}» supera el máximo de {maximum}."
    message_en = "{label}: '{value}' is over the maximum of {maximum}."


class CurrencyMismatch(CreditdeskError):
    code = "currency_mismatch"
    message_es = "{label}: el importe debe estar en {expected}, no en {given}."
    message_en = "{label}: the amount must be in {expected}, not in {given}."

    def __init__(self, *, field: str, expected: str, given: str, label: object = None) -> None:
        super().__init__(field=field, label=label or field, expected=expected, given=given)


# Digits 0-9 with an optional sign and decimal point, as people type amounts. Decimal() also
# reads "1e5", "1_000", "NaN" and other scripts' digits ("٣"), none of which anyone means.
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def is_plain_number(text: str) -> bool:
    """Whether `text` (stripped) is a number as people type one: every parser of typed
    numbers (services, page fields, API fields) asks this before Decimal()."""
    return _PLAIN_NUMBER.fullmatch(text.strip()) is not None


def parse_decimal(
    value: object,
    *,
    field: str,
    sign: Sign,
    max_digits: int,
    places: int = 2,
    label: object = None,
) -> Decimal:
    """`value` (Decimal, int or numeric text) as a Decimal of `places` places (two: credits
    and money) obeying `sign`, below 10^(max_digits - places). `label` names the field in
    the message (its key by default)."""
    quantum = Decimal(1).scaleb(-places)

    def refuse(kind: type[InvalidAmount] = InvalidAmount, **params: Any) -> InvalidAmount:
        return kind(field=field, value=value, sign=sign, places=places, label=label, **params)

    if value is None or (isinstance(value, str) and not value.strip()):
        raise refuse(AmountMissing)
    if isinstance(value, bool | float) or not isinstance(value, Decimal | int | str):
        raise refuse()
    if isinstance(value, str) and not is_plain_number(value):
        raise refuse()
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise refuse() from None
    if not number.is_finite():
        raise refuse()
    limit = Decimal(10) ** (max_digits - places)
    if abs(number) >= limit:
        raise refuse(AmountTooLarge, maximum=_maximum_text(limit - quantum, places))
    if number != number.quantize(quantum):
        raise refuse()
    if (sign == "positive" and number <= 0) or (sign == "nonzero" and number == 0):
        raise refuse()
    if sign == "non_negative" and number < 0:
        raise refuse()
    return number.quantize(quantum)


def _maximum_text(maximum: Decimal, places: int) -> object:
    # A two-place Decimal renders in the reader's language (core.errors._render); another is
    # shown plain.
    return maximum if places == 2 else str(maximum)


def parse_money(value: object, *, field: str, currency: str, sign: Sign, max_digits: int) -> Money:
    """A Money in `currency`; a bare number is taken to be in it, another currency is refused."""
    if isinstance(value, Money):
        if str(value.currency) != currency:
            raise CurrencyMismatch(field=field, expected=currency, given=str(value.currency))
        value = value.amount
    amount = parse_decimal(value, field=field, sign=sign, max_digits=max_digits)
    return Money(amount, currency)


# --- what people type on a page (see the module docstring) --------------------------------

# Babel and word processors write the minus sign as U+2212.
_SIGNS = re.escape("+-\u2212")
# sign, currency before, sign, the number, currency after; spaces between any of them.
_TYPED = re.compile(
    rf"(?P<sign>[{_SIGNS}]?)\s*"
    rf"(?P<before>[^\s\d.,{_SIGNS}][^\s\d,{_SIGNS}]*)?\s*"
    rf"(?P<sign_after>[{_SIGNS}]?)\s*"
    r"(?P<number>[0-9.,]+)\s*"
    rf"(?P<after>[^\s\d.,{_SIGNS}][^\s\d,{_SIGNS}]*)?"
)
_GROUPED = re.compile(r"[0-9]{1,3}(?:X[0-9]{3})*")


def _mark_key(mark: str) -> str:
    return mark.upper().rstrip(".")


@cache
def _currency_marks(currencies: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """The codes and symbols our pages write next to an amount of each currency, in any of
    their locales (English, and Spanish of any country), keyed by `_mark_key`: "$" names
    several pesos and the dollar, "US$" the dollar only."""
    locales = [ENGLISH_LOCALE, "es", *(name for name in locale_identifiers() if name[:3] == "es_")]
    named: dict[str, set[str]] = {}
    for currency in currencies:
        named.setdefault(_mark_key(currency), set()).add(currency)
        for locale in locales:
            symbol = get_currency_symbol(currency, locale=locale)
            named.setdefault(_mark_key(symbol), set()).add(currency)
    return {key: frozenset(names) for key, names in named.items()}


def _group_mark(language: str) -> str:
    """The grouping mark of `language`'s pages (babel's: "." in Spanish, "," in English);
    the decimal mark is the other one."""
    return str(get_group_symbol(document_locale(language)))


def _plain_of_typed(number: str, *, language: str) -> tuple[str, str] | None:
    """The integer digits and decimals of `number` (digits and marks only) as read in
    `language`, or None when it is no number there."""
    group_mark = _group_mark(language)
    marks = [mark for mark in ".," if mark in number]
    if len(marks) == 2:
        decimal = number[max(number.rfind("."), number.rfind(","))]
        group = "," if decimal == "." else "."
        if number.count(decimal) != 1:
            return None
        whole, fraction = number.split(decimal)
    elif marks:
        (mark,) = marks
        head, _sep, tail = number.partition(mark)
        grouping = number.count(mark) > 1 or (
            mark == group_mark and len(tail) == 3 and 1 <= len(head) <= 3
        )
        if grouping:
            whole, fraction, group = number, "", mark
        else:
            whole, fraction, group = head, tail, ""
            if not fraction:  # "5," is a mark left hanging, not a number
                return None
    else:
        whole, fraction, group = number, "", ""
    if group:
        if not _GROUPED.fullmatch(whole.replace(group, "X")):
            return None
        whole = whole.replace(group, "")
    if not (whole or fraction) or not (whole + fraction).isdigit():
        return None
    return whole or "0", fraction


def parse_typed_decimal(
    value: object,
    *,
    field: str,
    sign: Sign,
    max_digits: int,
    places: int = 2,
    currency: str | None = None,
    money: bool = True,
    label: object = None,
    language: str | None = None,
) -> Decimal:
    """An amount as a person types it on a page in `language` (the active one by default):
    read by the rules of the module docstring, then bounded by `parse_decimal`. A currency
    mark is tolerated on `money` only, and must name `currency` when one is given. Refused
    with `InvalidAmount` (or `CurrencyMismatch`) naming `field`, worded with `label`."""

    def refuse() -> InvalidAmount:
        return InvalidAmount(field=field, value=value, sign=sign, places=places, label=label)

    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return parse_decimal(
            value, field=field, sign=sign, max_digits=max_digits, places=places, label=label
        )
    if value is None or not isinstance(value, str) or not value.strip():
        return parse_decimal(
            value, field=field, sign=sign, max_digits=max_digits, places=places, label=label
        )
    typed = _TYPED.fullmatch(value.strip())
    if typed is None or (typed["sign"] and typed["sign_after"]):
        raise refuse()
    marks = [mark for mark in (typed["before"], typed["after"]) if mark]
    if marks and (not money or len(marks) > 1):
        raise refuse()
    if marks:
        named = _currency_marks(tuple(settings.CURRENCIES)).get(_mark_key(marks[0]))
        if named is None:
            raise refuse()
        if currency is not None and currency not in named:
            raise CurrencyMismatch(field=field, expected=currency, given=marks[0], label=label)
    read = _plain_of_typed(typed["number"], language=language_code(language))
    if read is None:
        raise refuse()
    whole, fraction = read
    if len(fraction) > places:
        raise refuse()
    minus = (typed["sign"] or typed["sign_after"]) in ("-", "\u2212")
    plain = ("-" if minus else "") + whole + (f".{fraction}" if fraction else "")
    try:
        return parse_decimal(
            plain, field=field, sign=sign, max_digits=max_digits, places=places, label=label
        )
    except InvalidAmount as error:
        error.params["value"] = refuse().params["value"]  # the text as typed, not as read
        raise


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
