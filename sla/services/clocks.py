"""Clock transitions: start, pause, resume, stop, reopen, retarget (and re-apply).

Every transition locks the clock row, checks `sla.transitions`, brings the stored figures
up to the transition instant (`elapsed`, `measured_at`, a breach that happened meanwhile),
projects the new due and warning instants, saves them and writes an event. Nothing later
recomputes business time: the monitor and the compliance figures read these columns.

A clock is breached the moment the wall clock passes its due time while it runs. Because a
due time may sit on a closing time (Friday 16:30), a reply at 18:00 is late even though no
business time passed after 16:30: the customer was told "16:30".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from core.bulk import rows_insert
from sla.calendars import Calendar, add_business_time, business_time_between, to_us
from sla.exceptions import ClockTimeGoesBack, MissingPriorityTarget
from sla.locks import clock_lock
from sla.models import (
    BusinessCalendar,
    CalendarVersion,
    SlaClock,
    SlaClockEvent,
    SlaClockPause,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTarget,
)
from sla.selectors import (
    calendar_current_version,
    calendar_value,
    calendar_version_now,
    policy_current_version,
    policy_rules,
)
from sla.transitions import PAUSED, RUNNING, UNTIMED, check, phase

Event = SlaClockEvent.Kind
State = SlaClock.State
ZERO = timedelta(0)
CLOCK_FIELDS = [
    "priority",
    "policy_version",
    "calendar_version",
    "target",
    "warning_percent",
    "state",
    "measured_at",
    "elapsed",
    "due_at",
    "warn_at",
    "paused_at",
    "stopped_at",
    "cycle",
    "first_stopped_at",
    "first_elapsed",
    "first_met",
    "breached_at",
]


@dataclass(frozen=True)
class ClockPair:
    response: SlaClock | None
    resolution: SlaClock | None


def _resolve_version(policy: SlaPolicy | SlaPolicyVersion) -> SlaPolicyVersion:
    return policy if isinstance(policy, SlaPolicyVersion) else policy_current_version(policy)


def _target_of(version: SlaPolicyVersion, priority: str) -> SlaTarget:
    target = policy_rules(version).targets.get(priority)
    if target is None:
        raise MissingPriorityTarget(field="priority", policy=str(version), priority=priority)
    return target


def _measured_on(version: SlaPolicyVersion, target_row: SlaTarget) -> CalendarVersion | None:
    if target_row.measure == SlaTarget.Measure.ALWAYS:
        return None
    return calendar_version_now(version)


def _new_clock(
    *,
    subject: str,
    kind: str,
    version: SlaPolicyVersion,
    target_row: SlaTarget,
    calendar_version: CalendarVersion | None,
    started_at: datetime,
    label: str,
    notify_emails: Sequence[str],
) -> SlaClock | None:
    """An unsaved running clock with its due times projected; None without a target."""
    target = target_row.first_response if kind == SlaClock.Kind.RESPONSE else target_row.resolution
    if target is None:
        return None
    clock = SlaClock(
        subject=subject,
        label=label,
        kind=kind,
        priority=target_row.priority,
        policy_version=version,
        calendar_version=calendar_version,
        target=target,
        warning_percent=version.warning_percent,
        state=State.RUNNING,
        started_at=started_at,
        measured_at=started_at,
        elapsed=ZERO,
        notify_emails=list(notify_emails),
    )
    _project(clock, calendar_value(calendar_version))
    _check_fields(clock)
    return clock


def _start_event(clock: SlaClock) -> SlaClockEvent:
    return SlaClockEvent(
        clock=clock, kind=Event.START, at=clock.started_at, elapsed=ZERO, due_at=clock.due_at
    )


def clocks_start(
    *,
    subject: str,
    policy: SlaPolicy | SlaPolicyVersion,
    priority: str,
    started_at: datetime,
    label: str = "",
    notify_emails: Sequence[str] = (),
) -> ClockPair:
    """Start the response and resolution clocks of `subject` (None where no target).

    The clocks pin the policy version and the calendar version current now: later versions
    do not move them until `clock_retarget` / `sla_reapply`. Intake runs this for every
    request inside its transaction, so it reads the target row and the calendar version
    once and writes both clocks and both events in two statements.
    """
    to_us(started_at, "started_at")
    version = _resolve_version(policy)
    target_row = _target_of(version, priority)
    calendar_version = _measured_on(version, target_row)
    pair = {
        kind: _new_clock(
            subject=subject,
            kind=kind,
            version=version,
            target_row=target_row,
            calendar_version=calendar_version,
            started_at=started_at,
            label=label,
            notify_emails=notify_emails,
        )
        for kind in (SlaClock.Kind.RESPONSE, SlaClock.Kind.RESOLUTION)
    }
    started = [clock for clock in pair.values() if clock is not None]
    with transaction.atomic(savepoint=False):
        rows_insert(started)
        rows_insert([_start_event(clock) for clock in started])
    return ClockPair(
        response=pair[SlaClock.Kind.RESPONSE], resolution=pair[SlaClock.Kind.RESOLUTION]
    )


@transaction.atomic
def clock_start(
    *,
    subject: str,
    kind: str,
    policy_version: SlaPolicyVersion,
    priority: str,
    started_at: datetime,
    label: str = "",
    notify_emails: Sequence[str] = (),
) -> SlaClock | None:
    """Start one clock with the version's target for `priority`; None when it has none."""
    to_us(started_at, "started_at")
    target_row = _target_of(policy_version, priority)
    clock = _new_clock(
        subject=subject,
        kind=kind,
        version=policy_version,
        target_row=target_row,
        calendar_version=_measured_on(policy_version, target_row),
        started_at=started_at,
        label=label,
        notify_emails=notify_emails,
    )
    if clock is not None:
        clock.save()
        _start_event(clock).save()
    return clock


def _check_time(clock: SlaClock, at: datetime) -> None:
    to_us(at, "at")
    if at < clock.measured_at:
        raise ClockTimeGoesBack(field="at", at=at.isoformat(), last=clock.measured_at.isoformat())


def _record(clock: SlaClock, kind: str, at: datetime, note: str = "", elapsed=None) -> None:
    SlaClockEvent.objects.create(
        clock=clock,
        kind=kind,
        at=at,
        elapsed=clock.elapsed if elapsed is None else elapsed,
        due_at=clock.due_at,
        note=note[:240],
    )


def _advance(clock: SlaClock, calendar: Calendar, at: datetime) -> None:
    """Bring `elapsed` up to `at`, noting a breach that happened on the way."""
    if phase(clock) == RUNNING:
        if clock.breached_at is None and clock.due_at is not None and at > clock.due_at:
            clock.breached_at = clock.due_at
            SlaClockEvent.objects.create(
                clock=clock,
                kind=Event.BREACH,
                at=clock.due_at,
                elapsed=clock.target,
                due_at=clock.due_at,
            )
        clock.elapsed += business_time_between(clock.measured_at, at, calendar)
    clock.measured_at = at


def _project(clock: SlaClock, calendar: Calendar) -> None:
    """Due and warning instants of a clock that runs from `measured_at` with `elapsed`."""
    if clock.breached_at is None:
        clock.due_at = add_business_time(clock.measured_at, clock.target - clock.elapsed, calendar)
    else:
        clock.due_at = clock.breached_at
    warning = clock.target * clock.warning_percent // 100
    clock.warn_at = add_business_time(
        clock.measured_at, max(warning - clock.elapsed, ZERO), calendar
    )
    _settle_state(clock)


def _settle_state(clock: SlaClock) -> None:
    if clock.state == State.UNTIMED:
        return
    if clock.stopped_at is not None:
        clock.state = State.MET if clock.breached_at is None else State.BREACHED
    elif clock.breached_at is not None:
        clock.state = State.BREACHED
    else:
        clock.state = State.PAUSED if clock.paused_at is not None else State.RUNNING


def _check_fields(clock: SlaClock) -> None:
    """Field rules only: the rows it points to and its CHECK constraints are the database's
    to enforce, and asking the database again on every clock transition (a query per
    constraint) would double the cost of a ticket's intake."""
    clock.clean_fields(exclude=["policy_version", "calendar_version"])


def _save(clock: SlaClock) -> SlaClock:
    _check_fields(clock)
    clock.save(update_fields=CLOCK_FIELDS)
    return clock


@transaction.atomic
def clock_pause(*, clock: SlaClock, at: datetime, note: str = "") -> SlaClock:
    """Waiting on the customer: business time stops counting. Locks the clock row."""
    clock = clock_lock(clock.pk)
    check(clock, "pause")
    _check_time(clock, at)
    _advance(clock, calendar_value(clock.calendar_version), at)
    clock.paused_at = at
    _settle_state(clock)
    _save(clock)
    SlaClockPause.objects.create(clock=clock, started_at=at)
    _record(clock, Event.PAUSE, at, note)
    return clock


def _end_pause(clock: SlaClock, calendar: Calendar, at: datetime) -> None:
    """Close the open pause, storing the business time it kept off the clock."""
    pause = clock.pauses.get(ended_at__isnull=True)
    pause.ended_at = at
    pause.business_time = business_time_between(pause.started_at, at, calendar)
    pause.full_clean()
    pause.save(update_fields=["ended_at", "business_time"])
    clock.paused_at = None


@transaction.atomic
def clock_resume(*, clock: SlaClock, at: datetime, note: str = "") -> SlaClock:
    """The customer answered: the due time moves by the business time spent paused."""
    clock = clock_lock(clock.pk)
    check(clock, "resume")
    _check_time(clock, at)
    calendar = calendar_value(clock.calendar_version)
    _end_pause(clock, calendar, at)
    clock.measured_at = at
    _project(clock, calendar)
    _save(clock)
    _record(clock, Event.RESUME, at, note)
    return clock


@transaction.atomic
def clock_stop(*, clock: SlaClock, at: datetime, note: str = "") -> SlaClock:
    """First public reply (response clock) or resolution (resolution clock): met or breached.

    Callers decide what stops a clock: an internal note must not stop the response clock.
    """
    clock = clock_lock(clock.pk)
    check(clock, "stop")
    _check_time(clock, at)
    calendar = calendar_value(clock.calendar_version)
    _advance(clock, calendar, at)
    if phase(clock) == PAUSED:
        _end_pause(clock, calendar, at)
    clock.stopped_at = at
    clock.warn_at = None
    if clock.first_stopped_at is None:
        clock.first_stopped_at = at
        clock.first_elapsed = clock.elapsed
        clock.first_met = clock.breached_at is None
    _settle_state(clock)
    _save(clock)
    _record(clock, Event.STOP, at, note)
    return clock


@transaction.atomic
def clock_reopen(*, clock: SlaClock, at: datetime, note: str = "") -> SlaClock:
    """A resolved ticket reopens: a new cycle that continues from the accumulated time."""
    clock = clock_lock(clock.pk)
    check(clock, "reopen")
    _check_time(clock, at)
    clock.stopped_at = None
    clock.measured_at = at
    clock.cycle += 1
    if clock.state != State.UNTIMED:
        _project(clock, calendar_value(clock.calendar_version))
    _save(clock)
    _record(clock, Event.REOPEN, at, note)
    return clock


@transaction.atomic
def clock_set_recipients(
    *, clock: SlaClock, emails: Iterable[str], label: str | None = None
) -> SlaClock:
    """Who the monitor mails (assignee, account manager); tickets keep it current."""
    clock = clock_lock(clock.pk)
    clock.notify_emails = sorted({email.strip() for email in emails if email.strip()})
    if label is not None:
        clock.label = label
    _check_fields(clock)
    clock.save(update_fields=["notify_emails", "label"])
    return clock


# --- recomputation from history ------------------------------------------------------------


@dataclass(frozen=True)
class Replay:
    elapsed: timedelta
    measured_at: datetime
    breached_at: datetime | None
    first_elapsed: timedelta | None
    first_met: bool | None
    pause_times: list[timedelta]


def replay(clock: SlaClock, calendar: Calendar, target: timedelta, at: datetime) -> Replay:
    """Recompute a clock's figures from its events on `calendar` with `target`, up to `at`.

    Running stretches are start/resume/reopen to pause/stop; paused stretches stay
    excluded, so re-applying a policy never loses pause time.
    """
    elapsed = ZERO
    running_since: datetime | None = None
    paused_since: datetime | None = None
    breached_at = None
    first_elapsed = None
    first_met = None
    pause_times = []

    def run_until(moment: datetime) -> None:
        nonlocal elapsed, breached_at
        if breached_at is None and elapsed <= target:
            due = add_business_time(running_since, target - elapsed, calendar)
            if moment > due:
                breached_at = due
        elapsed += business_time_between(running_since, moment, calendar)

    for event in clock.events.order_by("at", "pk"):
        if event.kind in (Event.START, Event.RESUME, Event.REOPEN):
            if paused_since is not None:
                pause_times.append(business_time_between(paused_since, event.at, calendar))
                paused_since = None
            running_since = event.at
        elif event.kind in (Event.PAUSE, Event.STOP, Event.UNTIMED):
            if running_since is not None:
                run_until(event.at)
                running_since = None
            if event.kind == Event.PAUSE:
                paused_since = event.at
            elif event.kind == Event.UNTIMED:
                if paused_since is not None:
                    pause_times.append(business_time_between(paused_since, event.at, calendar))
                    paused_since = None
            else:
                if paused_since is not None:
                    pause_times.append(business_time_between(paused_since, event.at, calendar))
                    paused_since = None
                if first_elapsed is None:
                    first_elapsed, first_met = elapsed, breached_at is None
    measured_at = at
    if running_since is not None:
        run_until(at)
    elif paused_since is not None or clock.stopped_at is not None:
        measured_at = clock.measured_at
    return Replay(elapsed, measured_at, breached_at, first_elapsed, first_met, pause_times)


@transaction.atomic
def clock_retarget(
    *,
    clock: SlaClock,
    at: datetime,
    policy_version: SlaPolicyVersion | None = None,
    priority: str | None = None,
    note: str = "",
) -> SlaClock | None:
    """Move an open clock to another policy version, priority or calendar version.

    The target comes from `policy_version` (default: the clock's) for `priority` (default:
    the clock's), measured on that version's current calendar version; the figures are
    recomputed from the clock's events (see `replay`). A new `priority` without a target
    makes the clock untimed (no time counted, no due time, out of compliance); an untimed
    clock moved to a priority with a target runs again with the business time it had used,
    due at now + (target - used). Without a new priority, returns None, changing nothing,
    when the new policy has no target for this clock.
    """
    clock = clock_lock(clock.pk)
    check(clock, "retarget")
    _check_time(clock, at)
    version = policy_version or clock.policy_version
    priority = priority or clock.priority
    target_row = _target_of(version, priority)
    target = (
        target_row.first_response if clock.kind == SlaClock.Kind.RESPONSE else target_row.resolution
    )
    if target is None:
        if priority == clock.priority and phase(clock) != UNTIMED:
            return None
        return _untime(clock, at=at, version=version, priority=priority, note=note)
    restarted = phase(clock) == UNTIMED
    if restarted:
        clock.state = State.RUNNING
        _record(clock, Event.RESUME, at, note="target")
    calendar_version = _measured_on(version, target_row)
    calendar = calendar_value(calendar_version)
    figures = replay(clock, calendar, target, at)
    clock.policy_version = version
    clock.priority = priority
    clock.calendar_version = calendar_version
    clock.target = target
    clock.warning_percent = version.warning_percent
    clock.elapsed = figures.elapsed
    clock.measured_at = figures.measured_at
    clock.breached_at = figures.breached_at
    clock.first_elapsed = figures.first_elapsed
    clock.first_met = figures.first_met
    if phase(clock) == RUNNING:
        _project(clock, calendar)
    else:
        _settle_state(clock)
    _save(clock)
    pauses = list(clock.pauses.exclude(ended_at=None).order_by("started_at"))
    for pause, business_time in zip(pauses, figures.pause_times, strict=False):
        pause.business_time = business_time
    SlaClockPause.objects.bulk_update(pauses, ["business_time"])
    _record(clock, Event.RETARGET, at, note or f"{version} {priority}")
    return clock


def _untime(
    clock: SlaClock, *, at: datetime, version: SlaPolicyVersion, priority: str, note: str
) -> SlaClock:
    """A priority without a target: the time used so far is kept, nothing more counts."""
    calendar = calendar_value(clock.calendar_version)
    _advance(clock, calendar, at)
    if phase(clock) == PAUSED:
        _end_pause(clock, calendar, at)
    clock.policy_version = version
    clock.priority = priority
    clock.state = State.UNTIMED
    clock.due_at = clock.warn_at = clock.breached_at = None
    _save(clock)
    _record(clock, Event.UNTIMED, at, note or f"{version} {priority}")
    return clock


@dataclass(frozen=True)
class ReapplyResult:
    moved: int
    unchanged: int
    without_target: list[int]


def clocks_reapply(
    *,
    at: datetime,
    policies: Iterable[SlaPolicy] = (),
    calendars: Iterable[BusinessCalendar] = (),
) -> ReapplyResult:
    """Move open clocks of these policies/calendars to the current versions.

    One transaction per clock (each locks its row), so a long run never holds every lock.
    """
    policies, calendars = list(policies), list(calendars)
    selection = Q(stopped_at__isnull=True)
    scope = Q()
    for policy in policies:
        scope |= Q(policy_version__policy=policy)
    for calendar in calendars:
        scope |= Q(calendar_version__calendar=calendar)
    if not scope:
        return ReapplyResult(0, 0, [])
    moved = unchanged = 0
    without_target = []
    currents = {}
    for clock in SlaClock.objects.filter(selection & scope).select_related(
        "policy_version__policy", "policy_version__calendar", "calendar_version"
    ):
        policy = clock.policy_version.policy
        if policy.pk not in currents:
            currents[policy.pk] = policy_current_version(policy)
        version = currents[policy.pk]
        wanted_calendar = calendar_current_version(version.calendar)
        if clock.policy_version_id == version.pk and clock.calendar_version_id in (
            None,
            wanted_calendar.pk,
        ):
            unchanged += 1
            continue
        result = clock_retarget(clock=clock, at=at, policy_version=version, note="sla_reapply")
        if result is None:
            without_target.append(clock.pk)
        else:
            moved += 1
    return ReapplyResult(moved, unchanged, without_target)
