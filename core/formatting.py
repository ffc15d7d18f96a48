"""Money, numbers, dates and time zones as a reader expects them, through babel (CLDR).

One place for every page, PDF, mail and refusal: change a format here and it changes
everywhere.

The locale is the document's language with the buyer's country: Spanish for a Colombian
buyer is `es_CO` ("$ 120.900", "US$ 1.234,50"); English is `en_001`, international English,
which names dollars "US$" ("US$ 1,234.50", "COP 120,900") because our readers hold several
kinds of dollars and pesos. The symbol is always followed by a space.

Digits: a document shows its currency's CLDR *cash* digits (COP 0, USD 2) when every amount
on it is whole in them, else the currency's full digits (COP 2). So a plain COP invoice
reads "$ 120.900" and a prorated one "$ 60.450,33", consistently on every line.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel.core import Locale, UnknownLocaleError, get_global
from babel.dates import format_date as _format_date
from babel.dates import get_timezone_location
from babel.numbers import format_currency, format_decimal, format_percent
from django.utils import formats, timezone, translation
from djmoney.money import Money

from core.languages import language_code
from core.money import minor_unit_digits

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
    return int(cash if cash is not None else digits)


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


def format_credits(value: Decimal, *, locale: Locale) -> str:
    """Credits always with their two places: 1.234,50 / 1,234.50."""
    return format_decimal(value, "#,##0.00", locale=locale)


def format_share(value: Decimal | None, *, locale: Locale) -> str:
    """A share of 0-1 as a percentage with one place ("92,5 %"); "-" without data."""
    return "-" if value is None else format_percent(value, "#,##0.0 %", locale=locale)


def format_date(value: date | None, *, locale: Locale, pattern: str = "long") -> str:
    """A day in words ("5 de enero de 2026", "5 January 2026"), or in a shorter CLDR
    `pattern` ("d MMM": "5 ene")."""
    return _format_date(value, format=pattern, locale=locale) if value else ""


def zone_label(
    zone: str | ZoneInfo, language: str | None = None, *, at: datetime | None = None
) -> str:
    """A time zone as people read it: "Bogotá (UTC-05:00)", not "America/Bogota"; the
    city's name in the reader's language."""
    name = zone.key if isinstance(zone, ZoneInfo) else str(zone)
    if name == "UTC":
        return "UTC"
    city = get_timezone_location(name, locale=language_code(language), return_city=True)
    offset = (at or timezone.now()).astimezone(ZoneInfo(name)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{city.split('/')[-1]} (UTC{sign}{hours:02d}:{rest:02d})"


def money_text(amount: Money, *, country: str = "", language: str | None = None) -> str:
    """One amount on its own (a page cell, a mail, a refusal), as the reader's invoices
    print it: "$ 1.071.000" for a Colombian reader in Spanish, "COP 1,071,000" in English."""
    locale = document_locale(language_code(language), country)
    return format_money(
        amount, locale=locale, digits=display_digits(str(amount.currency), [amount])
    )


def format_duration(value: timedelta) -> str:
    """Business time as agents read it: "4 h 00 min" (the same in both languages)."""
    minutes = int(value.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def format_moment(value: datetime, language: str | None = None) -> str:
    """A moment's wall-clock time as given (convert it to the reader's zone first), in the
    pages' short format: "09/01/2026 15:00" in Spanish, "01/09/2026 3 p.m." in English."""
    with translation.override(language_code(language)):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")


def format_day(value: date, language: str | None = None) -> str:
    """A day in the pages' short format: "10/01/2026" in Spanish, "01/10/2026" in English."""
    with translation.override(language_code(language)):
        return formats.date_format(value, "SHORT_DATE_FORMAT")


def zone_line(zone: str | ZoneInfo, language: str | None = None, *, at: datetime) -> str:
    """The line that says which clock the times below it follow."""
    label = zone_label(zone, language, at=at)
    return f"Time zone: {label}" if language_code(language) == "en" else f"Zona horaria: {label}"


def credits_text(value: Decimal, language: str | None = None) -> str:
    """Credits on their own (a page, a refusal): "1.234,50" in Spanish, "1,234.50" in
    English. A value with more than two places (a refused input) is shown as typed."""
    try:
        exact = value.is_finite() and value == value.quantize(Decimal("0.01"))
    except InvalidOperation:  # more digits than a Decimal context holds
        exact = False
    if not exact:
        return str(value)
    return format_credits(value, locale=document_locale(language_code(language)))
