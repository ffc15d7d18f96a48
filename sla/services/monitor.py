"""The breach monitor: marks warnings and breaches and mails each once per clock and threshold.

It never computes business time: every clock carries its `warn_at` and `due_at`, written at
its last transition, so the run is a handful of set-based statements whatever the number
of clocks: mark (one UPDATE per threshold, tagged with this run's id), log the events (one
INSERT ... SELECT per threshold), read what to mail (one SELECT). An UPDATE only takes
clocks still unmarked, so a second run, or two runs at once, mark and mail nothing twice.

Recipients are the clock's `notify_emails`, which tickets keep current (assignee and
account manager) through `clock_set_recipients`; sla knows nothing of tickets.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from itertools import batched
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import F
from django.utils import translation

from background.queue import enqueue_on_commit
from core.events import events_emit, events_wanted
from core.formatting import format_moment, zone_label
from core.languages import SPANISH
from sla import tasks
from sla.calendars import to_us
from sla.models import SlaClock, SlaClockEvent
from sla.selectors import clock_overdue, clock_warning_reached

State = SlaClock.State
# Clocks announced per batch: one insert of the announcing tasks each (`core.events.events_emit`).
ANNOUNCE_BATCH = 5000


@dataclass(frozen=True)
class MonitorResult:
    warned: int
    breached: int
    emails: int


def _log_events(run: uuid.UUID, kind: str, at_column: str, elapsed_sql: str, now) -> None:
    """INSERT ... SELECT one event per clock this run marked (no per-clock round trip)."""
    quote = connection.ops.quote_name
    events, clocks = SlaClockEvent._meta.db_table, SlaClock._meta.db_table
    # Table and column names come from our models, values go as parameters.
    sql = (
        f"INSERT INTO {quote(events)} "  # noqa: S608
        f"({quote('clock_id')}, {quote('kind')}, {quote('at')}, {quote('elapsed')}, "
        f"{quote('due_at')}, {quote('note')}, {quote('created_at')}) "
        f"SELECT {quote('id')}, %s, {quote(at_column)}, {elapsed_sql}, {quote('due_at')}, "
        f"%s, %s FROM {quote(clocks)} WHERE {quote('monitor_run')} = %s"
    )
    run_value = run if connection.vendor == "postgresql" else run.hex
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, "sla_monitor", now, run_value])


@transaction.atomic(durable=True)
def sla_monitor_run(*, now: datetime) -> MonitorResult:
    """Mark clocks past their warning or due instant and mail their recipients once.

    Mail leaves after commit, one task per clock (`sla.tasks`); a failed run marks nothing
    and mails nothing.
    """
    to_us(now, "now")
    warn_run, breach_run = uuid.uuid4(), uuid.uuid4()
    quote = connection.ops.quote_name
    warned = (
        SlaClock.objects.filter(clock_warning_reached(now), warned_at__isnull=True)
        .exclude(clock_overdue(now))
        .update(warned_at=now, monitor_run=warn_run)
    )
    breached = SlaClock.objects.filter(clock_overdue(now)).update(
        state=State.BREACHED, breached_at=F("due_at"), monitor_run=breach_run
    )
    if warned:
        # Business time at the warning instant is the threshold share of the target.
        _log_events(
            warn_run,
            SlaClockEvent.Kind.WARNING,
            "warn_at",
            f"{quote('target')} * {quote('warning_percent')} / 100",
            now,
        )
    if breached:
        _log_events(breach_run, SlaClockEvent.Kind.BREACH, "due_at", quote("target"), now)
    mailed = []
    if warned or breached:
        rows = SlaClock.objects.filter(monitor_run__in=[warn_run, breach_run]).values_list(
            "pk", "monitor_run", "notify_emails"
        )
        mailed = [
            (pk, run == breach_run) for pk, run, emails in rows.iterator(chunk_size=5000) if emails
        ]
        _announce(warn_run, breach_run)
    for clock_id, was_breached in mailed:
        enqueue_on_commit(tasks.send_clock_mail, clock_id, breached=was_breached)
    return MonitorResult(warned=warned, breached=breached, emails=len(mailed))


def _announce(warn_run: uuid.UUID, breach_run: uuid.UUID) -> None:
    """`ticket.sla_warning` / `ticket.sla_breached` per clock, when someone listens (a run may
    mark a hundred thousand clocks, and most installations have no webhook for them)."""
    event_of_run = {warn_run: "ticket.sla_warning", breach_run: "ticket.sla_breached"}
    wanted = events_wanted(event_of_run.values())
    runs = [run for run, event_type in event_of_run.items() if event_type in wanted]
    if not runs:
        return
    clocks = SlaClock.objects.filter(monitor_run__in=runs).only("pk", "subject", "monitor_run")
    for batch in batched(clocks.iterator(chunk_size=ANNOUNCE_BATCH), ANNOUNCE_BATCH):
        for run in runs:
            events_emit(event_of_run[run], [clock for clock in batch if clock.monitor_run == run])


def clock_mail(clock_id: int, *, breached: bool) -> mail.EmailMessage | None:
    """The warning or breach mail of one clock, to its recipients; None without any, and
    for a warning whose clock stopped before the mail left (met: nothing to warn of)."""
    subject, label, kind, priority, due_at, emails, zone, stopped_at = SlaClock.objects.values_list(
        "subject",
        "label",
        "kind",
        "priority",
        "due_at",
        "notify_emails",
        "calendar_version__time_zone",
        "stopped_at",
    ).get(pk=clock_id)
    if not emails or (stopped_at is not None and not breached):
        return None
    with translation.override(settings.LANGUAGE_CODE):
        return _message(subject, label, kind, priority, due_at, emails, breached, zone)


def _message(subject, label, kind, priority, due_at, emails, breached, zone) -> mail.EmailMessage:
    zone_info = ZoneInfo(zone or "UTC")
    local_due = (
        f"{format_moment(due_at.astimezone(zone_info), SPANISH)}, "
        f"hora de {zone_label(zone_info, SPANISH, at=due_at)}"
    )
    kind_label = SlaClock.Kind(kind).label
    name = label or subject
    if breached:
        title = f"[SLA] Incumplido: {name} ({kind_label}, {priority.upper()})"
        body = f"El objetivo de {kind_label.lower()} de {name} venció el {local_due}."
    else:
        title = f"[SLA] Aviso: {name} ({kind_label}, {priority.upper()})"
        body = (
            f"{name} usó la mayor parte de su objetivo de {kind_label.lower()}: "
            f"vence el {local_due}."
        )
    return mail.EmailMessage(subject=title, body=body, to=list(emails))
