"""Business calendars (sla.calendars) at their edges: what a reader is told (explanations in
both languages, why a day is closed), when a calendar opens next, the refusals' details, and
the timeline far from the dates the other tests use."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from sla.calendars import (
    Calendar,
    Closure,
    Opening,
    Window,
    add_business_time,
    add_business_time_many,
    business_time_between,
    explain_due,
    is_working_time,
    next_working_moment,
)
from sla.exceptions import (
    ConflictingCalendarDates,
    DurationPastCalendar,
    InvalidWeekday,
    MomentOutsideCalendar,
    NaiveDatetime,
    NegativeDuration,
    OverlappingIntervals,
    UnknownCountry,
    UnknownSubdivision,
    UnknownTimeZone,
)

BOGOTA = ZoneInfo("America/Bogota")
MADRID = ZoneInfo("Europe/Madrid")
SANTIAGO = ZoneInfo("America/Santiago")
WEEKDAYS = range(5)
# Monday to Friday 08:00-16:30 Bogota with Colombian holidays; Monday 12 January 2026 is
# Reyes Magos. A stocktaking closure on Tuesday 13, an unnamed one on Wednesday 14, and an
# extra working Saturday on 24 January.
OFFICE = Calendar.build(
    "America/Bogota",
    {day: [("08:00", "16:30")] for day in WEEKDAYS},
    country="CO",
    closures=[(date(2026, 1, 13), "Inventario"), date(2026, 1, 14)],
    openings=[(date(2026, 1, 24), "09:00", "12:00")],
)
ALWAYS = Calendar.build("America/Bogota", always_open=True)


def at(zone, *fields):
    return datetime(*fields, tzinfo=zone)


# --- why a day is closed ----------------------------------------------------------------------


def test_closed_reason_says_why_a_day_has_no_hours():
    assert OFFICE.closed_reason(date(2026, 1, 10)) == ("weekend", "")
    assert OFFICE.closed_reason(date(2026, 1, 12)) == (
        "holiday",
        "Día de los Reyes Magos (observado)",
    )
    assert OFFICE.closed_reason(date(2026, 1, 13)) == ("closure", "Inventario")
    assert OFFICE.closed_reason(date(2026, 1, 14)) == ("closure", "")
    assert OFFICE.closed_reason(date(2026, 1, 15)) is None  # an ordinary Thursday
    assert OFFICE.closed_reason(date(2026, 1, 24)) is None  # the extra working Saturday


# --- explanations ------------------------------------------------------------------------------


def test_explanation_names_every_kind_of_skipped_day_in_both_languages():
    explanation = explain_due(at(BOGOTA, 2026, 1, 9, 15), timedelta(hours=4), OFFICE)

    assert explanation.lines("en") == [
        "Time zone: Bogota (UTC-05:00)",
        "Start 9 Jan 2026, 15:00, target 4 h 00 min of working time",
        "9 Jan 2026, 15:00 → 9 Jan 2026, 16:30: 1 h 30 min of working time",
        "9 Jan 2026, 16:30 → 15 Jan 2026, 08:00: skipped Saturday 10 Jan 2026 (non-working "
        "day), Sunday 11 Jan 2026 (non-working day), Monday 12 Jan 2026 (holiday Día de los Reyes "
        "Magos (observado)), Tuesday 13 Jan 2026 (closure Inventario), Wednesday 14 Jan 2026 "
        "(closure)",
        "15 Jan 2026, 08:00 → 15 Jan 2026, 10:30: 2 h 30 min of working time",
        "Due 15 Jan 2026, 10:30",
    ]
    assert explanation.lines("es")[3] == (
        "09/01/2026 16:30 → 15/01/2026 08:00: se omite sábado 10/01/2026 (día no laborable), "
        "domingo 11/01/2026 (día no laborable), lunes 12/01/2026 (festivo Día de los Reyes "
        "Magos (observado)), martes 13/01/2026 (cierre Inventario), miércoles 14/01/2026 "
        "(cierre)"
    )
    # Spanish is the default.
    assert explanation.lines() == explanation.lines("es")
    assert [step.line() for step in explanation.steps] == explanation.lines("es")[2:-1]


def test_an_ordinary_night_is_outside_hours_in_both_languages():
    explanation = explain_due(at(BOGOTA, 2026, 1, 15, 16), timedelta(hours=1), OFFICE)

    assert explanation.lines("es") == [
        "Zona horaria: Bogotá (UTC-05:00)",
        "Inicio 15/01/2026 16:00, objetivo 1 h 00 min hábiles",
        "15/01/2026 16:00 → 15/01/2026 16:30: 0 h 30 min hábiles",
        "15/01/2026 16:30 → 16/01/2026 08:00: fuera de horario",
        "16/01/2026 08:00 → 16/01/2026 08:30: 0 h 30 min hábiles",
        "Vence 16/01/2026 08:30",
    ]
    assert explanation.lines("en")[3] == (
        "15 Jan 2026, 16:30 → 16 Jan 2026, 08:00: outside working hours"
    )


def test_explanation_reads_in_the_calendars_zone_with_the_offset_of_the_start():
    # Madrid is on summer time (UTC+02:00) in July, whenever the explanation is read.
    madrid = Calendar.build("Europe/Madrid", {day: [("09:00", "17:00")] for day in WEEKDAYS})
    start = at(MADRID, 2026, 7, 1, 16).astimezone(UTC)

    explanation = explain_due(start, timedelta(hours=2), madrid)

    assert explanation.start == at(MADRID, 2026, 7, 1, 16)
    assert explanation.start.tzinfo == MADRID
    assert explanation.due_at == at(MADRID, 2026, 7, 2, 10)
    assert explanation.lines("en") == [
        "Time zone: Madrid (UTC+02:00)",
        "Start 1 Jul 2026, 16:00, target 2 h 00 min of working time",
        "1 Jul 2026, 16:00 → 1 Jul 2026, 17:00: 1 h 00 min of working time",
        "1 Jul 2026, 17:00 → 2 Jul 2026, 09:00: outside working hours",
        "2 Jul 2026, 09:00 → 2 Jul 2026, 10:00: 1 h 00 min of working time",
        "Due 2 Jul 2026, 10:00",
    ]


def test_a_start_at_closing_time_begins_with_the_night_not_an_empty_stretch():
    explanation = explain_due(at(BOGOTA, 2026, 1, 15, 16, 30), timedelta(hours=1), OFFICE)

    assert [step.kind for step in explanation.steps] == ["skip", "work"]
    assert explanation.steps[0].starts_at == at(BOGOTA, 2026, 1, 15, 16, 30)
    assert explanation.due_at == at(BOGOTA, 2026, 1, 16, 9)


def test_explanation_of_a_zero_target_is_due_at_the_start_with_no_steps():
    start = at(BOGOTA, 2026, 1, 17, 9)  # a Saturday: zero is due at once even when closed

    explanation = explain_due(start, timedelta(0), OFFICE)

    assert (explanation.start, explanation.duration, explanation.due_at) == (
        start,
        timedelta(0),
        start,
    )
    assert explanation.steps == ()
    assert explanation.lines("es") == [
        "Zona horaria: Bogotá (UTC-05:00)",
        "Inicio 17/01/2026 09:00, objetivo 0 h 00 min hábiles",
        "Vence 17/01/2026 09:00",
    ]


def test_explanation_on_a_24x7_calendar_is_one_stretch_of_work():
    start = at(BOGOTA, 2026, 1, 17, 23)

    explanation = explain_due(start, timedelta(hours=5), ALWAYS)

    assert (explanation.start, explanation.duration, explanation.due_at) == (
        start,
        timedelta(hours=5),
        at(BOGOTA, 2026, 1, 18, 4),
    )
    assert [
        (step.kind, step.starts_at, step.ends_at, step.business_time) for step in explanation.steps
    ] == [("work", start, at(BOGOTA, 2026, 1, 18, 4), timedelta(hours=5))]
    assert explanation.lines("en")[2] == (
        "17 Jan 2026, 23:00 → 18 Jan 2026, 04:00: 5 h 00 min of working time"
    )


# --- when the calendar opens next ---------------------------------------------------------------


def test_next_working_moment_is_the_moment_itself_during_hours():
    moment = at(BOGOTA, 2026, 1, 15, 10, 17)

    assert next_working_moment(moment, OFFICE) == moment
    assert next_working_moment(moment, ALWAYS) == moment


def test_next_working_moment_is_the_next_opening_when_closed():
    # Friday after closing time, the weekend, the holiday and both closures are skipped.
    assert next_working_moment(at(BOGOTA, 2026, 1, 9, 16, 30), OFFICE) == at(BOGOTA, 2026, 1, 15, 8)
    # Before opening on an ordinary day: that morning's opening.
    assert next_working_moment(at(BOGOTA, 2026, 1, 16, 6), OFFICE) == at(BOGOTA, 2026, 1, 16, 8)
    # The extra Saturday opens at 09:00.
    assert next_working_moment(at(BOGOTA, 2026, 1, 23, 17), OFFICE) == at(BOGOTA, 2026, 1, 24, 9)


# --- refusals name what was wrong ---------------------------------------------------------------


def test_a_naive_moment_is_refused_naming_which_one():
    naive = datetime(2026, 1, 15, 10)  # noqa: DTZ001
    aware = at(BOGOTA, 2026, 1, 15, 10)

    for call, field in [
        (lambda: business_time_between(naive, aware, OFFICE), "first"),
        (lambda: business_time_between(aware, naive, OFFICE), "second"),
        (lambda: business_time_between(aware, naive, ALWAYS), "second"),
        (lambda: is_working_time(naive, OFFICE), "moment"),
        (lambda: is_working_time(naive, ALWAYS), "moment"),
        (lambda: add_business_time(naive, timedelta(hours=1), OFFICE), "start"),
    ]:
        with pytest.raises(NaiveDatetime) as refused:
            call()
        assert refused.value.field == field
        assert refused.value.message("en") == (
            "The date and time 2026-01-15T10:00:00 has no time zone."
        )


def test_a_negative_duration_is_refused_showing_it():
    with pytest.raises(NegativeDuration) as refused:
        add_business_time(at(BOGOTA, 2026, 1, 15, 10), timedelta(minutes=-1), OFFICE)

    assert refused.value.field == "duration"
    assert refused.value.message("en") == "The duration -1 day, 23:59:00 is negative."


# Past its first or last year, a calendar's arithmetic rebuilt that year for ever.


def test_a_duration_ending_past_the_calendar_by_the_clock_is_refused_at_once():
    with pytest.raises(DurationPastCalendar) as refused:
        add_business_time(at(BOGOTA, 2026, 1, 15, 10), timedelta(hours=2**31 - 1), OFFICE)

    assert refused.value.field == "duration"


def test_a_duration_ending_past_the_calendar_in_business_time_is_refused():
    # 9 years of the clock end in 9989, but 9 years of office hours take 40. A calendar of
    # its own: one that has measured 2026 would build every year from there (a minute).
    office = Calendar.build("America/Bogota", {day: [("09:00", "18:00")] for day in WEEKDAYS})

    with pytest.raises(DurationPastCalendar) as refused:
        add_business_time(at(BOGOTA, 9980, 1, 2, 10), timedelta(days=9 * 365), office)

    assert refused.value.message("en") == (
        "The duration 3285 days, 0:00:00 ends outside what a calendar measures (years 3 to 9989)."
    )


def test_a_start_in_the_easternmost_zone_near_the_last_year_is_refused():
    zone = ZoneInfo("Pacific/Kiritimati")  # UTC+14
    calendar = Calendar.build(zone.key, {day: [("08:00", "17:00")] for day in WEEKDAYS})

    with pytest.raises(MomentOutsideCalendar):
        add_business_time(at(zone, 9990, 1, 1, 9), timedelta(hours=1), calendar)


def test_a_start_before_the_calendars_first_year_is_refused():
    with pytest.raises(MomentOutsideCalendar) as refused:
        add_business_time(datetime(1, 6, 1, 9, tzinfo=UTC), timedelta(hours=1), OFFICE)

    assert refused.value.field == "start"
    assert refused.value.message("en") == (
        "The moment 0001-06-01T09:00:00.000000 is outside what a calendar measures "
        "(years 3 to 9989)."
    )


def test_business_time_between_moments_past_the_calendar_is_refused_not_clamped():
    with pytest.raises(MomentOutsideCalendar) as refused:
        business_time_between(at(BOGOTA, 9980, 1, 1), at(BOGOTA, 9995, 1, 1), OFFICE)

    assert refused.value.field == "second"


def test_the_batch_form_names_the_duration_that_ends_past_the_calendar():
    starts = np.array(["2026-01-15T15:00", "9989-12-20T15:00"], dtype="datetime64[us]")
    durations = np.array([1000 * 3_600_000_000, 10 * 86_400_000_000], dtype=np.int64)

    with pytest.raises(DurationPastCalendar) as refused:
        add_business_time_many(starts, durations, OFFICE)

    assert refused.value.field == "durations"
    assert refused.value.params == {"value": "10 days, 0:00:00"}


def test_the_batch_form_refuses_a_missing_start():
    starts = np.array(["2026-01-15T15:00", "NaT"], dtype="datetime64[us]")

    with pytest.raises(MomentOutsideCalendar) as refused:
        add_business_time_many(starts, np.array([1, 1], dtype=np.int64), OFFICE)

    assert refused.value.params == {"value": "NaT"}


def test_the_due_time_is_in_the_zone_the_start_was_given_in():
    due = add_business_time(at(MADRID, 2026, 1, 15, 16), timedelta(hours=4), OFFICE)

    assert due == at(BOGOTA, 2026, 1, 15, 14)
    assert due.tzinfo == MADRID


def test_a_24x7_calendar_is_always_working_time():
    assert is_working_time(at(BOGOTA, 2026, 1, 17, 3), ALWAYS)  # a Saturday night


def test_batch_form_refuses_a_negative_duration_naming_the_column():
    starts = np.array(["2026-01-15T15:00", "2026-01-15T16:00"], dtype="datetime64[us]")
    durations = np.array([3_600_000_000, -60_000_000], dtype=np.int64)

    with pytest.raises(NegativeDuration) as refused:
        add_business_time_many(starts, durations, OFFICE)

    assert refused.value.field == "durations"
    assert refused.value.params == {"value": "-60000000"}


# --- refusals of a calendar, with what they show ------------------------------------------------


def test_overlapping_windows_are_refused_showing_both():
    with pytest.raises(OverlappingIntervals) as refused:
        Calendar.build("America/Bogota", {0: [("08:00", "12:00"), ("11:00", "13:00")]})

    assert refused.value.message("en") == (
        "Intervals Monday 08:00-12:00 and Monday 11:00-13:00 overlap."
    )


def test_a_sunday_night_shift_running_into_monday_is_refused_among_other_windows():
    with pytest.raises(OverlappingIntervals) as refused:
        Calendar.build(
            "America/Bogota",
            {0: [("05:00", "09:00")], 2: [("08:00", "12:00")], 6: [("22:00", "06:00")]},
        )

    assert refused.value.message("en") == (
        "Intervals Sunday 22:00-06:00 and Monday 05:00-09:00 overlap."
    )


def test_windows_that_only_touch_do_not_overlap():
    calendar = Calendar.build(
        "America/Bogota",
        {0: [("08:00", "12:00"), ("12:00", "16:00")], 6: [("22:00", "00:00")]},
    )

    assert calendar.weekly_seconds == 10 * 3600


def test_a_sunday_night_shift_may_end_when_monday_opens():
    calendar = Calendar.build("America/Bogota", {6: [("22:00", "06:00")], 0: [("06:00", "10:00")]})

    assert calendar.weekly_seconds == 12 * 3600


@pytest.mark.parametrize(
    "openings",
    [
        # An overnight opening runs past another opening of the same date.
        [(date(2026, 1, 10), "20:00", "02:00"), (date(2026, 1, 10), "23:00", "23:30")],
        # An opening whose end is its start lasts 24 hours.
        [(date(2026, 1, 10), "09:00", "09:00"), (date(2026, 1, 10), "12:00", "13:00")],
    ],
)
def test_extra_hours_that_run_into_each_other_are_refused(openings):
    with pytest.raises(OverlappingIntervals):
        Calendar.build("America/Bogota", {0: [("08:00", "12:00")]}, openings=openings)


def test_overlapping_extra_hours_on_one_day_are_refused_showing_both():
    with pytest.raises(OverlappingIntervals) as refused:
        Calendar.build(
            "America/Bogota",
            {0: [("08:00", "12:00")]},
            openings=[(date(2026, 1, 10), "09:00", "12:00"), (date(2026, 1, 10), "11:00", "13:00")],
        )

    assert refused.value.field == "intervals"
    assert refused.value.message("en") == (
        "Intervals 2026-01-10 09:00-12:00 and 2026-01-10 11:00-13:00 overlap."
    )


def test_extra_hours_on_different_days_or_overnight_are_accepted():
    calendar = Calendar.build(
        "America/Bogota",
        {0: [("08:00", "12:00")]},
        openings=[
            (date(2026, 1, 10), "20:00", "02:00"),  # Saturday night into Sunday
            (date(2026, 1, 11), "09:00", "12:00"),
        ],
    )

    assert calendar.windows_on(date(2026, 1, 10)) == ((time(20), time(2)),)
    assert is_working_time(at(BOGOTA, 2026, 1, 11, 1, 30), calendar)


def test_a_weekday_outside_the_week_is_refused():
    with pytest.raises(InvalidWeekday) as refused:
        Calendar(time_zone="America/Bogota", windows=(Window(7, time(8), time(12)),))

    assert refused.value.field == "intervals"
    assert refused.value.message("en") == "Weekday 7 is not valid (0 = Monday ... 6 = Sunday)."


def test_a_day_both_closed_and_extra_is_refused_naming_the_first_such_day():
    with pytest.raises(ConflictingCalendarDates) as refused:
        Calendar.build(
            "America/Bogota",
            {0: [("08:00", "12:00")]},
            closures=[date(2026, 1, 24), date(2026, 1, 10)],
            openings=[(date(2026, 1, 24), "09:00", "10:00"), (date(2026, 1, 10), "09:00", "10:00")],
        )

    assert refused.value.message("en") == (
        "2026-01-10 is listed both as closed and as an extra working day."
    )


def test_a_subdivision_without_a_country_is_refused():
    with pytest.raises(UnknownSubdivision) as refused:
        Calendar.build("America/Bogota", {0: [("08:00", "12:00")]}, subdivision="DC")

    assert refused.value.field == "holiday_subdivision"
    assert refused.value.message("en") == "Country - has no subdivision 'DC'."


def test_unknown_places_are_refused_showing_what_was_typed():
    with pytest.raises(UnknownTimeZone) as zone:
        Calendar.build("Mars/Olympus", {0: [("08:00", "12:00")]})
    with pytest.raises(UnknownCountry) as country:
        Calendar.build("America/Bogota", {0: [("08:00", "12:00")]}, country="xx")
    with pytest.raises(UnknownSubdivision) as subdivision:
        Calendar.build("America/Bogota", {0: [("08:00", "12:00")]}, country="co", subdivision="zz")

    assert zone.value.params == {"value": "Mars/Olympus"}
    assert country.value.params == {"value": "XX"}
    assert subdivision.value.params == {"country": "CO", "value": "ZZ"}


def test_a_country_and_subdivision_are_read_in_capitals():
    calendar = Calendar.build("America/Bogota", {0: [("08:00", "12:00")]}, country="co")

    assert (calendar.holiday_country, calendar.holiday_subdivision) == ("CO", "")
    assert calendar.closed_reason(date(2026, 1, 12)) == (
        "holiday",
        "Día de los Reyes Magos (observado)",
    )


# --- windows across midnight and back to back ----------------------------------------------


def test_a_night_shift_does_not_count_the_day_between_two_nights():
    nights = Calendar.build("Europe/Madrid", {day: [("22:00", "06:00")] for day in range(7)})

    # 8 h the first night, the last hour the next night.
    due = add_business_time(at(MADRID, 2026, 6, 10, 22), timedelta(hours=9), nights)

    assert due == at(MADRID, 2026, 6, 11, 23)
    assert not is_working_time(at(MADRID, 2026, 6, 11, 12), nights)


def test_a_window_ending_in_the_hour_before_the_clock_springs_forward_keeps_its_length():
    # Madrid springs forward at 02:00 on Sunday 29 March 2026; Saturday's 20:00-01:30 window
    # closes half an hour before the jump and is its ordinary 5 h 30.
    evenings = Calendar.build("Europe/Madrid", {day: [("20:00", "01:30")] for day in range(7)})

    worked = business_time_between(
        at(MADRID, 2026, 3, 28, 20), at(MADRID, 2026, 3, 29, 12), evenings
    )

    assert worked == timedelta(hours=5, minutes=30)
    assert is_working_time(at(MADRID, 2026, 3, 29, 1, 15), evenings)


def test_a_night_across_the_spring_forward_is_an_hour_shorter_however_it_is_measured():
    nights = Calendar.build("Europe/Madrid", {day: [("22:00", "06:00")] for day in range(7)})
    from_midnight = Calendar.build(
        "Europe/Madrid", {5: [("00:00", "06:00")], 6: [("00:00", "06:00")]}
    )

    saturday, sunday_noon = at(MADRID, 2026, 3, 28, 12), at(MADRID, 2026, 3, 29, 12)

    assert business_time_between(saturday, sunday_noon, nights) == timedelta(hours=7)
    assert not is_working_time(at(MADRID, 2026, 3, 29, 6, 30), nights)
    # 00:00-02:00 on winter time, then 03:00-06:00 on summer time.
    assert business_time_between(
        at(MADRID, 2026, 3, 29, 0), sunday_noon, from_midnight
    ) == timedelta(hours=5)


def test_a_24_hour_window_counts_the_whole_day():
    whole_days = Calendar.build("America/Bogota", {day: [("00:00", "00:00")] for day in WEEKDAYS})

    # Thursday 10:00 + 20 h: Friday 06:00; Friday 10:00 + 20 h: the weekend is skipped.
    assert add_business_time(at(BOGOTA, 2026, 1, 15, 10), timedelta(hours=20), whole_days) == at(
        BOGOTA, 2026, 1, 16, 6
    )
    assert add_business_time(at(BOGOTA, 2026, 1, 16, 10), timedelta(hours=20), whole_days) == at(
        BOGOTA, 2026, 1, 19, 6
    )


def test_back_to_back_windows_read_as_one_stretch():
    split = Calendar.build(
        "America/Bogota", {day: [("08:00", "12:00"), ("12:00", "16:00")] for day in range(7)}
    )

    explanation = explain_due(at(BOGOTA, 2026, 1, 15, 10), timedelta(hours=4), split)

    assert explanation.lines("en")[2:] == [
        "15 Jan 2026, 10:00 → 15 Jan 2026, 14:00: 4 h 00 min of working time",
        "Due 15 Jan 2026, 14:00",
    ]


# --- the timeline far from the usual dates --------------------------------------------------------


def test_the_first_working_window_after_more_than_a_year_closed_counts():
    # A seasonal desk open on Mondays only, closed every Monday of 2025 and January 2026: the
    # first window it has in over a year is Monday 2 February 2026, 08:00-12:00.
    mondays = [date(2025, 1, 6) + timedelta(weeks=week) for week in range(56)]
    seasonal = Calendar.build("America/Bogota", {0: [("08:00", "12:00")]}, closures=mondays)
    start = at(BOGOTA, 2026, 2, 2, 9)

    assert is_working_time(start, seasonal)
    assert add_business_time(start, timedelta(hours=1), seasonal) == at(BOGOTA, 2026, 2, 2, 10)
    assert business_time_between(start, at(BOGOTA, 2026, 2, 2, 11), seasonal) == timedelta(hours=2)
    due = add_business_time_many(
        np.array([start.astimezone(UTC).replace(tzinfo=None)], dtype="datetime64[us]"),
        np.array([30 * 60_000_000]),
        seasonal,
    )
    assert due[0] == np.datetime64("2026-02-02T14:30")  # 09:30 Bogota
    assert explain_due(start, timedelta(hours=1), seasonal).steps[0].starts_at == start


def test_a_start_at_new_years_midnight_after_later_dates_were_asked():
    # A calendar asked about 2027 first, then about the first instant of 2026.
    calendar = Calendar.build("America/Bogota", {day: [("08:00", "16:05")] for day in WEEKDAYS})
    add_business_time(at(BOGOTA, 2027, 3, 1, 10), timedelta(hours=1), calendar)

    due = add_business_time(at(BOGOTA, 2026, 1, 1), timedelta(hours=1), calendar)

    assert due == at(BOGOTA, 2026, 1, 1, 9)


def test_a_target_years_ahead_is_reached_from_a_fresh_calendar():
    calendar = Calendar.build("America/Bogota", {day: [("08:00", "16:20")] for day in WEEKDAYS})
    start = at(BOGOTA, 2026, 1, 15, 15)
    duration = timedelta(hours=7 * 52 * 40)  # over six years of 41 h 40 weeks

    due = add_business_time(start, duration, calendar)

    assert due == at(BOGOTA, 2032, 9, 28, 8, 20)
    assert business_time_between(start, due, calendar) == duration


def test_a_calendar_asked_about_this_year_keeps_a_clock_change_late_next_year():
    # The first question builds the clock changes of several years at once. Santiago springs
    # forward at midnight on Sunday 5 September 2027 (to 01:00): that night's 21:00-02:45
    # shift is 3 h before midnight and 1 h 45 after.
    nights = Calendar.build("America/Santiago", {day: [("21:00", "02:45")] for day in range(7)})
    add_business_time(at(SANTIAGO, 2026, 3, 2, 22), timedelta(hours=1), nights)

    worked = business_time_between(
        at(SANTIAGO, 2027, 9, 4, 12), at(SANTIAGO, 2027, 9, 5, 12), nights
    )

    assert worked == timedelta(hours=4, minutes=45)


def test_batch_form_reaches_years_ahead_like_the_scalar_form():
    calendar = Calendar.build("America/Bogota", {day: [("08:00", "16:10")] for day in WEEKDAYS})
    starts = np.array(["2026-01-15T15:00", "2026-06-01T12:00"], dtype="datetime64[us]")
    # About six and nine years of working time.
    durations = np.array([6 * 52 * 40, 9 * 52 * 40], dtype=np.int64) * 3_600_000_000

    due = add_business_time_many(starts, durations, calendar)

    for start, duration, due_at in zip(starts, durations, due, strict=True):
        expected = add_business_time(
            start.astype(datetime).replace(tzinfo=UTC),
            timedelta(microseconds=int(duration)),
            calendar,
        )
        assert due_at.astype(datetime).replace(tzinfo=UTC) == expected
    assert due[1].astype(datetime).year == 2035


def test_batch_form_reads_columns_in_any_time_unit():
    starts = np.array(["2026-01-15T20:00"], dtype="datetime64[m]")
    durations = np.array([120], dtype="timedelta64[m]")

    due = add_business_time_many(starts, durations, OFFICE)

    # Thursday 15:00 Bogota + 2 h: 1 h 30 that day, 30 min from Friday 08:00 (13:30 UTC).
    assert due[0] == np.datetime64("2026-01-16T13:30")


def test_batch_form_of_no_rows_is_no_rows():
    due = add_business_time_many(
        np.array([], dtype="datetime64[us]"), np.array([], dtype="timedelta64[us]"), OFFICE
    )

    assert due.shape == (0,)


# --- one calendar however it is written -------------------------------------------------------


def test_a_calendar_is_the_same_whatever_order_its_rows_come_in():
    first = Calendar.build(
        "America/Bogota",
        {1: [("13:00", "17:00"), ("08:00", "12:00")], 0: [("08:00", "12:00")]},
        closures=[date(2026, 3, 2), (date(2026, 2, 2), "Inventario")],
        openings=[(date(2026, 2, 7), "13:00", "14:00"), (date(2026, 2, 7), "09:00", "10:00")],
        name="Oficina",
    )
    second = Calendar.build(
        "America/Bogota",
        {0: [("08:00", "12:00")], 1: [("08:00", "12:00"), ("13:00", "17:00")]},
        closures=[(date(2026, 2, 2), "Inventario"), date(2026, 3, 2)],
        openings=[(date(2026, 2, 7), "09:00", "10:00"), (date(2026, 2, 7), "13:00", "14:00")],
    )

    assert first == second
    assert hash(first) == hash(second)
    assert (first.name, second.name) == ("Oficina", "")  # the name is no part of the content
    assert [str(window) for window in first.windows] == [
        "Monday 08:00-12:00",
        "Tuesday 08:00-12:00",
        "Tuesday 13:00-17:00",
    ]
    assert [closure.on for closure in first.closures] == [date(2026, 2, 2), date(2026, 3, 2)]
    assert [str(opening) for opening in first.openings] == [
        "2026-02-07 09:00-10:00",
        "2026-02-07 13:00-14:00",
    ]
    assert first.windows_on(date(2026, 2, 7)) == ((time(9), time(10)), (time(13), time(14)))


def test_a_calendar_read_from_rows_in_any_order_equals_the_built_one():
    # sla.selectors.calendar_value builds the value from database rows, in no set order.
    built = Calendar.build(
        "America/Bogota",
        {0: [("08:00", "12:00")], 1: [("08:00", "12:00")]},
        closures=[date(2026, 2, 2), date(2026, 3, 2)],
        openings=[(date(2026, 2, 7), "09:00", "10:00"), (date(2026, 2, 14), "09:00", "10:00")],
    )

    read = Calendar(
        time_zone="America/Bogota",
        windows=(Window(1, time(8), time(12)), Window(0, time(8), time(12))),
        closures=(Closure(date(2026, 3, 2)), Closure(date(2026, 2, 2))),
        openings=(
            Opening(date(2026, 2, 14), time(9), time(10)),
            Opening(date(2026, 2, 7), time(9), time(10)),
        ),
    )

    assert read == built
    assert read.openings == built.openings


def test_a_day_closed_twice_keeps_each_name_once():
    calendar = Calendar.build(
        "America/Bogota",
        {0: [("08:00", "12:00")]},
        closures=[
            (date(2026, 12, 24), "Nochebuena"),
            date(2026, 12, 24),
            (date(2026, 12, 24), "Nochebuena"),
            (date(2026, 12, 31), ""),
        ],
    )

    assert [(c.on, c.name) for c in calendar.closures] == [
        (date(2026, 12, 24), "Nochebuena"),
        (date(2026, 12, 31), ""),
    ]


def test_which_hours_a_day_has():
    assert OFFICE.windows_on(date(2026, 1, 15)) == ((time(8), time(16, 30)),)
    assert OFFICE.windows_on(date(2026, 1, 10)) == ()  # Saturday
    assert OFFICE.windows_on(date(2026, 1, 12)) == ()  # Reyes Magos
    assert OFFICE.windows_on(date(2026, 1, 13)) == ()  # closure
    assert OFFICE.windows_on(date(2026, 1, 24)) == ((time(9), time(12)),)  # extra Saturday


def test_a_known_subdivision_adds_its_own_holidays():
    # Catalonia keeps Sant Esteve (26 December); Madrid does not.
    catalonia = Calendar.build(
        "Europe/Madrid",
        {day: [("09:00", "17:00")] for day in WEEKDAYS},
        country="ES",
        subdivision="ct",
    )
    madrid = Calendar.build(
        "Europe/Madrid",
        {day: [("09:00", "17:00")] for day in WEEKDAYS},
        country="ES",
        subdivision="MD",
    )

    assert catalonia.holiday_subdivision == "CT"
    assert catalonia.closed_reason(date(2025, 12, 26))[0] == "holiday"
    assert madrid.closed_reason(date(2025, 12, 26)) is None
