"""The escalation ladder: rungs of a ticket's policy that act when its clocks have used a
share of their target (see `sla.models.EscalationStep`).

The run reads the stored clock figures and adds the running stretch (`clock_elapsed`); it
never writes a clock. Each rung acts once per ticket and level (`TicketEscalation`), in its
own transaction that locks the ticket, so two runs at once, or a run racing an agent's own
escalation, act once and on the ticket as it is now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from background.queue import enqueue_on_commit
from sla.models import EscalationStep, SlaClock, SupportLevel
from sla.selectors import clock_elapsed
from tickets import clocks, tasks
from tickets.locks import ticket_lock
from tickets.models import Ticket, TicketEscalation, TicketEvent
from tickets.services.events import ticket_event_record

Action = EscalationStep.Action
Measure = EscalationStep.Measure
SUBJECT_PREFIX = "ticket:"


@dataclass
class EscalationResult:
    acted: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def total(self) -> int:
        return sum(self.acted.values())


def escalations_run(*, now: datetime | None = None, chunk: int = 2000) -> EscalationResult:
    """Act on every rung whose threshold an open ticket's clock has reached."""
    now = now or timezone.now()
    result = EscalationResult()
    ladders: dict[int, list[EscalationStep]] = defaultdict(list)
    for step in EscalationStep.objects.select_related("assign_to"):
        ladders[step.policy_version_id].append(step)
    if not ladders:
        return result
    level_times = {
        (level.policy_version_id, level.number): level.resolution
        for level in SupportLevel.objects.filter(policy_version_id__in=ladders)
    }
    open_clocks = list(
        SlaClock.objects.filter(
            policy_version_id__in=ladders,
            stopped_at__isnull=True,
            subject__startswith=SUBJECT_PREFIX,
        )
        .exclude(state=SlaClock.State.UNTIMED)
        .select_related("calendar_version")
        .order_by("pk")
    )
    for start in range(0, len(open_clocks), chunk):
        batch = open_clocks[start : start + chunk]
        ids = {_ticket_id(clock) for clock in batch}
        levels = dict(
            Ticket.objects.filter(pk__in=ids)
            .exclude(status__in=Ticket.CLOSED_STATUSES)
            .values_list("pk", "resolution_level")
        )
        acted = set(
            TicketEscalation.objects.filter(ticket_id__in=ids).values_list(
                "ticket_id", "step_id", "level"
            )
        )
        for clock in batch:
            ticket_id = _ticket_id(clock)
            if ticket_id not in levels:
                continue
            level = levels[ticket_id]
            used = clock_elapsed(clock, now)
            for step in ladders[clock.policy_version_id]:
                if (ticket_id, step.pk, level) in acted or not _measures(step, clock):
                    continue
                target = (
                    level_times.get((clock.policy_version_id, level))
                    if step.measure == Measure.LEVEL
                    else clock.target
                )
                reached = target is not None and used * 100 >= target * step.at_percent
                if reached and step.applies_to(clock.priority) and _act(ticket_id, step, now):
                    result.acted[step.action] += 1
    return result


def _ticket_id(clock: SlaClock) -> int:
    return int(clock.subject.removeprefix(SUBJECT_PREFIX))


def _measures(step: EscalationStep, clock: SlaClock) -> bool:
    if step.measure == Measure.RESPONSE:
        return clock.kind == SlaClock.Kind.RESPONSE
    return clock.kind == SlaClock.Kind.RESOLUTION


def _act(ticket_id: int, step: EscalationStep, now: datetime) -> bool:
    """Under the ticket's lock, check again (an agent may have resolved or escalated it
    since the read) and act once."""
    with transaction.atomic():
        ticket = ticket_lock(ticket_id)
        if not ticket.is_open:
            return False
        if step.measure == Measure.LEVEL and not _level_time_used(ticket, step, now):
            return False
        try:
            with transaction.atomic():
                escalation = TicketEscalation.objects.create(
                    ticket=ticket,
                    step=step,
                    level=ticket.resolution_level,
                    action=step.action,
                    at=now,
                )
        except IntegrityError:
            return False  # this rung already acted at this level
        escalation.outcome = _apply(ticket, step, now)[:240]
        escalation.save(update_fields=["outcome"])
        enqueue_on_commit(tasks.send_escalation, escalation.pk)
    return True


def _level_time_used(ticket: Ticket, step: EscalationStep, now: datetime) -> bool:
    status = clocks.level_status(ticket, now=now)
    if status is None or status.level.resolution is None:
        return False
    return status.used * 100 >= status.level.resolution * step.at_percent


def _apply(ticket: Ticket, step: EscalationStep, now: datetime) -> str:
    """Carry out the rung; returns what happened, as the history and the mail say it."""
    if step.action == Action.REASSIGN:
        previous = ticket.assignee
        ticket.assignee = step.assign_to
        ticket.save(update_fields=["assignee"])
        clocks.set_recipients(ticket)
        outcome = f"{previous or '—'} → {step.assign_to}"
    elif step.action == Action.RAISE_LEVEL:
        outcome = _raise_level(ticket, now)
    else:
        outcome = ""
    ticket_event_record(
        ticket,
        TicketEvent.Kind.LADDER,
        step.action,
        ticket.resolution_level,
        at=now,
        reason=_rung_reason(step, outcome),
    )
    return outcome


def _raise_level(ticket: Ticket, now: datetime) -> str:
    """One level up, when the policy has it. A level worked by a vendor or the committee
    needs a person to name them, so the rung only tells the people watching the ticket."""
    following = clocks.level_of(ticket, ticket.resolution_level + 1)
    if following is None:
        return _("no hay un nivel superior")
    if following.needs_referral:
        return _("el nivel %(number)s necesita que una persona indique a quién se deriva") % {
            "number": following.number
        }
    ticket_event_record(
        ticket,
        TicketEvent.Kind.ESCALATION,
        ticket.resolution_level,
        following.number,
        at=now,
        reason=_("Escalera de escalamiento: venció el tiempo del nivel %(number)s.")
        % {"number": ticket.resolution_level},
    )
    ticket.resolution_level = following.number
    ticket.save(update_fields=["resolution_level"])
    return _("nivel %(number)s") % {"number": following.number}


def _rung_reason(step: EscalationStep, outcome: str) -> str:
    text = f"{step.get_measure_display()} {step.at_percent} %: {step.get_action_display()}"
    return f"{text} ({outcome})" if outcome else text
