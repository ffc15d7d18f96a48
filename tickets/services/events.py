"""The one way a ticket's history row is written (status moves, charges, escalations)."""

from datetime import datetime

from django.contrib.auth.models import User

from core.bulk import rows_insert
from tickets.models import Ticket, TicketEvent


def ticket_event_record(
    ticket: Ticket,
    kind: str,
    from_value: object,
    to_value: object,
    *,
    at: datetime,
    by: User | None = None,
    reason: str = "",
    reason_en: str = "",
) -> TicketEvent:
    """Values are stored as text (a status, a priority, credits), as the history shows them.
    `reason_en` is the English of a reason Creditdesk wrote in both languages."""
    event = TicketEvent(
        ticket=ticket,
        kind=kind,
        from_value=str(from_value),
        to_value=str(to_value),
        by=by,
        reason=reason,
        reason_en=reason_en,
        at=at,
    )
    rows_insert([event])
    return event
