"""Money, numbers, dates and time zones as a reader expects them, through babel (CLDR).

One place for every page, PDF, mail and refusal: change a format here and it changes
everywhere.

Money has one rule, in every page, PDF, mail and refusal: the currency's ISO code, a space,
and the number as the reader's language writes it: "USD 1.234,50" and "COP 120.900" in
Spanish, "USD 1,234.50" and "COP 120,900" in English. The buyer's country changes none of it:
CLDR's symbols and marks depend on the country (Spanish writes a dollar "US$ 1.000,00" for
Colombia, "USD 1.000,00" for Venezuela, "USD 1,000.00" for Mexico, "$ 1,000.00" for the United
States, and "$" is also a Colombian's peso), so a list of several customers' rows under a
total across them wrote one currency several ways. Our readers hold several kinds of dollars
and pesos; the code names each one.

A document with money (an invoice, a quote) writes its other numbers (quantities, tax
rates) in its language alone too, so that a decimal mark never means two things on it.

Digits: a document shows its currency's CLDR *cash* digits (COP 0, USD 2) when every amount
on it is whole in them, else the currency's full digits (COP 2). So a plain COP invoice
reads "COP 120.900" and a prorated one "COP 60.450,33", consistently on every line.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.core import Locale, UnknownLocaleError, get_global
from babel.dates import format_date as _format_date
from babel.dates import format_datetime, get_timezone_location
from babel.numbers import format_currency, format_decimal, format_percent
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import dateformat, formats, timezone, translation
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.translation import gettext
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


def format_money(amount: Money, *, language: str | None = None, digits: int) -> str:
    """The one rule for money shown (see the module docstring), with the digits of the
    document it stands on (`display_digits`); `money_text` for an amount on its own."""
    number = "#,##0" + ("." + "0" * digits if digits else "")
    # the sign stands by the number, after the code: "USD -31.000,00", not babel's "-USD"
    pattern = f"¤¤\u00a0{number};¤¤\u00a0-{number}"
    return format_currency(
        amount.amount,
        str(amount.currency),
        format=pattern,
        locale=document_locale(language_code(language)),
        currency_digits=False,
    ).replace("\u00a0", " ")


def format_number(value: Decimal, *, locale: Locale) -> str:
    """Quantities and rates without trailing zeros: 1, 1,5 / 1.5, 19."""
    return format_decimal(value.normalize(), locale=locale)


def format_credits(value: Decimal, *, locale: Locale) -> str:
    """Credits always with their two places: 1.234,50 / 1,234.50."""
    return format_decimal(value, "#,##0.00", locale=locale)


def percent_figure(value: Decimal, language: str | None = None) -> str:
    """A figure already in percent, with one place, grouped as the reader writes numbers
    ("1.350,0" / "1,350.0"), for a sentence that writes the % sign itself. Django's own
    grouping for Spanish is a space, not the point every amount on the page uses."""
    return format_decimal(value, "#,##0.0", locale=document_locale(language_code(language)))


def format_share(value: Decimal | None, *, locale: Locale) -> str:
    """A share of 0-1 as a percentage with one place ("92,5 %"); "-" without data."""
    return "-" if value is None else format_percent(value, "#,##0.0 %", locale=locale)


def format_target(value: Decimal, *, locale: Locale) -> str:
    """A promised share of 0-1 as the plan states it, never rounded ("90 %", "99,95 %")."""
    return format_percent(value, "#,##0.## %", locale=locale)


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


def money_text(amount: Money, *, language: str | None = None) -> str:
    """One amount on its own (a page cell, a mail, a refusal), in the reader's language:
    "COP 1.071.000" in Spanish, "COP 1,071,000" in English, whoever's amount it is."""
    return format_money(
        amount, language=language, digits=display_digits(str(amount.currency), [amount])
    )


def format_duration(value: timedelta) -> str:
    """Business time as agents read it: "4 h 00 min" (the same in both languages)."""
    minutes = int(value.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def format_moment(value: datetime, language: str | None = None) -> str:
    """A moment's wall-clock time as given (convert it to the reader's zone first), in the
    pages' short format: "09/01/2026 15:00" in Spanish, "9 Jan 2026, 15:00" in English."""
    return _date_formatter("SHORT_DATETIME_FORMAT", language_code(language))(value)


def format_day(value: date, language: str | None = None) -> str:
    """A day in the pages' short format: "10/01/2026" in Spanish, "10 Jan 2026" in English."""
    return _date_formatter("SHORT_DATE_FORMAT", language_code(language))(value)


@receiver(setting_changed)
def _formats_changed(*, setting: str, **kwargs: Any) -> None:
    # As Django empties its own format cache: a test's or a deployment's other format, language
    # or catalogue takes effect.
    if setting.endswith("FORMAT") or setting in {
        "FORMAT_MODULE_PATH",
        "LANGUAGE_CODE",
        "LANGUAGES",
        "LOCALE_PATHS",
    }:
        _date_formatter.cache_clear()


@cache
def _date_formatter(setting: str, language: str) -> Callable[[date], str]:
    """Django's `date_format` for one format setting and language, with the format parsed
    once: Django parses it and builds a formatter on every call (13 µs; a ticket's detail
    formats twenty moments). The format characters our languages' short formats use are
    computed here, Django's way; a format with any other falls back to Django."""
    with translation.override(language):
        pattern = str(formats.get_format(setting))
        words = {word: gettext(word) for word in ("a.m.", "p.m.", "midnight", "noon")}
        # English writes its month in letters ("7 Dec 2026", creditdesk/formats/en).
        months = {number: str(name) for number, name in MONTHS.items()}
        months_3 = {number: str(name).title() for number, name in MONTHS_3.items()}

    def django_format(value: date) -> str:
        with translation.override(language):
            return formats.date_format(value, setting)

    def hour_12(value: datetime) -> str:  # "f": "3", "3:30"
        hour = value.hour % 12 or 12
        return f"{hour}:{value.minute:02d}" if value.minute else str(hour)

    def hour_12_words(value: datetime) -> str:  # "P": "3 p.m.", "midnight", "noon"
        if value.minute == 0 and value.hour in (0, 12):
            return words["midnight" if value.hour == 0 else "noon"]
        return f"{hour_12(value)} {words['p.m.' if value.hour > 11 else 'a.m.']}"

    parts: dict[str, Callable[[Any], str]] = {
        "d": lambda value: f"{value.day:02d}",
        "j": lambda value: str(value.day),
        "m": lambda value: f"{value.month:02d}",
        "M": lambda value: months_3[value.month],
        "F": lambda value: months[value.month],
        "n": lambda value: str(value.month),
        "Y": lambda value: f"{value.year:04d}",
        "y": lambda value: f"{value.year % 100:02d}",
        "H": lambda value: f"{value.hour:02d}",
        "G": lambda value: str(value.hour),
        "i": lambda value: f"{value.minute:02d}",
        "f": hour_12,
        "P": hour_12_words,
    }
    pieces: list[str | Callable[[Any], str]] = []
    for index, piece in enumerate(dateformat.re_formatchars.split(pattern)):
        if index % 2 == 0:
            if piece:
                pieces.append(dateformat.re_escaped.sub(r"\1", piece))
        elif piece in parts:
            pieces.append(parts[piece])
        else:
            return django_format

    def formatter(value: date) -> str:
        return "".join(piece if isinstance(piece, str) else piece(value) for piece in pieces)

    return formatter


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


# --- Moments and countdowns in the customer's words ---------------------------------------

# CLDR patterns for a moment in words: "jueves 3 de diciembre, 10:00" / "Thursday 3 December,
# 10:00"; the year only when it is not the reader's current one.
_MOMENT_PATTERNS = {
    "es": ("EEEE d 'de' MMMM", "EEEE d 'de' MMMM 'de' y"),
    "en": ("EEEE d MMMM", "EEEE d MMMM y"),
}


def _zone_of(zone: str | ZoneInfo | tzinfo | None) -> tzinfo:
    if zone is None:
        return timezone.get_current_timezone()
    return zone if isinstance(zone, tzinfo) else ZoneInfo(str(zone))


def _offset_text(zone: tzinfo, at: datetime) -> str:
    offset = at.astimezone(zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def zone_city(zone: str | ZoneInfo | tzinfo, language: str | None = None) -> str:
    """The city an IANA zone is named after, in the reader's language ("Caracas", "Bogotá",
    "Buenos Aires" for America/Argentina/Buenos_Aires); "" for zones named after no city
    (UTC, Etc/GMT+5)."""
    return _city_of(getattr(zone, "key", None) or str(zone), language_code(language))


@cache
def _city_of(name: str, language: str) -> str:
    # Cached: a list names a zone on every row (the queue's fifty), and Babel looks the city
    # up anew each time.
    if "/" not in name or name.startswith("Etc/"):
        return ""
    try:
        city = get_timezone_location(name, locale=language, return_city=True)
    except LookupError:
        city = name
    # Babel keeps the region of three-part names ("Argentina/Buenos Aires"); people say
    # the city.
    return city.split("/")[-1].replace("_", " ")


_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu"})


def zone_short(
    zone: str | ZoneInfo | tzinfo | None = None,
    language: str | None = None,
    *,
    at: datetime | None = None,
) -> str:
    """Whose clock a time follows, in a word for a list's row where rows follow different
    clocks: "Caracas", "Bogotá"; "UTC"; "UTC-05:00" for a zone named after no city."""
    resolved = _zone_of(zone)
    if (getattr(resolved, "key", None) or str(resolved)) in _UTC_NAMES:
        return "UTC"
    return zone_city(resolved, language) or _offset_text(resolved, at or timezone.now())


def zone_phrase(
    zone: str | ZoneInfo | tzinfo | None = None,
    language: str | None = None,
    *,
    at: datetime | None = None,
) -> str:
    """Whose clock a time follows, as said after it: "hora de Caracas" / "Caracas time";
    "UTC"; "UTC-05:00" for a zone named after no city."""
    resolved = _zone_of(zone)
    city = zone_city(resolved, language)
    if not city:  # UTC, or a zone named after no city
        return zone_short(resolved, language, at=at)
    return f"{city} time" if language_code(language) == "en" else f"hora de {city}"


def moment_text(
    value: datetime | None,
    zone: str | ZoneInfo | tzinfo | None = None,
    language: str | None = None,
    *,
    now: datetime | None = None,
    with_zone: bool = True,
) -> str:
    """A moment in the reader's words and zone (the active one when `zone` is None):
    "jueves 3 de diciembre, 10:00 (hora de Caracas)", "Thursday 3 December, 10:00 (Caracas
    time)"; the year when it is not the current one in that zone ("jueves 3 de diciembre de
    2025, 10:00"). Empty for None."""
    if value is None:
        return ""
    resolved = _zone_of(zone)
    code = language_code(language)
    local = value.astimezone(resolved)
    this_year = (now or timezone.now()).astimezone(resolved).year
    pattern = _MOMENT_PATTERNS[code][local.year != this_year]
    locale = document_locale(code)
    day = format_datetime(local, pattern, locale=locale)
    text = f"{day}, {local:%H:%M}"
    if with_zone:
        text += f" ({zone_phrase(resolved, code, at=value)})"
    return text


def day_text(value: date | None, language: str | None = None, *, today: date | None = None) -> str:
    """A day in the reader's words: "jueves 3 de diciembre", "Thursday 3 December"; the year
    when it is not `today`'s (the reader's today, in the active zone when not given)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    code = language_code(language)
    current = today or timezone.localdate()
    pattern = _MOMENT_PATTERNS[code][value.year != current.year]
    return _format_date(value, format=pattern, locale=document_locale(code))


def _span_text(span: timedelta, language: str) -> str:
    """A span as a countdown says it, cut (never rounded up) to what a person needs: minutes
    under an hour, hours and minutes under a day, days and hours beyond."""
    english = language == "en"
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return "under 1 min" if english else "menos de 1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    unit = {("en", True): "day", ("en", False): "days", ("es", True): "día"}.get(
        (language, days == 1), "días"
    )
    return f"{days} {unit} {hours} h" if hours else f"{days} {unit}"


@dataclass(frozen=True)
class Countdown:
    """What an SLA badge says next to a due time: `text` ("vence en 2 h 10 min") and `tone`
    (ok, warning, breach, paused, muted) for its colour."""

    text: str
    tone: str

    def __str__(self) -> str:
        return self.text


def sla_countdown(
    state: str,
    due_at: datetime | None,
    *,
    now: datetime,
    language: str | None = None,
    late_by: timedelta | None = None,
    paused: bool = False,
) -> Countdown:
    """The SLA countdown for a state of `sla.selectors.sla_state_rules` and the earliest
    due time of the open clocks: "vence en 2 h 10 min" / "due in 2 h 10 min", "vencido hace
    3 h" / "overdue by 3 h", "pausado" / "paused", "cumplido" / "met", "sin SLA" / "no SLA".
    Wall-clock time (what the customer's watch says), cut to the minute.

    A breached clock that no longer counts (stopped, or paused waiting on the customer) does
    not count down: given its `late_by` (`sla.selectors.clock_late_by`), "retraso de 50 h 00
    min" / "late by 50 h 00 min", in business time as the SLA report says it; the time since
    its due time would keep growing after the request was answered. A list that knows only
    that a breached request's clocks are `paused` says so, in the breach's colour."""
    english = language_code(language) == "en"
    if state == "breached" and late_by is not None:
        late = format_duration(late_by)
        return Countdown(f"late by {late}" if english else f"retraso de {late}", "breach")
    if state == "breached" and paused:
        return Countdown("paused" if english else "pausado", "breach")
    if state == "paused":
        return Countdown("paused" if english else "pausado", "paused")
    if state == "met":
        return Countdown("met" if english else "cumplido", "ok")
    if state not in ("running", "warning", "breached") or (due_at is None and state != "breached"):
        return Countdown("no SLA" if english else "sin SLA", "muted")
    if due_at is None:
        return Countdown("overdue" if english else "vencido", "breach")
    code = "en" if english else "es"
    if due_at <= now:
        span = _span_text(now - due_at, code)
        return Countdown(f"overdue by {span}" if english else f"vencido hace {span}", "breach")
    span = _span_text(due_at - now, code)
    # A breached subject whose earliest due time is still ahead breached on a clock that
    # stopped (a late first reply) while the next one counts down: it is not overdue.
    tone = {"breached": "breach", "warning": "warning"}.get(state, "ok")
    return Countdown(f"due in {span}" if english else f"vence en {span}", tone)
