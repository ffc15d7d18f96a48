from django.db.models import QuerySet

from tickets.filters import IntakeAttemptFilter, TicketFilter
from tickets.models import IntakeAttempt, Ticket


def ticket_list(*, filters: dict | None = None) -> QuerySet[Ticket]:
    queryset = Ticket.objects.select_related("customer", "requester", "assignee", "contract__plan")
    return TicketFilter(filters or {}, queryset=queryset).qs


def ticket_get_by_number(*, number: str) -> Ticket | None:
    return Ticket.objects.select_related("customer", "contract__plan").filter(number=number).first()


def intake_attempt_list(*, filters: dict | None = None) -> QuerySet[IntakeAttempt]:
    queryset = IntakeAttempt.objects.select_related("customer", "contact")
    return IntakeAttemptFilter(filters or {}, queryset=queryset).qs
