"""The ticket lifecycle as data."""

from core.errors import choice_labels
from tickets.exceptions import IllegalTicketTransition
from tickets.models import Ticket

Status = Ticket.Status

ALLOWED: dict[str, set[str]] = {
    Status.NEW: {Status.ACKNOWLEDGED},
    Status.ACKNOWLEDGED: {Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER},
    Status.IN_PROGRESS: {Status.WAITING_ON_CUSTOMER, Status.RESOLVED},
    Status.WAITING_ON_CUSTOMER: {Status.IN_PROGRESS, Status.ABANDONED, Status.RESOLVED},
    Status.RESOLVED: {Status.CLOSED, Status.REOPENED},
    Status.CLOSED: {Status.REOPENED},
    Status.REOPENED: {Status.IN_PROGRESS},
    Status.ABANDONED: set(),
}


def check_transition(from_status: str, to_status: str) -> None:
    if to_status not in ALLOWED[from_status]:
        raise IllegalTicketTransition(
            from_status=choice_labels(from_status, Status),
            to_status=choice_labels(to_status, Status),
        )
