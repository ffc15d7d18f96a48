"""Clocks: due times, pauses, stops, reopen cycles, status, explanation, re-apply."""

import io
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla.calendars import Calendar
from sla.choices import Priority
from sla.exceptions import ClockTimeGoesBack, ClockTransitionNotAllowed, NaiveDatetime
from sla.models import SlaClock, SlaClockEvent, SlaClockPause
from sla.selectors import calendar_value, clock_explain, clock_status
from sla.services import (
    TargetSpec,
    calendar_publish,
    clock_pause,
    clock_reopen,
    clock_resume,
    clock_retarget,
    clock_start,
    clock_stop,
    clocks_start,
)
from sla.services.clocks import replay
from tests.sla.factories import BOGOTA_HOURS, SEED_001_TARGETS, make_calendar, make_policy

pytestmark = pytest.mark.django_db
BOGOTA = ZoneInfo("America/Bogota")
Kind = SlaClock.Kind
State = SlaClock.State


def at(*args):
    return datetime(*args, tzinfo=BOGOTA)


def start_pair(priority=Priority.P4, started_at=None, policy=None, subject="ticket:1"):
    return clocks_start(
        subject=subject,
        policy=policy or make_policy(),
        priority=priority,
        started_at=started_at or at(2026, 1, 16, 15),
        label="Ticket 1",
        notify_emails=["agente@example.com"],
    )


def test_a_low_ticket_on_friday_afternoon_is_due_monday():
    # given seed 001: Low is 4 h response, 8 h resolution, business hours 08:00-16:30
    pair = start_pair()

    # then 1 h 30 counts on Friday and the rest on Monday
    assert pair.response.due_at == at(2026, 1, 19, 10, 30)
    assert pair.resolution.due_at == at(2026, 1, 19, 14, 30)
    assert pair.response.warn_at == at(2026, 1, 19, 9, 30)  # 75 % = 3 h
    assert pair.response.state == State.RUNNING
    assert pair.response.calendar_version.calendar.slug == "bogota"
    assert list(pair.response.events.values_list("kind", flat=True)) == ["start"]


def test_the_day_before_a_holiday_skips_it():
    pair = start_pair(started_at=at(2026, 1, 9, 15))  # Monday 12 January is Reyes Magos

    assert pair.response.due_at == at(2026, 1, 13, 10, 30)


def test_planned_tickets_have_no_clocks():
    pair = start_pair(priority=Priority.PLANNED)

    assert pair.response is None
    assert pair.resolution is None
    assert not SlaClock.objects.exists()


def test_a_critical_ticket_is_measured_24x7():
    pair = start_pair(priority=Priority.P1, started_at=at(2026, 1, 17, 23, 50))  # Saturday

    assert pair.response.calendar_version is None
    assert pair.response.due_at == at(2026, 1, 18, 0, 5)
    assert pair.resolution.due_at == at(2026, 1, 18, 3, 50)


def test_naive_start_is_refused():
    with pytest.raises(NaiveDatetime):
        start_pair(started_at=datetime(2026, 1, 16, 15))  # noqa: DTZ001
    assert not SlaClock.objects.exists()


def test_pause_moves_the_due_time_by_the_paused_business_time():
    # given a Medium ticket (2 h response) opened Wednesday 09:00, due 11:00
    response = start_pair(priority=Priority.P3, started_at=at(2026, 1, 14, 9)).response
    assert response.due_at == at(2026, 1, 14, 11)

    # when the agent asks the customer at 09:30 and the customer answers Thursday 09:00
    paused = clock_pause(clock=response, at=at(2026, 1, 14, 9, 30), note="pedimos logs")
    resumed = clock_resume(clock=paused, at=at(2026, 1, 15, 9))

    # then 30 min were used, the 8 business hours waiting do not count, 1 h 30 remains
    assert paused.state == State.PAUSED
    assert paused.elapsed == timedelta(minutes=30)
    assert resumed.state == State.RUNNING
    assert resumed.due_at == at(2026, 1, 15, 10, 30)
    pause = SlaClockPause.objects.get(clock=response)
    assert pause.business_time == timedelta(hours=8)
    assert pause.ended_at == at(2026, 1, 15, 9)
    kinds = list(resumed.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["start", "pause", "resume"]


def test_stop_in_time_is_met_and_stores_the_business_time():
    response = start_pair().response

    stopped = clock_stop(clock=response, at=at(2026, 1, 19, 9), note="first public reply")

    assert stopped.state == State.MET
    assert stopped.elapsed == timedelta(hours=2, minutes=30)
    assert stopped.first_met is True
    assert stopped.warn_at is None


def test_stop_after_the_due_time_is_breached():
    response = start_pair().response

    stopped = clock_stop(clock=response, at=at(2026, 1, 19, 11))

    assert stopped.state == State.BREACHED
    assert stopped.breached_at == at(2026, 1, 19, 10, 30)
    assert stopped.elapsed == timedelta(hours=4, minutes=30)
    assert stopped.events.filter(kind=SlaClockEvent.Kind.BREACH, at=at(2026, 1, 19, 10, 30))


def test_a_reply_after_a_due_time_on_the_closing_time_is_late():
    # Due Friday 16:30 exactly (Medium, 2 h from 14:30); a reply at 18:00 used no more
    # business time, but the customer was told 16:30.
    response = start_pair(priority=Priority.P3, started_at=at(2026, 1, 16, 14, 30)).response
    assert response.due_at == at(2026, 1, 16, 16, 30)

    on_time = clock_stop(clock=response, at=at(2026, 1, 16, 16, 30))
    assert on_time.state == State.MET

    late = start_pair(
        priority=Priority.P3, started_at=at(2026, 1, 16, 14, 30), subject="ticket:2"
    ).response
    late = clock_stop(clock=late, at=at(2026, 1, 16, 18))
    assert late.state == State.BREACHED
    assert late.elapsed == late.target


def test_stopping_a_paused_clock_closes_its_pause():
    response = start_pair().response
    paused = clock_pause(clock=response, at=at(2026, 1, 16, 16))

    stopped = clock_stop(clock=paused, at=at(2026, 1, 19, 9))

    assert stopped.state == State.MET
    assert stopped.elapsed == timedelta(hours=1)
    assert SlaClockPause.objects.get().business_time == timedelta(minutes=30, hours=1)


def test_reopen_continues_from_the_accumulated_time_in_a_new_cycle():
    # given a Low ticket (8 h resolution) opened Monday 08:00 and resolved at 12:00
    resolution = start_pair(started_at=at(2026, 1, 19, 8)).resolution
    resolved = clock_stop(clock=resolution, at=at(2026, 1, 19, 12))
    assert resolved.state == State.MET

    # when the customer reopens Tuesday 08:00
    reopened = clock_reopen(clock=resolved, at=at(2026, 1, 20, 8), note="sigue fallando")

    # then 4 h remain, not 8
    assert reopened.cycle == 2
    assert reopened.state == State.RUNNING
    assert reopened.elapsed == timedelta(hours=4)
    assert reopened.due_at == at(2026, 1, 20, 12)
    # and resolving late breaches the total while the first resolution stays met
    final = clock_stop(clock=reopened, at=at(2026, 1, 20, 13))
    assert final.state == State.BREACHED
    assert final.first_met is True
    assert final.first_elapsed == timedelta(hours=4)
    assert final.elapsed == timedelta(hours=9)


@pytest.mark.parametrize(
    ("action", "prepare"),
    [
        ("resume", lambda clock: clock),
        ("reopen", lambda clock: clock),
        ("pause", lambda clock: clock_stop(clock=clock, at=at(2026, 1, 19, 9))),
        ("stop", lambda clock: clock_stop(clock=clock, at=at(2026, 1, 19, 9))),
    ],
)
def test_transitions_not_allowed_are_refused(action, prepare):
    clock = prepare(start_pair().resolution)
    services = {
        "pause": clock_pause,
        "resume": clock_resume,
        "stop": clock_stop,
        "reopen": clock_reopen,
    }

    with pytest.raises(ClockTransitionNotAllowed) as refused:
        services[action](clock=clock, at=at(2026, 1, 19, 10))

    assert refused.value.code == "clock_transition_not_allowed"


def test_a_response_clock_cannot_reopen():
    response = clock_stop(clock=start_pair().response, at=at(2026, 1, 19, 9))

    with pytest.raises(ClockTransitionNotAllowed) as refused:
        clock_reopen(clock=response, at=at(2026, 1, 19, 10))

    assert refused.value.field == "kind"


def test_events_cannot_go_back_in_time():
    response = start_pair().response

    with pytest.raises(ClockTimeGoesBack):
        clock_pause(clock=response, at=at(2026, 1, 16, 14))


def test_status_reports_elapsed_remaining_and_percentage():
    response = start_pair().response

    status = clock_status(response, now=at(2026, 1, 19, 9, 30))

    assert status.state == State.RUNNING
    assert status.elapsed == timedelta(hours=3)
    assert status.remaining == timedelta(hours=1)
    assert str(status.percent_used) == "75.0"
    assert status.due_at == at(2026, 1, 19, 10, 30)
    overdue = clock_status(response, now=at(2026, 1, 19, 11))
    assert overdue.state == State.BREACHED
    assert overdue.remaining == timedelta(0)


def test_the_explanation_names_the_pause_and_the_skipped_holiday():
    response = start_pair(started_at=at(2026, 1, 9, 14)).response
    response = clock_pause(clock=response, at=at(2026, 1, 9, 15))
    response = clock_resume(clock=response, at=at(2026, 1, 9, 16))

    lines = clock_explain(response)

    text = "\n".join(lines)
    assert "Pausa: 1 h 00 min hábiles no cuentan" in text
    assert "festivo Día de los Reyes Magos" in text
    assert lines[0] == "Zona horaria: Bogotá (UTC-05:00)"
    assert lines[-1] == "Vence 13/01/2026 10:30"


def test_the_explanation_reads_in_the_readers_zone_and_names_the_calendars_for_its_hours():
    response = start_pair(started_at=at(2026, 1, 9, 14)).response
    response = clock_pause(clock=response, at=at(2026, 1, 9, 15))
    response = clock_resume(clock=response, at=at(2026, 1, 9, 16))
    caracas = ZoneInfo("America/Caracas")

    lines = clock_explain(response, "es", zone=caracas)

    assert lines[0] == "Zona horaria: Caracas (UTC-04:00)"
    # the event at 14:00 in Bogotá is 15:00 in Caracas
    assert lines[1].startswith("09/01/2026 15:00 ")
    # opening hours and holidays are the calendar's, and it says in which zone
    assert "Horario hábil y festivos en la zona del calendario: Bogotá (UTC-05:00)" in lines
    assert any("festivo Día de los Reyes Magos" in line for line in lines)
    assert lines[-1] == "Vence 13/01/2026 11:30"  # 10:30 in Bogotá
    english = clock_explain(response, "en", zone=caracas)
    assert english[0] == "Time zone: Caracas (UTC-04:00)"
    assert "Working hours and holidays in the calendar's zone: Bogota (UTC-05:00)" in english
    # in the calendar's own zone there is nothing more to say about it
    assert not any("zona del calendario" in line for line in clock_explain(response, "es"))
    assert not any(
        "zona del calendario" in line for line in clock_explain(response, "es", zone=BOGOTA)
    )


def test_the_explanation_shows_no_internal_codes_in_either_language():
    response = start_pair(started_at=at(2026, 1, 9, 14)).response
    response = clock_pause(clock=response, at=at(2026, 1, 9, 15), note="waiting_on_customer")
    spanish = "\n".join(clock_explain(response, "es"))
    english = "\n".join(clock_explain(response, "en"))
    assert "(esperando al cliente)" in spanish
    assert "(waiting on the customer)" in english
    for text in (spanish, english):
        assert "waiting_on_customer" not in text
    assert " pause:" not in english  # the event's label, not its code


# --- re-applying changed policies and calendars -------------------------------------------------


def test_open_clocks_keep_their_targets_until_the_policy_is_reapplied():
    # given a Low ticket opened Friday 15:00, paused an hour on Monday
    calendar = make_calendar()
    version = make_policy(calendar=calendar)
    pair = start_pair(policy=version)
    response = clock_pause(clock=pair.response, at=at(2026, 1, 19, 8, 30))
    response = clock_resume(clock=response, at=at(2026, 1, 19, 9, 30))
    assert response.due_at == at(2026, 1, 19, 11, 30)

    # when the provider lengthens Low's response to 6 h
    make_policy(
        calendar=calendar,
        targets=SEED_001_TARGETS | {Priority.P4: TargetSpec(timedelta(hours=6), None)},
    )
    response.refresh_from_db()
    assert response.due_at == at(2026, 1, 19, 11, 30)  # unchanged until re-applied

    with time_machine.travel(at(2026, 1, 19, 10), tick=False):
        call_command("sla_reapply", "--policy", "tecnolinux", stdout=io.StringIO())

    # then the due time is recomputed from history with the paused hour still excluded
    response.refresh_from_db()
    assert response.target == timedelta(hours=6)
    assert response.policy_version.number == 2
    # 1 h 30 on Friday, 30 min before the pause, 30 min since the resume
    assert response.elapsed == timedelta(hours=2, minutes=30)
    assert response.due_at == at(2026, 1, 19, 13, 30)
    assert SlaClockPause.objects.get(clock=response).business_time == timedelta(hours=1)
    assert response.events.filter(kind=SlaClockEvent.Kind.RETARGET).count() == 1
    # the resolution clock now has no target under the new version: it is kept as it was
    pair.resolution.refresh_from_db()
    assert pair.resolution.policy_version.number == 1


def test_a_new_closure_reapplied_moves_the_due_time_and_keeps_pause_time():
    calendar = make_calendar()
    response = start_pair(policy=make_policy(calendar=calendar)).response
    response = clock_pause(clock=response, at=at(2026, 1, 16, 15, 30))
    response = clock_resume(clock=response, at=at(2026, 1, 16, 16))
    assert response.due_at == at(2026, 1, 19, 11)

    # the provider learns Monday 19 is a holiday the package does not know
    calendar_publish(
        slug="bogota",
        name="bogota",
        calendar=Calendar.build(
            "America/Bogota", BOGOTA_HOURS, country="CO", closures=[date(2026, 1, 19)]
        ),
    )
    with time_machine.travel(at(2026, 1, 16, 16, 15), tick=False):
        call_command("sla_reapply", "--calendar", "bogota", stdout=io.StringIO())

    response.refresh_from_db()
    assert response.calendar_version.number == 2
    assert response.elapsed == timedelta(minutes=45)
    assert response.due_at == at(2026, 1, 20, 11)


def test_retarget_to_another_priority_recomputes_from_the_start():
    response = start_pair().response

    raised = clock_retarget(clock=response, at=at(2026, 1, 16, 15, 30), priority=Priority.P2)

    assert raised.priority == Priority.P2
    assert raised.target == timedelta(hours=1)
    assert raised.due_at == at(2026, 1, 16, 16)


def test_retarget_of_a_clock_already_late_marks_the_breach():
    response = start_pair().response

    raised = clock_retarget(clock=response, at=at(2026, 1, 16, 16, 20), priority=Priority.P2)

    assert raised.state == State.BREACHED
    assert raised.breached_at == at(2026, 1, 16, 16)


# --- replay agrees with the stored figures --------------------------------------------------------

actions = st.lists(
    st.tuples(st.sampled_from(["pause", "resume", "stop", "reopen"]), st.integers(1, 3000)),
    max_size=8,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=actions, priority=st.sampled_from([Priority.P2, Priority.P3, Priority.P4]))
def test_replaying_the_events_gives_the_stored_figures(actions, priority):
    version = make_policy()
    clock = clock_start(
        subject=f"ticket:{uuid.uuid4()}",
        kind=Kind.RESOLUTION,
        policy_version=version,
        priority=priority,
        started_at=at(2026, 1, 14, 9, 7),
    )
    moment = clock.started_at
    services = {
        "pause": clock_pause,
        "resume": clock_resume,
        "stop": clock_stop,
        "reopen": clock_reopen,
    }
    for action, minutes in actions:
        moment += timedelta(minutes=minutes)
        try:
            clock = services[action](clock=clock, at=moment)
        except ClockTransitionNotAllowed:
            continue

    figures = replay(clock, calendar_value(clock.calendar_version), clock.target, clock.measured_at)

    assert figures.elapsed == clock.elapsed
    assert figures.breached_at == clock.breached_at
    assert figures.first_elapsed == clock.first_elapsed
    assert figures.first_met == clock.first_met
    stored_pauses = list(
        clock.pauses.exclude(ended_at=None)
        .order_by("started_at")
        .values_list("business_time", flat=True)
    )
    assert figures.pause_times == stored_pauses
    assert clock.started_at.astimezone(UTC) <= clock.measured_at
