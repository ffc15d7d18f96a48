"""Tickets' doorway to the SLA engine: which clocks a ticket has and what moves them.

A ticket's clocks are the `sla.SlaClock` rows whose subject is `ticket.clock_subject`. The
business-time math stays in `sla`; this module only decides which clock a ticket event
touches. A plan without an SLA policy ("agreed" attention) starts no clocks.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db.models import QuerySet

from contracts.models import Contract, Plan, Service
from core.reads import all_rows
from sla.business_days import end_of_business_days
from sla.calendars import Calendar, add_business_time, is_working_time
from sla.models import BusinessCalendar, SlaClock, SlaPolicyVersion, SupportLevel
from sla.selectors import (
    calendar_current_version,
    calendar_value,
    clock_elapsed,
    policy_current_version,
    policy_version_from_columns,
    policy_version_now_columns,
)
from sla.services.clocks import (
    clock_pause,
    clock_reopen,
    clock_resume,
    clock_retarget,
    clock_set_recipients,
    clock_stop,
    clocks_start,
)
from sla.services.setup import priority_decide
from sla.transitions import PAUSED, RUNNING, STOPPED, UNTIMED, phase
from tickets.models import Ticket

Kind = SlaClock.Kind


def calendar_of(ticket: Ticket) -> Calendar:
    """The calendar the ticket is measured on; 24x7 when its plan has no SLA policy."""
    clock = clocks_of(ticket).select_related("calendar_version").first()
    return calendar_value(clock.calendar_version if clock else None)


def answer_deadline(ticket: Ticket) -> datetime:
    """When the customer's answer to an information request is late: the plan's window
    (business hours or business days) on the plan's answer calendar, else the ticket's SLA
    clock calendar; without a window, settings.TICKETS_ANSWER_DAYS business days."""
    plan = ticket.contract.plan
    if plan.answer_calendar_id:
        calendar = _counting_now(plan.answer_calendar)
    else:
        calendar = calendar_of(ticket)
    if plan.answer_hours:
        return add_business_time(ticket.waiting_since, timedelta(hours=plan.answer_hours), calendar)
    days = plan.answer_days or settings.TICKETS_ANSWER_DAYS
    return end_of_business_days(ticket.waiting_since, days, calendar)


def unanswered_limit(ticket: Ticket) -> int:
    return ticket.contract.plan.unanswered_limit or settings.TICKETS_UNANSWERED_LIMIT


# Intake reads the plan's current policy version with the contract (`plan_policy_columns`).
PLAN_POLICY = "plan_policy_now_"


@cache  # the same SQL on every call; `annotate` resolves copies of the expressions
def plan_policy_columns() -> dict:
    """Columns for a read of a contract (with its plan) naming its plan's policy version
    counting now; `current_policy_version(..., contract=...)` then reads nothing."""
    plan_policy = (
        f"SELECT p.sla_policy_id FROM {Plan._meta.db_table} p"  # noqa: S608  # _meta names
        f" WHERE p.id = {Contract._meta.db_table}.plan_id"
    )
    return policy_version_now_columns(plan_policy, prefix=PLAN_POLICY)


def current_policy_version(
    plan: Plan, service: Service | None = None, *, contract: Contract | None = None
) -> SlaPolicyVersion | None:
    """The policy a request is measured on: its service type's own (seed 000's SLA 1 in
    business hours beside SLA 2 around the clock), else the plan's; None is agreed attention.
    A `contract` read with `plan_policy_columns` already names the plan's."""
    if service is not None and service.sla_policy_id:
        return policy_current_version(service.sla_policy_id)
    if not plan.sla_policy_id:
        return None
    if contract is not None and hasattr(contract, f"{PLAN_POLICY}id"):
        return policy_version_from_columns(contract, prefix=PLAN_POLICY)
    return policy_current_version(plan.sla_policy_id)


def policy_version_of(ticket: Ticket) -> SlaPolicyVersion | None:
    """The policy version the ticket is measured on: the one its clocks pinned (a version
    published later does not move it until re-applied), else its type's or plan's current."""
    clock = clocks_of(ticket).select_related("policy_version").first()
    if clock is not None:
        return clock.policy_version
    return current_policy_version(ticket.contract.plan, ticket.service)


def level_of(ticket: Ticket, number: int | None = None) -> SupportLevel | None:
    """The ticket's resolution level (or level `number`) as its policy defines it."""
    version = policy_version_of(ticket)
    if version is None:
        return None
    return version.levels.filter(number=number or ticket.resolution_level).first()


def levels_for(ticket: Ticket) -> dict[int, SupportLevel | None]:
    """The levels a ticket may be on: its policy's, else seed 001's three, unnamed."""
    version = policy_version_of(ticket)
    defined = {level.number: level for level in version.levels.all()} if version else {}
    return defined or dict.fromkeys((1, 2, 3))


@dataclass(frozen=True)
class LevelStatus:
    level: SupportLevel
    used: timedelta
    due_at: datetime | None
    late: bool


def level_status(
    ticket: Ticket, *, now: datetime, clocks: list[SlaClock] | None = None
) -> LevelStatus | None:
    """How the ticket stands against its level's own time (seed 001: level 1 within 2 hours,
    level 2 within 4), counted on its resolution clock: from when the request was made, in
    the clock's business hours, waiting on the customer excluded. None without levels, or
    when the resolution clock counts no time (no target for the priority). `clocks`: the
    ticket's clocks with their calendar versions when the caller has read them already."""
    if clocks is None:
        clock = (
            clocks_of(ticket)
            .filter(kind=Kind.RESOLUTION)
            .select_related("calendar_version")
            .first()
        )
    else:
        clock = next((clock for clock in clocks if clock.kind == Kind.RESOLUTION), None)
    if clock is None or phase(clock) == UNTIMED:
        return None
    # the version's few levels, picked here: a small integer column has no room for a marker
    levels = all_rows("support_levels", _support_levels, policy_version_id=clock.policy_version_id)
    level = next((level for level in levels if level.number == ticket.resolution_level), None)
    if level is None:
        return None
    used = clock_elapsed(clock, now)
    if level.resolution is None:
        return LevelStatus(level, used, None, late=False)
    due_at = None
    if phase(clock) == RUNNING and level.resolution > clock.elapsed:
        calendar = calendar_value(clock.calendar_version)
        due_at = add_business_time(clock.measured_at, level.resolution - clock.elapsed, calendar)
    return LevelStatus(level, used, due_at, late=used > level.resolution)


def _support_levels(*, policy_version_id: int) -> QuerySet[SupportLevel]:
    return SupportLevel.objects.filter(policy_version_id=policy_version_id)


def priority_for(version: SlaPolicyVersion | None, *, impact: str, urgency: str) -> str:
    return priority_decide(policy_version=version, impact=impact, urgency=urgency).priority


def override_priority(ticket: Ticket, *, priority: str, reason: str, by, at: datetime):
    """Staff's priority with its reason; open clocks retarget to it (time used is kept).

    A priority without targets makes them untimed; a priority with targets restarts them
    from the time used, paused again if the ticket is waiting on the customer."""
    version = current_policy_version(ticket.contract.plan, ticket.service)
    decision = priority_decide(
        policy_version=version,
        impact=ticket.impact,
        urgency=ticket.urgency,
        override=priority,
        reason=reason,
        decided_by=getattr(by, "username", ""),
    )
    for clock in _each(ticket, phases={RUNNING, PAUSED, UNTIMED}):
        was_untimed = phase(clock) == UNTIMED
        moved = clock_retarget(clock=clock, at=at, priority=decision.priority, note=decision.reason)
        waiting = ticket.status == Ticket.Status.WAITING_ON_CUSTOMER
        if was_untimed and moved is not None and phase(moved) == RUNNING and waiting:
            clock_pause(clock=moved, at=at, note="waiting_on_customer")
    return decision


def move_to_policy(ticket: Ticket, version: SlaPolicyVersion | None, *, at: datetime) -> None:
    """The ticket now belongs to another service type: its open clocks move to that type's
    policy, keeping the business time already used (a stopped response stays as it ended).
    A ticket that had no clocks starts them; without a policy the clocks stay as they are."""
    if version is None:
        return
    if not clocks_of(ticket).exists():
        start(ticket, version, at=at)
        return
    for clock in _each(ticket, phases={RUNNING, PAUSED, UNTIMED}):
        clock_retarget(clock=clock, at=at, policy_version=version, note="reclassified")


def _counting_now(calendar: BusinessCalendar) -> Calendar:
    return calendar_value(calendar_current_version(calendar))


def plan_calendar(plan: Plan, service: Service | None = None) -> Calendar | None:
    """The calendar of the policy a request is measured on (`current_policy_version`) as it
    counts now; None without a policy."""
    version = current_policy_version(plan, service)
    return _counting_now(version.calendar) if version is not None else None


def answer_out_of_hours(ticket: Ticket, *, at: datetime) -> bool:
    """Seed 000: "NO brindamos respuestas a SLA4 fuera del horario comercial". Whether an
    answer at `at` falls outside the hours of the ticket's type's policy calendar, for a type
    answered only in business hours, unless the contract allows answers outside them."""
    service = ticket.service
    if service is None or not service.answers_in_business_hours_only:
        return False
    if ticket.contract.answers_outside_hours:
        return False
    calendar = plan_calendar(ticket.contract.plan, service)
    return calendar is not None and not is_working_time(at, calendar)


def recipients(ticket: Ticket) -> list[str]:
    """Who hears about warnings and breaches: the assignee and the account manager."""
    people = [ticket.assignee, ticket.customer.account_manager]
    return sorted({person.email for person in people if person is not None and person.email})


def clocks_of(ticket: Ticket) -> QuerySet[SlaClock]:
    return _clocks_of_subject(subject=ticket.clock_subject)


def _clocks_of_subject(*, subject: str) -> QuerySet[SlaClock]:
    # "response" sorts after "resolution"; customers read the response first.
    return SlaClock.objects.filter(subject=subject).order_by("-kind")


def start(ticket: Ticket, version: SlaPolicyVersion | None, *, at: datetime) -> None:
    if version is None:
        return
    clocks_start(
        subject=ticket.clock_subject,
        policy=version,
        priority=ticket.priority,
        started_at=at,
        label=ticket.number,
        notify_emails=recipients(ticket),
    )


def _each(ticket: Ticket, *, phases: set[str], kinds=(Kind.RESPONSE, Kind.RESOLUTION)):
    return [c for c in clocks_of(ticket) if c.kind in kinds and phase(c) in phases]


def pause(ticket: Ticket, *, at: datetime) -> None:
    for clock in _each(ticket, phases={RUNNING}):
        clock_pause(clock=clock, at=at, note="waiting_on_customer")


def resume(ticket: Ticket, *, at: datetime) -> None:
    for clock in _each(ticket, phases={PAUSED}):
        clock_resume(clock=clock, at=at, note="customer_reply")


def stop_response(ticket: Ticket, *, at: datetime) -> None:
    for clock in _each(ticket, phases={RUNNING, PAUSED, UNTIMED}, kinds=(Kind.RESPONSE,)):
        clock_stop(clock=clock, at=at, note="first_public_reply")


def stop_all(ticket: Ticket, *, at: datetime) -> None:
    """Resolution also answers the customer: an unanswered response clock stops with it."""
    for clock in _each(ticket, phases={RUNNING, PAUSED, UNTIMED}):
        clock_stop(clock=clock, at=at, note=ticket.status)


def reopen(ticket: Ticket, *, at: datetime) -> None:
    for clock in _each(ticket, phases={STOPPED}, kinds=(Kind.RESOLUTION,)):
        clock_reopen(clock=clock, at=at, note="reopened")


def set_recipients(ticket: Ticket) -> None:
    for clock in clocks_of(ticket):
        clock_set_recipients(clock=clock, emails=recipients(ticket))


def due_times(ticket: Ticket) -> list[tuple[str, datetime]]:
    """The due time of each clock still counting. Every acknowledgement asks it: its clocks
    are read through `core.reads`, compiled once per connection."""
    return [
        (clock.kind, clock.due_at)
        for clock in all_rows("ticket_clocks", _clocks_of_subject, subject=ticket.clock_subject)
        if clock.due_at is not None and phase(clock) != STOPPED
    ]
