from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sla.business_days import end_of_business_days
from sla.calendars import Calendar

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
