"""The tickets app's row locks, in the one order every ticket write takes them.

    ticket -> its work log or scheduled session -> the customer's credit account (last;
    taken inside `credits`)

Every change of status, assignee, message or charge locks the ticket row first, so two
agents (or an agent and the customer) acting on one ticket queue instead of interleaving;
charging then locks the credit account last, as `credits.locks` requires. Intake locks no
ticket (the ticket does not exist yet): it locks the credit account alone.
"""

from core.errors import choice_labels
from tickets.exceptions import TicketFinished
from tickets.models import ScheduledSession, Ticket, WorkLog


def ticket_lock(pk: int) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=pk)


def ticket_lock_unfinished(pk: int) -> Ticket:
    """The ticket locked, unless it is closed or abandoned (`TicketFinished`): a finished
    request was charged once, at resolution, so work, sessions, escalations and the
    customer's messages recorded on it later would be neither charged nor answered."""
    locked = ticket_lock(pk)
    if locked.status in Ticket.FINISHED_STATUSES:
        status = choice_labels(locked.status, Ticket.Status)
        raise TicketFinished(field="ticket", ticket=locked.number, status=status)
    return locked


def worklog_lock(pk: int) -> WorkLog:
    return WorkLog.objects.select_for_update().get(pk=pk)


def session_lock(session: ScheduledSession) -> ScheduledSession:
    """The session after its ticket; its customer and plan are read with it, unlocked, for
    charging (they are the contracts app's rows, not ours to lock)."""
    ticket_lock(session.ticket_id)
    return (
        ScheduledSession.objects.select_for_update(of=("self",))
        .select_related("ticket__customer", "ticket__contract__plan")
        .get(pk=session.pk)
    )
