"""A deliberately naive business-time oracle: it walks minute by minute.

It shares no code with `sla.calendars` beyond reading the calendar's fields: it looks at
the wall clock of each minute and asks whether an open day's window contains it. Inputs
must be whole minutes (the windows, the starts, the durations), which is what lets a
minute walk be exact. Used by the property tests and by `bench/sla_calendar.py`.
"""

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from sla.calendars import Calendar

MINUTE = timedelta(minutes=1)


@lru_cache(maxsize=64)
def _package_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


def _windows_opening_on(calendar: Calendar, day: date) -> list[tuple[datetime, datetime]]:
    openings = [o for o in calendar.openings if o.on == day]
    if openings:
        spans = [(o.starts_at, o.ends_at) for o in openings]
    elif any(c.on == day for c in calendar.closures) or (
        calendar.holiday_country
        and day
        in _package_holidays(calendar.holiday_country, calendar.holiday_subdivision, day.year)
    ):
        spans = []
    else:
        spans = [(w.starts_at, w.ends_at) for w in calendar.windows if w.weekday == day.weekday()]
    result = []
    for starts_at, ends_at in spans:
        end_day = day + timedelta(days=1) if ends_at <= starts_at else day
        result.append((datetime.combine(day, starts_at), datetime.combine(end_day, ends_at)))
    return result


def is_open(moment: datetime, calendar: Calendar) -> bool:
    if calendar.always_open:
        return True
    wall = moment.astimezone(ZoneInfo(calendar.time_zone)).replace(tzinfo=None)
    for day in (wall.date() - timedelta(days=1), wall.date()):
        for opens, closes in _windows_opening_on(calendar, day):
            if opens <= wall < closes:
                return True
    return False


def oracle_add(start: datetime, duration: timedelta, calendar: Calendar) -> datetime:
    """Walk minutes from `start` until `duration` minutes of working time were counted."""
    remaining = int(duration / MINUTE)
    moment = start.astimezone(UTC)
    if remaining == 0:
        return moment
    while True:
        if is_open(moment, calendar):
            remaining -= 1
            if remaining == 0:
                return moment + MINUTE
        moment += MINUTE


def oracle_between(first: datetime, second: datetime, calendar: Calendar) -> timedelta:
    moment, end = first.astimezone(UTC), second.astimezone(UTC)
    counted = 0
    while moment < end:
        counted += is_open(moment, calendar)
        moment += MINUTE
    return counted * MINUTE
