"""Business-time arithmetic: worked examples, bad input, and properties against the oracle."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sla.calendars import (
    Calendar,
    Window,
    add_business_time,
    add_business_time_many,
    business_time_between,
    explain_due,
    is_working_time,
)
from sla.exceptions import (
    CalendarWithoutWorkingTime,
    ConflictingCalendarDates,
    NaiveDatetime,
    NegativeDuration,
    OverlappingIntervals,
    SlaError,
    UnknownCountry,
    UnknownSubdivision,
    UnknownTimeZone,
)
from tests.sla.oracle import oracle_add, oracle_between

BOGOTA = ZoneInfo("America/Bogota")
MADRID = ZoneInfo("Europe/Madrid")
SANTIAGO = ZoneInfo("America/Santiago")
BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")
WEEKDAYS = range(5)

# Seed 001: Monday to Friday 08:00-16:30 Bogota, Colombian holidays.
TECNOLINUX = Calendar.build(
    "America/Bogota", {d: [("08:00", "16:30")] for d in WEEKDAYS}, country="CO"
)
# A lunch break, to check that a due time lands on 12:00 and not on 13:00.
SPLIT_DAY = Calendar.build(
    "America/Bogota", {d: [("08:00", "12:00"), ("13:00", "17:00")] for d in WEEKDAYS}
)
# Seed 000: 10:00-17:00 Monday to Friday, GMT-3.
ALTOMARKETING = Calendar.build(
    "America/Argentina/Buenos_Aires", {d: [("10:00", "17:00")] for d in WEEKDAYS}, country="AR"
)
# Night shifts crossing midnight, every day, on zones that change their clocks.
MADRID_NIGHTS = Calendar.build("Europe/Madrid", {d: [("22:00", "06:00")] for d in range(7)})
SANTIAGO_NIGHTS = Calendar.build("America/Santiago", {d: [("21:00", "03:00")] for d in range(7)})


def at(zone, *args):
    return datetime(*args, tzinfo=zone)


@pytest.mark.parametrize(
    ("calendar", "start", "duration", "due"),
    [
        # Friday 15:00 + 4 h: 1 h 30 on Friday, 2 h 30 on Monday.
        (
            TECNOLINUX,
            at(BOGOTA, 2026, 1, 16, 15),
            timedelta(hours=4),
            at(BOGOTA, 2026, 1, 19, 10, 30),
        ),
        # The same on the Friday before Reyes Magos (Monday 12 January 2026): Tuesday.
        (
            TECNOLINUX,
            at(BOGOTA, 2026, 1, 9, 15),
            timedelta(hours=4),
            at(BOGOTA, 2026, 1, 13, 10, 30),
        ),
        # Landing exactly on the closing time shows the closing time, not the next opening.
        (
            TECNOLINUX,
            at(BOGOTA, 2026, 1, 16, 12),
            timedelta(hours=4, minutes=30),
            at(BOGOTA, 2026, 1, 16, 16, 30),
        ),
        (SPLIT_DAY, at(BOGOTA, 2026, 1, 14, 11), timedelta(hours=1), at(BOGOTA, 2026, 1, 14, 12)),
        (
            SPLIT_DAY,
            at(BOGOTA, 2026, 1, 14, 11),
            timedelta(hours=1, minutes=1),
            at(BOGOTA, 2026, 1, 14, 13, 1),
        ),
        # A start on Saturday counts from Monday's opening.
        (TECNOLINUX, at(BOGOTA, 2026, 1, 17, 9), timedelta(hours=2), at(BOGOTA, 2026, 1, 19, 10)),
        # A start before opening counts from the opening.
        (
            ALTOMARKETING,
            at(BUENOS_AIRES, 2026, 3, 4, 7),
            timedelta(hours=2),
            at(BUENOS_AIRES, 2026, 3, 4, 12),
        ),
        (
            ALTOMARKETING,
            at(BUENOS_AIRES, 2026, 3, 4, 16),
            timedelta(hours=2),
            at(BUENOS_AIRES, 2026, 3, 5, 11),
        ),
        # Zero duration is due at the start, even outside working hours.
        (TECNOLINUX, at(BOGOTA, 2026, 1, 17, 9), timedelta(0), at(BOGOTA, 2026, 1, 17, 9)),
        # Madrid springs forward on 29 March 2026 at 02:00: Saturday's night shift is 7 h.
        (
            MADRID_NIGHTS,
            at(MADRID, 2026, 3, 28, 22),
            timedelta(hours=7),
            at(MADRID, 2026, 3, 29, 6),
        ),
        # ... and falls back on 25 October 2026 at 03:00: that night's shift is 9 h.
        (
            MADRID_NIGHTS,
            at(MADRID, 2026, 10, 24, 22),
            timedelta(hours=9),
            at(MADRID, 2026, 10, 25, 6),
        ),
        # Santiago falls back at 24:00 on 4 April 2026 (to 23:00): 7 h that night.
        (
            SANTIAGO_NIGHTS,
            at(SANTIAGO, 2026, 4, 4, 21),
            timedelta(hours=7),
            at(SANTIAGO, 2026, 4, 5, 3),
        ),
        # ... and springs forward on 6 September 2026 at 00:00 (to 01:00): 5 h that night.
        (
            SANTIAGO_NIGHTS,
            at(SANTIAGO, 2026, 9, 5, 21),
            timedelta(hours=5),
            at(SANTIAGO, 2026, 9, 6, 3),
        ),
    ],
)
def test_worked_examples(calendar, start, duration, due):
    result = add_business_time(start, duration, calendar)

    assert result == due
    assert business_time_between(start, result, calendar) == duration


def test_the_due_time_keeps_the_time_zone_of_the_start():
    start = at(BOGOTA, 2026, 1, 16, 15).astimezone(UTC)

    due = add_business_time(start, timedelta(hours=4), TECNOLINUX)

    assert due.tzinfo is UTC
    assert due == at(BOGOTA, 2026, 1, 19, 10, 30)


def test_a_closure_added_by_the_provider_is_skipped_like_a_holiday():
    # The holidays package may miss a new holiday: the provider adds it as a closure.
    calendar = Calendar.build(
        "America/Bogota",
        {d: [("08:00", "16:30")] for d in WEEKDAYS},
        country="CO",
        closures=[(date(2026, 1, 19), "Festivo nuevo")],
    )

    due = add_business_time(at(BOGOTA, 2026, 1, 16, 15), timedelta(hours=4), calendar)

    assert due == at(BOGOTA, 2026, 1, 20, 10, 30)
    explanation = explain_due(at(BOGOTA, 2026, 1, 16, 15), timedelta(hours=4), calendar)
    assert "lunes 19/01/2026 (cierre Festivo nuevo)" in "\n".join(explanation.lines())


def test_a_day_closed_twice_is_one_closure_with_both_names():
    calendar = Calendar.build(
        "America/Bogota",
        {d: [("08:00", "16:30")] for d in WEEKDAYS},
        closures=[(date(2026, 12, 24), "Nochebuena"), (date(2026, 12, 24), "Inventario")],
    )

    assert [(c.on, c.name) for c in calendar.closures] == [
        (date(2026, 12, 24), "Nochebuena / Inventario")
    ]


def test_an_extra_working_day_keeps_its_name():
    calendar = Calendar.build(
        "America/Bogota",
        {d: [("08:00", "16:30")] for d in WEEKDAYS},
        openings=[(date(2026, 1, 10), "09:00", "12:00", "Sábado de inventario")],
    )

    assert calendar.openings[0].name == "Sábado de inventario"


def test_an_extra_working_day_replaces_that_days_hours_and_overrides_a_holiday():
    calendar = Calendar.build(
        "America/Bogota",
        {d: [("08:00", "16:30")] for d in WEEKDAYS},
        country="CO",
        openings=[(date(2026, 1, 10), "09:00", "12:00"), (date(2026, 1, 12), "08:00", "10:00")],
    )

    # Friday 16:00 + 4 h: 30 min Friday, 3 h on the extra Saturday, 30 min on the worked holiday.
    due = add_business_time(at(BOGOTA, 2026, 1, 9, 16), timedelta(hours=4), calendar)

    assert due == at(BOGOTA, 2026, 1, 12, 8, 30)


def test_months_long_durations_match_the_oracle():
    start = at(BOGOTA, 2026, 2, 3, 9, 17)
    duration = timedelta(hours=8 * 5 * 14 + 3, minutes=11)  # about three and a half months

    due = add_business_time(start, duration, TECNOLINUX)

    assert due == oracle_add(start, duration, TECNOLINUX)
    assert business_time_between(start, due, TECNOLINUX) == duration


def test_a_24x7_calendar_is_plain_elapsed_time():
    always = Calendar.build("America/Bogota", always_open=True)
    start = at(BOGOTA, 2026, 1, 17, 23, 50)

    assert add_business_time(start, timedelta(hours=5), always) == start + timedelta(hours=5)
    assert business_time_between(start, start + timedelta(days=3), always) == timedelta(days=3)


def test_between_is_negative_when_the_order_is_reversed():
    first, second = at(BOGOTA, 2026, 1, 16, 9), at(BOGOTA, 2026, 1, 19, 9)

    assert business_time_between(first, second, TECNOLINUX) == timedelta(hours=8, minutes=30)
    assert business_time_between(second, first, TECNOLINUX) == -timedelta(hours=8, minutes=30)


def test_working_time_membership():
    assert is_working_time(at(BOGOTA, 2026, 1, 16, 16, 29), TECNOLINUX)
    assert not is_working_time(at(BOGOTA, 2026, 1, 16, 16, 30), TECNOLINUX)
    assert not is_working_time(at(BOGOTA, 2026, 1, 12, 10), TECNOLINUX)  # Reyes Magos


def test_explanation_names_windows_weekends_and_holidays():
    explanation = explain_due(at(BOGOTA, 2026, 1, 9, 15), timedelta(hours=4), TECNOLINUX)

    assert explanation.due_at == at(BOGOTA, 2026, 1, 13, 10, 30)
    assert [step.kind for step in explanation.steps] == ["work", "skip", "work"]
    assert [day.reason for day in explanation.steps[1].skipped] == ["weekend", "weekend", "holiday"]
    assert explanation.lines("es") == [
        "Zona horaria: Bogotá (UTC-05:00)",
        "Inicio 09/01/2026 15:00, objetivo 4 h 00 min hábiles",
        "09/01/2026 15:00 → 09/01/2026 16:30: 1 h 30 min hábiles",
        "09/01/2026 16:30 → 13/01/2026 08:00: se omite sábado 10/01/2026 (día no "
        "laborable), domingo 11/01/2026 (día no laborable), lunes 12/01/2026 (festivo Día de los "
        "Reyes Magos (observado))",
        "13/01/2026 08:00 → 13/01/2026 10:30: 2 h 30 min hábiles",
        "Vence 13/01/2026 10:30",
    ]
    assert explanation.lines("en")[0] == "Time zone: Bogota (UTC-05:00)"
    assert explanation.lines("en")[-1] == "Due 13 Jan 2026, 10:30"


def test_explanation_calls_an_ordinary_evening_outside_hours():
    explanation = explain_due(at(BOGOTA, 2026, 1, 14, 16), timedelta(hours=1), TECNOLINUX)

    assert explanation.lines("en")[3] == (
        "14 Jan 2026, 16:30 → 15 Jan 2026, 08:00: outside working hours"
    )
    assert sum((s.business_time for s in explanation.steps), timedelta(0)) == timedelta(hours=1)


def test_batch_form_matches_the_scalar_form():
    rng = np.random.default_rng(7)
    base = int(at(BOGOTA, 2026, 1, 1).timestamp()) * 1_000_000
    starts = base + rng.integers(0, 400 * 86_400, 2_000) * 1_000_000
    durations = rng.integers(0, 200 * 60, 2_000) * 60_000_000
    durations[:10] = 0

    due = add_business_time_many(starts.astype("datetime64[us]"), durations, TECNOLINUX)

    for start_us, duration_us, due_at in zip(starts, durations, due, strict=True):
        start = datetime.fromtimestamp(int(start_us) / 1e6, UTC)
        expected = add_business_time(start, timedelta(microseconds=int(duration_us)), TECNOLINUX)
        assert due_at.astype(datetime).replace(tzinfo=UTC) == expected


def test_batch_form_of_a_24x7_calendar():
    always = Calendar.build("UTC", always_open=True)
    starts = np.array(["2026-01-01T10:00"], dtype="datetime64[us]")

    due = add_business_time_many(starts, np.array([np.timedelta64(90, "m")]), always)

    assert due[0] == np.datetime64("2026-01-01T11:30")


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"time_zone": "America/Bogota", "hours": {}}, CalendarWithoutWorkingTime, "intervals"),
        (
            {"time_zone": "Mars/Olympus", "hours": {0: [("08:00", "12:00")]}},
            UnknownTimeZone,
            "time_zone",
        ),
        (
            {"time_zone": "America/Bogota", "hours": {0: [("08:00", "12:00")]}, "country": "XX"},
            UnknownCountry,
            "holiday_country",
        ),
        (
            {
                "time_zone": "America/Bogota",
                "hours": {0: [("08:00", "12:00")]},
                "country": "CO",
                "subdivision": "ZZ",
            },
            UnknownSubdivision,
            "holiday_subdivision",
        ),
        (
            {"time_zone": "America/Bogota", "hours": {0: [("08:00", "12:00"), ("11:00", "13:00")]}},
            OverlappingIntervals,
            "intervals",
        ),
        (
            # Monday's night shift runs into Tuesday's morning.
            {
                "time_zone": "America/Bogota",
                "hours": {0: [("22:00", "06:00")], 1: [("05:00", "09:00")]},
            },
            OverlappingIntervals,
            "intervals",
        ),
        (
            # Sunday's night shift runs into Monday's morning: the week is a cycle.
            {
                "time_zone": "America/Bogota",
                "hours": {6: [("22:00", "06:00")], 0: [("05:30", "09:00")]},
            },
            OverlappingIntervals,
            "intervals",
        ),
        (
            {
                "time_zone": "America/Bogota",
                "hours": {0: [("08:00", "12:00")]},
                "closures": [date(2026, 1, 10)],
                "openings": [(date(2026, 1, 10), "09:00", "10:00")],
            },
            ConflictingCalendarDates,
            "dates",
        ),
    ],
)
def test_bad_calendars_are_refused_naming_the_field(kwargs, error, field):
    with pytest.raises(error) as refused:
        Calendar.build(**kwargs)

    assert isinstance(refused.value, SlaError)
    assert refused.value.field == field
    assert refused.value.message("es")
    assert refused.value.as_dict("en")["fields"] == {field: [refused.value.message("en")]}


def test_naive_datetimes_are_refused():
    with pytest.raises(NaiveDatetime) as refused:
        add_business_time(datetime(2026, 1, 16, 15), timedelta(hours=1), TECNOLINUX)  # noqa: DTZ001
    assert refused.value.code == "naive_datetime"

    with pytest.raises(NaiveDatetime):
        business_time_between(at(BOGOTA, 2026, 1, 16), datetime(2026, 1, 17), TECNOLINUX)  # noqa: DTZ001


def test_negative_durations_are_refused():
    with pytest.raises(NegativeDuration):
        add_business_time(at(BOGOTA, 2026, 1, 16), timedelta(minutes=-1), TECNOLINUX)


def test_calendar_values_compare_by_content():
    first = Calendar.build("America/Bogota", {0: [("08:00", "12:00")]}, name="a")
    second = Calendar.build("America/Bogota", {0: [("08:00", "12:00")]}, name="b")

    assert first == second
    assert hash(first) == hash(second)


# --- properties against the minute-stepping oracle ----------------------------------------------

ZONES = ["America/Bogota", "America/Argentina/Buenos_Aires", "America/Santiago", "Europe/Madrid"]
# Days around the 2026 clock changes of Santiago and Madrid, besides ordinary days.
AROUND_CLOCK_CHANGES = [date(2026, 3, 27), date(2026, 4, 3), date(2026, 9, 4), date(2026, 10, 23)]


@st.composite
def calendars(draw):
    zone = draw(st.sampled_from(ZONES))
    # Break points on a 15-minute grid of the week, paired into windows of at most 24 hours:
    # sorted and disjoint by construction, some of them crossing midnight.
    points = sorted(draw(st.sets(st.integers(0, 7 * 96 - 1), min_size=2, max_size=16)))
    windows = []
    for opens, closes in zip(points[::2], points[1::2], strict=False):
        if closes - opens <= 96:
            weekday, start = divmod(opens * 15, 1440)
            windows.append(
                Window(weekday, time(*divmod(start, 60)), time(*divmod(closes * 15 % 1440, 60)))
            )
    assume(windows)
    base = draw(st.sampled_from(AROUND_CLOCK_CHANGES))
    closures = draw(st.lists(st.integers(0, 30), max_size=4, unique=True))
    opening_days = draw(
        st.lists(st.integers(0, 30), max_size=2, unique=True).filter(
            lambda days: not set(days) & set(closures)
        )
    )
    openings = []
    for offset in opening_days:
        opens = draw(st.integers(0, 95))
        length = draw(st.integers(1, 40))
        openings.append(
            (
                base + timedelta(days=offset),
                f"{opens * 15 // 60:02d}:{opens * 15 % 60:02d}",
                f"{(opens + length) * 15 % 1440 // 60:02d}:{(opens + length) * 15 % 60:02d}",
            )
        )
    hours: dict[int, list[tuple[str, str]]] = {}
    for window in windows:
        hours.setdefault(window.weekday, []).append(
            (f"{window.starts_at:%H:%M}", f"{window.ends_at:%H:%M}")
        )
    return Calendar.build(
        zone,
        hours,
        country=draw(st.sampled_from(["", "CO", "CL", "ES"])),
        closures=[base + timedelta(days=offset) for offset in closures],
        openings=openings,
    )


@st.composite
def cases(draw):
    calendar = draw(calendars())
    base = min(c.on for c in calendar.closures) if calendar.closures else date(2026, 3, 27)
    day = draw(st.sampled_from([*AROUND_CLOCK_CHANGES, base]))
    minute = draw(st.integers(0, 3 * 1440))
    start = datetime.combine(day, time(), tzinfo=ZoneInfo(calendar.time_zone)) + timedelta(
        minutes=minute
    )
    weekly_minutes = calendar.weekly_seconds // 60
    duration = timedelta(minutes=draw(st.integers(0, min(2 * weekly_minutes, 4 * 1440))))
    return calendar, start.astimezone(UTC), duration


PROPERTY_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(cases())
def test_add_matches_the_minute_oracle(case):
    calendar, start, duration = case

    assert add_business_time(start, duration, calendar) == oracle_add(start, duration, calendar)


@PROPERTY_SETTINGS
@given(cases(), st.integers(0, 6 * 1440))
def test_between_matches_the_minute_oracle(case, span_minutes):
    calendar, start, _duration = case
    end = start + timedelta(minutes=span_minutes)

    assert business_time_between(start, end, calendar) == oracle_between(start, end, calendar)


@PROPERTY_SETTINGS
@given(cases(), st.integers(0, 6 * 1440))
def test_add_and_between_are_inverses(case, span_minutes):
    calendar, start, duration = case

    # between(start, add(start, d)) is always d ...
    due = add_business_time(start, duration, calendar)
    assert business_time_between(start, due, calendar) == duration
    # ... and add(start, between(start, t)) is t exactly when t is working time or a closing
    # time; otherwise it is the last closing time before t (the earliest instant with that
    # much business time).
    end = start + timedelta(minutes=span_minutes)
    back = add_business_time(start, business_time_between(start, end, calendar), calendar)
    assert back <= end
    assert business_time_between(back, end, calendar) == timedelta(0)
    if is_working_time(end - timedelta(minutes=1), calendar) and end > start:
        assert back == end


@PROPERTY_SETTINGS
@given(cases())
def test_batch_matches_scalar_on_random_calendars(case):
    calendar, start, duration = case

    due = add_business_time_many(
        np.array([start.replace(tzinfo=None)], dtype="datetime64[us]"),
        np.array([duration], dtype="timedelta64[us]"),
        calendar,
    )

    assert due[0].astype(datetime).replace(tzinfo=UTC) == add_business_time(
        start, duration, calendar
    )
