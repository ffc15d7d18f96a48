from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla.business_days import SEARCH_LIMIT_DAYS, end_of_business_days
from sla.calendars import Calendar
from sla.exceptions import NaiveDatetime

BOGOTA = ZoneInfo("America/Bogota")
WEEKDAYS = {day: [("08:00", "12:00"), ("13:00", "16:30")] for day in range(5)}
CALENDAR = Calendar.build("America/Bogota", WEEKDAYS, country="CO")


def local(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=BOGOTA)


@pytest.mark.parametrize(
    ("start", "days", "deadline"),
    [
        # Tuesday 10:00 -> Thursday's closing time.
        (local(2026, 11, 17, 10, 0), 2, local(2026, 11, 19, 16, 30)),
        # Thursday -> the weekend does not count: Monday.
        (local(2026, 11, 19, 10, 0), 2, local(2026, 11, 23, 16, 30)),
        # Friday 13 November -> Monday 16 is a holiday (Independencia de Cartagena): Wednesday.
        (local(2026, 11, 13, 15, 0), 2, local(2026, 11, 18, 16, 30)),
        # Asked on a Saturday: Monday and Tuesday count.
        (local(2026, 11, 21, 9, 0), 2, local(2026, 11, 24, 16, 30)),
    ],
)
def test_deadline_is_the_close_of_the_nth_working_day(start, days, deadline):
    assert end_of_business_days(start, days, CALENDAR) == deadline


def test_a_night_shift_closes_the_next_morning():
    nights = Calendar.build("America/Bogota", {day: [("22:00", "06:00")] for day in range(5)})

    due = end_of_business_days(datetime(2026, 11, 17, 23, 0, tzinfo=BOGOTA), 1, nights)

    assert due == datetime(2026, 11, 19, 6, 0, tzinfo=BOGOTA)


def test_always_open_counts_plain_days():
    start = datetime(2026, 11, 17, 10, 0, tzinfo=BOGOTA)
    always = Calendar.build("UTC", always_open=True)

    assert (end_of_business_days(start, 2, always) - start).days == 2


def test_zero_days_is_due_at_once_even_outside_hours():
    saturday_night = local(2026, 11, 21, 23, 0)

    assert end_of_business_days(saturday_night, 0, CALENDAR) == saturday_night


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match=r"^days must be zero or more$"):
        end_of_business_days(local(2026, 11, 17, 10, 0), -1, CALENDAR)


def test_a_naive_start_is_refused_naming_the_start():
    with pytest.raises(NaiveDatetime) as refused:
        end_of_business_days(datetime(2026, 11, 17, 10, 0), 2, CALENDAR)  # noqa: DTZ001

    assert refused.value.field == "start"


def test_a_24_hour_window_closes_at_the_next_midnight():
    # 00:00-00:00 is a whole day: Tuesday's window closes when Wednesday begins.
    whole_days = Calendar.build("America/Bogota", {day: [("00:00", "00:00")] for day in range(5)})

    due = end_of_business_days(local(2026, 11, 16, 10, 0), 1, whole_days)

    assert due == local(2026, 11, 18, 0, 0)


def test_the_start_day_counts_in_the_calendars_zone():
    # 2026-11-17 02:00 UTC is still Monday 16 evening in Bogota: Tuesday is the first day.
    start = datetime(2026, 11, 17, 2, 0, tzinfo=ZoneInfo("UTC"))

    assert end_of_business_days(start, 1, CALENDAR) == local(2026, 11, 17, 16, 30)


def test_a_calendar_without_a_working_day_in_years_is_refused_rather_than_looped():
    # Open on Mondays only, and every Monday for four years is closed.
    first_monday = date(2026, 11, 16)
    mondays = [first_monday + timedelta(weeks=week) for week in range(4 * 53)]
    closed = Calendar.build("America/Bogota", {0: [("08:00", "12:00")]}, closures=mondays)

    with pytest.raises(ValueError, match=f"no working day within {SEARCH_LIMIT_DAYS} days"):
        end_of_business_days(local(2026, 11, 15, 10, 0), 1, closed)
