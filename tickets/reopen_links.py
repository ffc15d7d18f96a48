"""The reopen link in a resolution notice (seed 001: "se comunica con el cliente para
notificar la solución"): the customer reopens with one click, without signing in.

The link is signed and names the ticket and the resolution it answers, so it reopens only
that resolution: once the ticket was reopened, resolved again or closed, the old link says
so instead. It expires with the link's age limit.
"""

from django.core import signing

from tickets.models import Ticket, TicketEvent

SALT = "tickets.reopen-link"
MAX_AGE_DAYS = 30


def resolution_event(ticket: Ticket) -> TicketEvent | None:
    return (
        ticket.events.filter(kind=TicketEvent.Kind.STATUS, to_value=Ticket.Status.RESOLVED)
        .order_by("-pk")
        .first()
    )


def reopen_token(ticket: Ticket, resolution: TicketEvent) -> str:
    return signing.dumps({"ticket": ticket.pk, "resolution": resolution.pk}, salt=SALT)


def reopen_token_ticket(token: str) -> tuple[Ticket | None, bool]:
    """(the ticket, whether the link still reopens it); (None, False) for a bad or old link."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_DAYS * 86400)
    except signing.BadSignature:
        return None, False
    ticket = (
        Ticket.objects.select_related("customer", "requester").filter(pk=data["ticket"]).first()
    )
    if ticket is None:
        return None, False
    latest = resolution_event(ticket)
    current = (
        ticket.status == Ticket.Status.RESOLVED
        and latest is not None
        and latest.pk == data["resolution"]
    )
    return ticket, current
