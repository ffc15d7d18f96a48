"""Money, numbers and dates as a document's reader expects them, through babel (CLDR).

The locale is the document's language with the buyer's country: Spanish for a Colombian
buyer is `es_CO` ("$ 120.900", "US$ 1.234,50"); English is `en_001`, international English,
which names dollars "US$" ("US$ 1,234.50", "COP 120,900") because our readers hold several
kinds of dollars and pesos. The symbol is always followed by a space.

Digits: a document shows its currency's CLDR *cash* digits (COP 0, USD 2) when every amount
on it is whole in them, else the currency's full digits (COP 2). So a plain COP invoice
reads "$ 120.900" and a prorated one "$ 60.450,33", consistently on every line.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from babel.core import Locale, UnknownLocaleError, get_global
from babel.dates import format_date as _format_date
from babel.numbers import format_currency, format_decimal
from djmoney.money import Money

from billing.money import minor_unit_digits

ENGLISH_LOCALE = "en_001"


def document_locale(language: str, country: str = "") -> Locale:
    if language[:2] == "en":
        return Locale.parse(ENGLISH_LOCALE)
    if country:
        try:
            return Locale.parse(f"es_{country.upper()}")
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse("es")


def cash_digits(currency: str) -> int:
    fractions = get_global("currency_fractions")
    digits, _rounding, cash, _cash_rounding = fractions.get(currency, fractions["DEFAULT"])
    return cash if cash is not None else digits


def display_digits(currency: str, amounts: Iterable[Money]) -> int:
    """The digits every amount of one document is shown with (see the module docstring)."""
    cash = cash_digits(currency)
    full = minor_unit_digits(currency)
    if cash >= full:
        return full
    quantum = Decimal(1).scaleb(-cash)
    if all(amount.amount == amount.amount.quantize(quantum) for amount in amounts):
        return cash
    return full


def format_money(amount: Money, *, locale: Locale, digits: int) -> str:
    pattern = "¤\u00a0#,##0" + ("." + "0" * digits if digits else "")
    return format_currency(
        amount.amount, str(amount.currency), format=pattern, locale=locale, currency_digits=False
    ).replace("\u00a0", " ")


def format_number(value: Decimal, *, locale: Locale) -> str:
    """Quantities and rates without trailing zeros: 1, 1,5 / 1.5, 19."""
    return format_decimal(value.normalize(), locale=locale)


def format_date(value: date | None, *, locale: Locale) -> str:
    return _format_date(value, format="long", locale=locale) if value else ""
