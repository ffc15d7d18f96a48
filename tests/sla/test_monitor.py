"""The breach monitor: marks once, mails once, and runs in a fixed number of queries."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from sla.choices import Priority
from sla.models import SlaClock, SlaClockEvent
from sla.services import clock_pause, clocks_start, sla_monitor_run
from tests.sla.factories import make_policy

pytestmark = pytest.mark.django_db
BOGOTA = ZoneInfo("America/Bogota")
State = SlaClock.State


def at(*args):
    return datetime(*args, tzinfo=BOGOTA)


def open_ticket(policy, number, started_at, priority=Priority.P4, emails=("agente@example.com",)):
    return clocks_start(
        subject=f"ticket:{number}",
        policy=policy,
        priority=priority,
        started_at=started_at,
        label=f"Ticket #{number}",
        notify_emails=list(emails),
    )


def test_warnings_and_breaches_are_marked_and_mailed_once(django_capture_on_commit_callbacks):
    # given Low tickets (4 h response): one at 3 h 30 (past 75 %), one past due, one fresh,
    # and one past due but waiting on the customer
    policy = make_policy()
    warned = open_ticket(policy, 1, at(2026, 1, 19, 8)).response
    late = open_ticket(policy, 2, at(2026, 1, 16, 8), emails=["a@example.com", "am@example.com"])
    fresh = open_ticket(policy, 3, at(2026, 1, 19, 11)).response
    waiting_pair = open_ticket(policy, 4, at(2026, 1, 16, 8))
    waiting = clock_pause(clock=waiting_pair.response, at=at(2026, 1, 16, 9))
    clock_pause(clock=waiting_pair.resolution, at=at(2026, 1, 16, 9))
    now = at(2026, 1, 19, 11, 30)

    # when the monitor runs
    with django_capture_on_commit_callbacks(execute=True):
        result = sla_monitor_run(now=now)

    # then the first ticket is warned, the second breached (both clocks), the rest untouched
    assert (result.warned, result.breached) == (1, 2)
    warned.refresh_from_db()
    assert warned.warned_at == now
    assert warned.state == State.RUNNING
    late.response.refresh_from_db()
    assert late.response.state == State.BREACHED
    assert late.response.breached_at == at(2026, 1, 16, 12)
    fresh.refresh_from_db()
    assert (fresh.state, fresh.warned_at) == (State.RUNNING, None)
    waiting.refresh_from_db()
    assert waiting.state == State.PAUSED
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == [
        "[SLA] Aviso: Ticket #1 (Primera respuesta, P4)",
        "[SLA] Incumplido: Ticket #2 (Primera respuesta, P4)",
        "[SLA] Incumplido: Ticket #2 (Resolución, P4)",
    ]
    breach_mail = next(m for m in mail.outbox if "Ticket #2 (Primera" in m.subject)
    assert breach_mail.to == ["a@example.com", "am@example.com"]
    assert "venció el 16/01/2026 12:00, hora de Bogotá (UTC-05:00)" in breach_mail.body
    warning_event = warned.events.get(kind=SlaClockEvent.Kind.WARNING)
    assert warning_event.at == at(2026, 1, 19, 11)
    assert warning_event.elapsed == timedelta(hours=3)
    breach_event = late.response.events.get(kind=SlaClockEvent.Kind.BREACH)
    assert (breach_event.at, breach_event.elapsed) == (at(2026, 1, 16, 12), timedelta(hours=4))

    # when it runs again, later
    with django_capture_on_commit_callbacks(execute=True):
        again = sla_monitor_run(now=now + timedelta(minutes=1))

    # then nothing is marked or mailed twice
    assert (again.warned, again.breached, again.emails) == (0, 0, 0)
    assert len(mail.outbox) == 3
    assert SlaClockEvent.objects.filter(kind=SlaClockEvent.Kind.BREACH).count() == 2


def test_clocks_without_recipients_are_marked_but_not_mailed(django_capture_on_commit_callbacks):
    open_ticket(make_policy(), 1, at(2026, 1, 16, 8), emails=())

    with django_capture_on_commit_callbacks(execute=True):
        result = sla_monitor_run(now=at(2026, 1, 19, 12))

    assert result.breached == 2
    assert result.emails == 0
    assert mail.outbox == []


def test_the_command_uses_the_current_time(django_capture_on_commit_callbacks):
    open_ticket(make_policy(), 1, at(2026, 1, 16, 8))
    out = io.StringIO()

    with (
        time_machine.travel(at(2026, 1, 19, 12), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("sla_monitor", stdout=out)

    assert out.getvalue().strip() == "warned=0 breached=2 emails=2"


def _open_late_and_warned(count: int, policy) -> None:
    for number in range(count):
        open_ticket(policy, f"{count}-{number}", at(2026, 1, 16, 8))
        open_ticket(policy, f"{count}-{number}-w", at(2026, 1, 19, 8))


def test_the_number_of_queries_does_not_grow_with_the_number_of_clocks(
    django_assert_max_num_queries,
):
    policy = make_policy()
    _open_late_and_warned(3, policy)
    with django_assert_max_num_queries(8) as few:
        small = sla_monitor_run(now=at(2026, 1, 19, 11, 30))
    _open_late_and_warned(60, policy)

    with django_assert_max_num_queries(8) as many:
        large = sla_monitor_run(now=at(2026, 1, 19, 11, 30))

    assert (small.warned, small.breached) == (3, 6)
    assert (large.warned, large.breached) == (60, 120)
    assert len(few) == len(many)


@pytest.mark.postgres
def test_one_hundred_thousand_open_clocks_in_one_run(django_assert_max_num_queries):
    # given 100,000 open clocks written directly (the service would take minutes), half past
    # their due time, a tenth of them with recipients
    policy = make_policy()
    template = open_ticket(policy, "template", at(2026, 1, 16, 8)).response
    rows = []
    for number in range(100_000):
        due = at(2026, 1, 16, 12) if number % 2 else at(2026, 1, 26, 12)
        rows.append(
            SlaClock(
                subject=f"bulk:{number}",
                kind=SlaClock.Kind.RESPONSE,
                priority=Priority.P4,
                policy_version=policy,
                calendar_version=template.calendar_version,
                target=template.target,
                warning_percent=75,
                started_at=template.started_at,
                measured_at=template.started_at,
                elapsed=timedelta(0),
                due_at=due,
                warn_at=due - timedelta(hours=1),
                notify_emails=["agente@example.com"] if number % 10 == 1 else [],
            )
        )
    SlaClock.objects.bulk_create(rows, batch_size=10_000)
    # Autovacuum cannot see rows of an open transaction, and an earlier test left a plan
    # for the foreign-key check of clock events cached in this session from when the clock
    # table was nearly empty: a sequential scan. Checked at the end of the test, 50,000
    # events would each scan 100,000 clocks (minutes). ANALYZE, like autovacuum on a real
    # table, counts the rows and invalidates that plan.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SlaClock._meta.db_table}")

    # when the monitor runs
    with django_assert_max_num_queries(8):
        result = sla_monitor_run(now=at(2026, 1, 19, 12))

    # then every late clock is marked and logged in a fixed number of statements
    # (the template ticket's own two clocks are late too)
    assert result.breached == 50_002
    assert result.emails == 10_002
    assert SlaClockEvent.objects.filter(kind=SlaClockEvent.Kind.BREACH).count() == 50_002
