"""Publishing calendars and policies: versions, idempotency, refusals that save nothing."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sla.calendars import Calendar
from sla.choices import Impact, Priority, Urgency
from sla.exceptions import (
    CalendarWithoutWorkingTime,
    OverlappingIntervals,
    OverrideWithoutReason,
    UnknownCountry,
    UnknownTimeZone,
)
from sla.models import (
    BusinessCalendar,
    CalendarDate,
    CalendarVersion,
    SlaClock,
    SlaPolicy,
    SlaTarget,
    WorkingInterval,
)
from sla.selectors import calendar_current_version, calendar_value, policy_current_version
from sla.services import TargetSpec, calendar_publish, priority_decide
from tests.sla.factories import BOGOTA_HOURS, SEED_001_TARGETS, make_calendar, make_policy

pytestmark = pytest.mark.django_db


def test_a_published_calendar_reads_back_as_the_same_value():
    value = Calendar.build(
        "America/Bogota",
        {0: [("08:00", "12:00"), ("13:00", "17:00")], 4: [("22:00", "02:00")]},
        country="CO",
        closures=[(date(2026, 7, 3), "Inventario")],
        openings=[(date(2026, 7, 4), "09:00", "12:00")],
    )

    version = calendar_publish(slug="mixed", name="Mixed", calendar=value)

    assert version.number == 1
    assert calendar_value(version) == value
    assert version.intervals.count() == 3
    assert version.dates.get(kind=CalendarDate.Kind.CLOSED).name == "Inventario"


def test_publishing_the_same_calendar_again_changes_nothing():
    value = Calendar.build("America/Bogota", BOGOTA_HOURS, country="CO")
    first = calendar_publish(slug="bogota", name="Bogotá", calendar=value)

    again = calendar_publish(slug="bogota", name="Bogotá", calendar=value)

    assert again.pk == first.pk
    assert CalendarVersion.objects.count() == 1


def test_a_changed_calendar_becomes_a_new_version_and_the_old_one_stays():
    first = calendar_publish(
        slug="bogota",
        name="Bogotá",
        calendar=Calendar.build("America/Bogota", BOGOTA_HOURS, country="CO"),
    )

    second = calendar_publish(
        slug="bogota",
        name="Bogotá",
        calendar=Calendar.build(
            "America/Bogota",
            BOGOTA_HOURS,
            country="CO",
            closures=[date(2026, 11, 9)],  # a new holiday the package lacks
        ),
    )

    assert (first.number, second.number) == (1, 2)
    assert calendar_current_version(first.calendar) == second
    assert calendar_value(first).closures == ()


@pytest.mark.parametrize(
    ("build", "error", "field"),
    [
        (lambda: Calendar.build("America/Bogota", {}), CalendarWithoutWorkingTime, "intervals"),
        (
            lambda: Calendar.build("America/Bogata", BOGOTA_HOURS),
            UnknownTimeZone,
            "time_zone",
        ),
        (
            lambda: Calendar.build("America/Bogota", BOGOTA_HOURS, country="QQ"),
            UnknownCountry,
            "holiday_country",
        ),
        (
            lambda: Calendar.build("America/Bogota", {2: [("08:00", "12:00"), ("09:00", "10:00")]}),
            OverlappingIntervals,
            "intervals",
        ),
    ],
)
def test_bad_calendars_never_reach_the_database(build, error, field):
    with pytest.raises(error) as refused:
        calendar_publish(slug="bad", name="Bad", calendar=build())

    assert refused.value.field == field
    assert not BusinessCalendar.objects.exists()
    assert not WorkingInterval.objects.exists()


def test_a_bad_row_rolls_the_whole_publication_back():
    value = Calendar.build("America/Bogota", BOGOTA_HOURS)

    with pytest.raises(ValidationError) as refused:
        calendar_publish(slug="x" * 81, name="Too long a slug", calendar=value)

    assert "slug" in refused.value.message_dict
    assert not BusinessCalendar.objects.exists()


def test_a_bad_dated_row_rolls_back_the_version_already_written():
    value = Calendar.build("America/Bogota", BOGOTA_HOURS, closures=[(date(2026, 7, 3), "x" * 161)])

    with pytest.raises(ValidationError) as refused:
        calendar_publish(slug="bogota", name="Bogotá", calendar=value)

    assert "name" in refused.value.message_dict
    assert not BusinessCalendar.objects.exists()
    assert not CalendarVersion.objects.exists()


def test_the_model_refuses_an_unknown_time_zone_in_forms_too():
    calendar = BusinessCalendar.objects.create(slug="c", name="C")
    version = CalendarVersion(calendar=calendar, number=1, time_zone="Nowhere/City")

    with pytest.raises(ValidationError) as refused:
        version.full_clean()

    assert "time_zone" in refused.value.message_dict


def test_the_database_refuses_an_opening_without_hours():
    version = calendar_publish(
        slug="c", name="C", calendar=Calendar.build("UTC", {0: [("08:00", "12:00")]})
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDate.objects.create(version=version, on=date(2026, 1, 3), kind="open")


def test_the_database_refuses_a_weekday_beyond_sunday():
    version = calendar_publish(
        slug="c", name="C", calendar=Calendar.build("UTC", {0: [("08:00", "12:00")]})
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        WorkingInterval.objects.create(
            version=version, weekday=7, starts_at=time(8), ends_at=time(9)
        )


def test_a_policy_has_one_target_row_per_priority_and_planned_has_none():
    version = make_policy()

    targets = {t.priority: t for t in version.targets.all()}

    assert set(targets) == set(Priority.values)
    assert targets[Priority.P4].first_response == timedelta(hours=4)
    assert targets[Priority.P1].measure == SlaTarget.Measure.ALWAYS
    assert targets[Priority.PLANNED].first_response is None
    assert targets[Priority.PLANNED].resolution is None
    assert version.warning_percent == 75


def test_publishing_a_policy_is_idempotent_and_changes_make_versions():
    calendar = make_calendar()
    first = make_policy(calendar=calendar)
    same = make_policy(calendar=calendar)
    changed = make_policy(
        calendar=calendar,
        targets=SEED_001_TARGETS | {Priority.P4: TargetSpec(timedelta(hours=6), None)},
    )

    assert same.pk == first.pk
    assert changed.number == 2
    assert policy_current_version(SlaPolicy.objects.get()) == changed


def test_a_warning_threshold_out_of_range_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as refused:
        make_policy(warning_percent=100)

    assert "warning_percent" in refused.value.message_dict
    assert not SlaPolicy.objects.exists()


def test_a_negative_target_is_refused():
    with pytest.raises(ValidationError) as refused:
        make_policy(targets={Priority.P2: TargetSpec(timedelta(hours=-1), None)})

    assert "first_response" in refused.value.message_dict


def test_the_database_refuses_an_inconsistent_clock_state():
    version = make_policy()
    clock = SlaClock(
        subject="ticket:1",
        kind=SlaClock.Kind.RESPONSE,
        priority=Priority.P2,
        policy_version=version,
        target=timedelta(hours=1),
        warning_percent=75,
        state=SlaClock.State.MET,  # met without a stop
        started_at="2026-01-05T13:00:00Z",
        measured_at="2026-01-05T13:00:00Z",
        elapsed=timedelta(0),
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        clock.save()


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [
        (Impact.HIGH, Urgency.HIGH, Priority.P1),
        (Impact.HIGH, Urgency.MEDIUM, Priority.P2),
        (Impact.MEDIUM, Urgency.HIGH, Priority.P2),
        (Impact.MEDIUM, Urgency.MEDIUM, Priority.P3),
        (Impact.LOW, Urgency.HIGH, Priority.P3),
        (Impact.MEDIUM, Urgency.LOW, Priority.P4),
        (Impact.LOW, Urgency.LOW, Priority.P4),
    ],
)
def test_priority_comes_from_the_impact_urgency_matrix(impact, urgency, priority):
    decision = priority_decide(policy_version=make_policy(), impact=impact, urgency=urgency)

    assert decision.priority == priority
    assert not decision.overridden


def test_a_policy_may_carry_its_own_matrix():
    version = make_policy(matrix={(Impact.LOW, Urgency.LOW): Priority.PLANNED})

    decision = priority_decide(policy_version=version, impact=Impact.LOW, urgency=Urgency.LOW)

    assert decision.priority == Priority.PLANNED


def test_staff_override_keeps_the_reason_and_the_computed_priority():
    decision = priority_decide(
        policy_version=make_policy(),
        impact=Impact.LOW,
        urgency=Urgency.LOW,
        override=Priority.P1,
        reason="  Cliente en evento en vivo  ",
        decided_by="ana@example.com",
    )

    assert decision.priority == Priority.P1
    assert decision.computed == Priority.P4
    assert decision.overridden
    assert decision.reason == "Cliente en evento en vivo"
    assert decision.decided_by == "ana@example.com"


def test_an_override_without_reason_is_refused():
    with pytest.raises(OverrideWithoutReason) as refused:
        priority_decide(
            policy_version=make_policy(),
            impact=Impact.LOW,
            urgency=Urgency.LOW,
            override=Priority.P1,
            reason=" ",
        )

    assert refused.value.field == "reason"
