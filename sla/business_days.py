"""Deadlines counted in whole business days ("answer within 2 business days")."""

from datetime import datetime, timedelta

from sla.calendars import Calendar, to_us

# A calendar with no working day in this many days is broken; stop rather than loop.
SEARCH_LIMIT_DAYS = 3 * 366


def end_of_business_days(start: datetime, days: int, calendar: Calendar) -> datetime:
    """When the `days`-th working day after `start`'s local date closes.

    Asked on Tuesday at 10:00 with two business days to answer: the deadline is Thursday's
    closing time; a holiday or weekend in between does not count. On a 24x7 calendar it is
    simply `days` days later.
    """
    to_us(start, "start")
    if days < 0:
        raise ValueError("days must be zero or more")
    if calendar.always_open or days == 0:
        return start + timedelta(days=days)
    zone = calendar.zone
    day = start.astimezone(zone).date()
    counted = 0
    for _ in range(SEARCH_LIMIT_DAYS):
        day += timedelta(days=1)
        windows = calendar.windows_on(day)
        if not windows:
            continue
        counted += 1
        if counted == days:
            last_start, last_end = max(windows)
            closing_day = day + timedelta(days=1) if last_end <= last_start else day
            return datetime.combine(closing_day, last_end, tzinfo=zone)
    raise ValueError(f"no working day within {SEARCH_LIMIT_DAYS} days of {start}")
