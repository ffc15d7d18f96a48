"""The instants and months Creditdesk accepts from people: the years 1900 to 2999, in UTC.

Nothing Creditdesk records (a contract, a payment, a work log, an SLA report) lies outside
these years, so a date outside them is a typing mistake or a probe. The extremes are worse
than wrong: SQLite cannot move `9999-12-31T23:59:59-14:00` to UTC, and the month after
December 9999 does not exist. Every entry point that reads a time from a person (the API's
fields and filters, the pages' forms and URLs) checks it here, before any query or write.
Services add their own, narrower windows (work not before the ticket was opened, say).
"""

import re
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from zoneinfo import available_timezones

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

FIRST_YEAR = 1900
LAST_YEAR = 2999
EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
LATEST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)  # exclusive

OUT_OF_RANGE = _("La fecha debe estar entre los años %(first)s y %(last)s.")


@cache
def iana_zones() -> frozenset[str]:
    """The IANA zones a customer or a reader may be in: the system's database, less the
    names that are no place ("localtime" is whatever zone the server runs in, "Factory"
    the database's placeholder)."""
    return frozenset(available_timezones()) - {"localtime", "Factory", "posixrules"}


def out_of_range() -> ValidationError:
    return ValidationError(
        OUT_OF_RANGE, code="out_of_range", params={"first": FIRST_YEAR, "last": LAST_YEAR}
    )


def instant_check(value: datetime) -> datetime:
    """`value` (aware) when it lies within the accepted years; otherwise a ValidationError."""
    try:
        in_utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise out_of_range() from None
    if not EARLIEST <= in_utc < LATEST:
        raise out_of_range()
    return value


def wall_clock_past(typed: datetime, zone: tzinfo, *, now: datetime) -> datetime | None:
    """The instant (UTC) a naive wall-clock time `typed` in `zone` names, for something that
    has happened. In the hour a change of daylight saving time repeats, each minute reads
    twice: the later reading not after `now`, else the earlier (for the caller to refuse as
    the future it is). None for a time the clocks skipped."""
    # Both readings of a repeated minute come back to it, and neither of a skipped one.
    # Compared in UTC: aware datetimes of one zone compare by wall clock, ignoring `fold`.
    readings = [
        in_utc
        for in_utc in (typed.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
        if in_utc.astimezone(zone).replace(tzinfo=None) == typed
    ]
    if not readings:
        return None
    past = [reading for reading in readings if reading <= now]
    return max(past) if past else min(readings)


def day_check(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise out_of_range()
    return value


DAY_OUT_OF_WINDOW = _("La fecha debe estar entre el %(earliest)s y el %(latest)s.")


def day_within(value: date, *, field: str, earliest: date, latest: date) -> date:
    """`value` when earliest <= value <= latest; otherwise InvalidInput naming `field`.
    Services use it for the dates people type: payments, contract starts, plan changes."""
    from core.errors import InvalidInput

    if not earliest <= value <= latest:
        refusal = ValidationError(
            DAY_OUT_OF_WINDOW,
            code="out_of_window",
            params={"earliest": earliest.isoformat(), "latest": latest.isoformat()},
        )
        raise InvalidInput({field: [refusal]})
    return value


_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


def month_parse(text: str) -> date:
    """The first day of the month "YYYY-MM" names; a ValueError for anything else, including
    months outside the accepted years."""
    if not _MONTH.fullmatch(text):  # ASCII digits: str.isdigit() takes other scripts' too
        raise ValueError(f"not a month: {text!r}")
    first = date(int(text[:4]), int(text[5:]), 1)
    try:
        return day_check(first)
    except ValidationError:
        raise ValueError(f"month outside {FIRST_YEAR}-{LAST_YEAR}: {text!r}") from None


class InstantFieldMixin:
    """For a form field that reads a date-time: the cleaned value is within the accepted
    years, or the form shows the out-of-range error under the field."""

    def clean(self, value: object) -> datetime | None:
        cleaned = super().clean(value)  # type: ignore[misc]  # the form field mixed into
        return cleaned if cleaned is None else instant_check(cleaned)


class IsoInstantField(InstantFieldMixin, django_filters.fields.IsoDateTimeField):
    """django-filter's ISO 8601 field, within the accepted years."""


class InstantFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time parameter within the accepted years."""

    field_class = IsoInstantField


class IsoDayField(forms.DateField):
    """A day written YYYY-MM-DD, within the accepted years. Only ISO 8601: a form field's
    localized formats read 09/07/2026 as 9 July in Spanish and 7 September in English."""

    input_formats = ["%Y-%m-%d"]

    def clean(self, value: object) -> date | None:
        cleaned = super().clean(value)
        return cleaned if cleaned is None else day_check(cleaned)


class DayFilter(django_filters.DateFilter):
    """An ISO 8601 day parameter within the accepted years."""

    field_class = IsoDayField


MONTH_INVALID = _("Indique un mes AAAA-MM entre {first}-01 y {last}-12.")


class MonthFormField(forms.CharField):
    """A month written YYYY-MM within the accepted years, cleaned to that text."""

    def clean(self, value: object) -> str:
        text: str = super().clean(value)
        if text in self.empty_values:
            return text
        try:
            month_parse(text)
        except ValueError:
            invalid = format_lazy(MONTH_INVALID, first=FIRST_YEAR, last=LAST_YEAR)
            raise ValidationError(invalid, code="invalid") from None
        return text
