"""Reads the API composes from the apps' selectors: a ticket's next due time, its clocks with
their status and explanation, and the charges made for it.

They belong to `tickets` (and could move there): they are here because the API is the first
caller, and the tickets app is being worked on by others.
"""

from datetime import datetime

from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat

from credits.models import LedgerEntry
from sla.models import SlaClock
from sla.selectors import clock_explain, clock_status
from tickets.clocks import clocks_of
from tickets.models import Ticket


def _subject_of_outer_ticket():
    return Concat(Value("ticket:"), Cast(OuterRef("pk"), output_field=CharField()))


def tickets_with_due(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate `next_due_at`: the earliest due time of the ticket's open clocks."""
    due = (
        SlaClock.objects.filter(
            subject=_subject_of_outer_ticket(), stopped_at__isnull=True, due_at__isnull=False
        )
        .order_by("due_at")
        .values("due_at")[:1]
    )
    return queryset.annotate(next_due_at=Subquery(due))


def contract_clocks(contract) -> QuerySet[SlaClock]:
    """The SLA clocks of the contract's tickets (what its compliance is computed from)."""
    subjects = (
        Ticket.objects.filter(contract=contract)
        .annotate(clock_subject=Concat(Value("ticket:"), Cast("pk", output_field=CharField())))
        .values("clock_subject")
    )
    return SlaClock.objects.filter(subject__in=subjects)


def _seconds(value) -> int:
    return int(value.total_seconds())


def ticket_clocks(ticket: Ticket, *, now: datetime, language: str) -> list[dict]:
    """Each clock with `clock_status` figures, its due time in the customer's zone and the
    `clock_explain` lines (which hours, pauses and holidays were skipped)."""
    zone = ticket.customer.time_zone_info
    rows = []
    for clock in clocks_of(ticket).select_related("calendar_version"):
        status = clock_status(clock, now)
        rows.append(
            {
                "kind": clock.kind,
                "priority": clock.priority,
                "state": status.state,
                "target_seconds": _seconds(clock.target),
                "elapsed_seconds": _seconds(status.elapsed),
                "remaining_seconds": _seconds(status.remaining),
                "percent_used": status.percent_used,
                "started_at": clock.started_at,
                "due_at": status.due_at,
                "due_at_local": status.due_at.astimezone(zone) if status.due_at else None,
                "stopped_at": clock.stopped_at,
                "explanation": clock_explain(clock, language),
            }
        )
    return rows


def ticket_charges(ticket: Ticket) -> list[dict]:
    """Ledger entries charged for the ticket's work and its missed sessions, with the
    explanation each was written with."""
    session_ids = [str(pk) for pk in ticket.sessions.values_list("pk", flat=True)]
    entries = LedgerEntry.objects.filter(account__customer_id=ticket.customer_id).filter(
        Q(reference_type="tickets.ticket", reference_id=str(ticket.pk))
        | Q(reference_type="tickets.session", reference_id__in=session_ids)
    )
    return [
        {
            "entry": entry.pk,
            "sequence": entry.sequence,
            "kind": entry.kind,
            "credits": entry.credits,
            "explanation": entry.reason,
            "created_at": entry.created_at,
        }
        for entry in entries.order_by("sequence")
    ]
