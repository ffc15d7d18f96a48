"""A time typed on a wall clock, for something that has happened (core.instants.wall_clock_past),
across the changes of daylight saving time."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.instants import wall_clock_past
from creditdesk.web.status_forms import IncidentForm

MADRID = ZoneInfo("Europe/Madrid")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # its clocks move by half an hour


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "typed", "now", "meant"),
    [
        # an ordinary minute has one reading, past or not
        (MADRID, "2026-10-24 02:40", "2026-10-25 09:00", "2026-10-24 00:40"),
        (MADRID, "2026-10-26 02:40", "2026-10-25 09:00", "2026-10-26 01:40"),
        # Madrid repeats 02:00-03:00 on 25 October 2026: first at 00:00 UTC, then at 01:00
        (MADRID, "2026-10-25 02:40", "2026-10-25 00:40", "2026-10-25 00:40"),
        (MADRID, "2026-10-25 02:40", "2026-10-25 01:40", "2026-10-25 01:40"),
        (MADRID, "2026-10-25 02:50", "2026-10-25 01:40", "2026-10-25 00:50"),
        (MADRID, "2026-10-25 02:10", "2026-10-25 09:00", "2026-10-25 01:10"),
        # both readings still to come: the earlier, for the caller to refuse
        (MADRID, "2026-10-25 02:10", "2026-10-24 12:00", "2026-10-25 00:10"),
        # Lord Howe repeats 01:30-02:00 on 5 April 2026 (UTC+11 then UTC+10:30)
        (LORD_HOWE, "2026-04-05 01:45", "2026-04-05 12:00", "2026-04-04 15:15"),
        (LORD_HOWE, "2026-04-05 01:45", "2026-04-04 14:50", "2026-04-04 14:45"),
    ],
)
def test_a_past_moment_is_the_later_reading_already_past(zone, typed, now, meant):
    moment = wall_clock_past(datetime.fromisoformat(typed), zone, now=utc(now))
    assert moment == utc(meant)


def test_a_time_the_clocks_skipped_names_no_moment():
    # Madrid skips 02:00-03:00 on 29 March 2026
    skipped = datetime.fromisoformat("2026-03-29 02:30")
    assert wall_clock_past(skipped, MADRID, now=utc("2026-03-30 00:00")) is None


def test_an_incidents_start_typed_in_the_repeated_hour_is_read_not_refused(time_machine):
    time_machine.move_to(utc("2026-10-25 01:40:20"), tick=False)
    field = IncidentForm.base_fields["started_at"]
    with timezone.override(MADRID):
        assert field.clean("2026-10-25T02:40") == utc("2026-10-25 01:40")
