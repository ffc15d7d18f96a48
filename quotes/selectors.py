"""Reads of quotes: a ticket's quotes, the ones a reader may see, who decides them, the
outcome check."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from contracts.models import Contact
from core.errors import InvalidInput
from quotes.models import Quote
from tickets.models import Ticket

ISSUED = (
    Quote.Status.SENT,
    Quote.Status.ACCEPTED,
    Quote.Status.REJECTED,
    Quote.Status.EXPIRED,
)


def quote_deciders(*, customer_id: int) -> QuerySet[Contact]:
    """The customer's contacts who accept or reject its quotes: its authorised contacts
    (`can_request`). The one rule for both ends: a sent quote is mailed to them
    (`quotes.notifications.quote_recipients`) and only they decide it
    (`quotes.services.contact_decides_quotes`)."""
    return Contact.objects.filter(customer_id=customer_id, can_request=True)


def quotes_of_ticket(ticket: Ticket) -> QuerySet[Quote]:
    return (
        Quote.objects.filter(ticket=ticket)
        .select_related("series", "customer", "invoice", "decided_contact")
        .prefetch_related("lines")
        .order_by("-created_at", "-pk")
    )


def quote_numbers_issued(ticket: Ticket) -> list[str]:
    """The numbers of the ticket's quotes that were sent (a resolution may name one)."""
    return [
        quote.display_number
        for quote in Quote.objects.filter(ticket=ticket, status__in=ISSUED)
        .select_related("series")
        .order_by("series__prefix", "number")
    ]


def quote_by_number(number: str) -> Quote | None:
    """`PR000012` -> the quote numbered 12 in the series with prefix `PR`."""
    number = (number or "").strip().upper()
    prefix = number.rstrip("0123456789")
    digits = number[len(prefix) :]
    if not digits or len(digits) > 18:
        return None
    return (
        Quote.objects.select_related("series", "customer")
        .filter(series__prefix=prefix, number=int(digits))
        .first()
    )


def quote_outcome_check(ticket: Ticket, number: str) -> str:
    """`tickets.outcomes`' check: `number` is a quote of `ticket` that was sent."""
    quote = quote_by_number(number)
    if quote is None or quote.ticket_id != ticket.pk or quote.status not in ISSUED:
        raise InvalidInput(
            {"outcome_quote": [_("Elija un presupuesto enviado de esta solicitud.")]}
        )
    return quote.display_number
