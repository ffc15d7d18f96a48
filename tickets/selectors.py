"""Reads about tickets: lists, a ticket's SLA clocks and charges, the clocks of a contract.

SLA clocks name their ticket by the subject string "ticket:<pk>" (sla knows nothing of
tickets); `clock_subject_of_outer_ticket` builds that string inside a subquery, so clocks
are joined to tickets in SQL rather than in Python.
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from typing import overload

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat, Left
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models import Channel, Contract
from core.formatting import credits_text
from core.languages import in_language
from core.reads import all_rows, all_values, first_row
from credits.models import LedgerEntry
from sla.choices import Priority
from sla.models import EscalationStep, SlaClock
from sla.selectors import (
    GroupCompliance,
    clock_explain,
    clock_status,
    sla_compliance_of_periods,
    sla_compliance_periods_query,
    sla_state_expression,
    subject_clocks,
)
from tickets.canned import due_text, expand
from tickets.clocks import level_status
from tickets.models import CannedReply, IntakeAttempt, ScheduledSession, Ticket, TicketEvent


# The API filters these lists with its own FilterSets (`creditdesk.api.filters`), which
# extend `tickets.filters`; building one here over no filters cost every read 1-4 ms.
def ticket_list() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("customer", "requester", "assignee", "contract__plan")


def ticket_rows() -> QuerySet[Ticket]:
    """Tickets as the API's list shows them: each row names its relations by id and states
    its customer's time zone. `ticket_list`'s contract, plan, requester and assignee were
    four more model instances a row that no row reads."""
    return Ticket.objects.select_related("customer")


def intake_attempt_list() -> QuerySet[IntakeAttempt]:
    return IntakeAttempt.objects.select_related("customer", "contact")


CLOCK_SUBJECT_PREFIX = "ticket:"  # `Ticket.clock_subject` is this and the ticket's id


def clock_subject_of_outer_ticket() -> Concat:
    return Concat(Value(CLOCK_SUBJECT_PREFIX), Cast(OuterRef("pk"), output_field=CharField()))


def ticket_has_clock(*where: Q, **conditions) -> Exists:
    """Exists(a clock of the outer ticket matching the conditions), for filters."""
    return Exists(
        SlaClock.objects.filter(*where, subject=clock_subject_of_outer_ticket(), **conditions)
    )


def ticket_sla_state_expression(now: datetime):
    """The ticket's SLA state (`sla.selectors.sla_state_rules`) as an SQL expression."""
    return sla_state_expression(
        SlaClock.objects.filter(subject=clock_subject_of_outer_ticket()), now
    )


def tickets_with_sla_state(queryset: QuerySet[Ticket], now: datetime) -> QuerySet[Ticket]:
    """Annotate `sla_state`: running, warning, paused, breached, met or none."""
    return queryset.annotate(sla_state=ticket_sla_state_expression(now))


def ticket_shown(pk: int, *, now: datetime) -> Ticket:
    """One ticket as its detail shows it: `ticket_list`'s related rows and `sla_state`. Read
    through `core.reads`, so its SLA state's subqueries are compiled once per connection, not
    on every action on a ticket (about 4 ms of the API's answer)."""
    ticket = first_row("ticket_shown", _ticket_shown, pk=pk, now=now)
    if ticket is None:
        raise Ticket.DoesNotExist(pk)
    return ticket


def _ticket_shown(*, pk: int, now: datetime) -> QuerySet[Ticket]:
    return tickets_with_sla_state(ticket_list().filter(pk=pk), now)


def contract_clocks(
    contract: Contract | int,
    *,
    opened_from: datetime | None = None,
    opened_before: datetime | None = None,
) -> QuerySet[SlaClock]:
    """The SLA clocks of the contract's tickets (opened in [opened_from, opened_before) when
    given): what its compliance is computed from."""
    tickets = Ticket.objects.filter(contract=contract)
    if opened_from is not None:
        tickets = tickets.filter(opened_at__gte=opened_from)
    if opened_before is not None:
        tickets = tickets.filter(opened_at__lt=opened_before)
    return clocks_of_tickets(tickets)


def contract_compliance_of_periods(
    contract: Contract, bounds: Sequence[datetime]
) -> list[GroupCompliance]:
    """`sla_compliance_of_periods` of the contract's tickets opened in each period between
    consecutive `bounds`. Its query (a `UNION ALL` of one aggregate per period) is compiled once
    per connection and number of periods: the portal's and the customer page's chart asked
    it on every request, and building and compiling it took twice as long as running it (the
    portal dashboard, bench/README.md, run M)."""
    marked = {f"bound_{n}": bound for n, bound in enumerate(bounds)}
    rows = all_values(
        ("contract_compliance_of_periods", len(bounds)),
        _contract_compliance_query,
        contract_id=contract.pk,
        **marked,
    )
    return sla_compliance_of_periods(clocks=contract_clocks_by_period(contract, bounds), rows=rows)


class _ClocksByPeriod(Sequence[QuerySet[SlaClock]]):
    """`contract_clocks` of each period, its queryset built only when asked for: with its
    rows read, `sla_compliance_of_periods` asks for one only to recount a period whose
    clocks' subjects are of several kinds, which a contract's never are, and building the
    six took the portal dashboard 4 ms a request."""

    def __init__(self, contract: Contract | int, bounds: Sequence[datetime]):
        self.contract = contract
        self.periods = list(pairwise(bounds))

    def __len__(self) -> int:
        return len(self.periods)

    @overload
    def __getitem__(self, index: int) -> QuerySet[SlaClock]: ...
    @overload
    def __getitem__(self, index: slice) -> list[QuerySet[SlaClock]]: ...
    def __getitem__(self, index: int | slice) -> QuerySet[SlaClock] | list[QuerySet[SlaClock]]:
        if isinstance(index, slice):
            return [self[n] for n in range(len(self))[index]]
        start, end = self.periods[index]
        return contract_clocks(self.contract, opened_from=start, opened_before=end)


def _contract_compliance_query(*, contract_id: int, **marked: datetime) -> QuerySet:
    bounds = [marked[f"bound_{n}"] for n in range(len(marked))]
    return sla_compliance_periods_query(contract_clocks_by_period(contract_id, bounds))


def contract_clocks_by_period(
    contract: Contract | int, bounds: Sequence[datetime]
) -> Sequence[QuerySet[SlaClock]]:
    """`contract_clocks` of the tickets opened in each period between consecutive `bounds`,
    each built when first asked for."""
    return _ClocksByPeriod(contract, bounds)


def clocks_of_tickets(tickets: QuerySet[Ticket]) -> QuerySet[SlaClock]:
    """The SLA clocks of these tickets, joined on the clocks' `subject_number` (the ticket's
    id, an integer the database keeps) rather than on "ticket:<id>" built for each ticket:
    a month of 100,000 tickets reads its 200,000 clocks in two thirds of the time
    (bench/README.md). The prefix is compared on `Left(subject)`, which no index serves: as
    `startswith`, PostgreSQL without statistics ANDed the subject index's whole "ticket:"
    range into every ticket's lookup and took over ten minutes for a month."""
    return SlaClock.objects.alias(subject_prefix=Left("subject", len(CLOCK_SUBJECT_PREFIX))).filter(
        subject_prefix=CLOCK_SUBJECT_PREFIX, subject_number__in=tickets.values("pk")
    )


def ticket_clocks(
    ticket: Ticket, *, now: datetime, language: str, clocks: list[SlaClock] | None = None
) -> list[dict]:
    """Each clock with `clock_status` figures, its due time in the customer's zone and the
    `clock_explain` lines in that zone too (which hours, pauses and holidays were skipped),
    as the pages show every time in it. `clocks`: the ticket's `subject_clocks`, when the
    caller has read them for `ticket_level` too."""
    zone = ticket.customer.time_zone_info
    rows = []
    for clock in subject_clocks(ticket.clock_subject) if clocks is None else clocks:
        status = clock_status(clock, now)
        rows.append(
            {
                "kind": clock.kind,
                "priority": clock.priority,
                "state": status.state,
                "target_seconds": int(clock.target.total_seconds()),
                "elapsed_seconds": int(status.elapsed.total_seconds()),
                "remaining_seconds": int(status.remaining.total_seconds()),
                "percent_used": status.percent_used,
                "started_at": clock.started_at,
                "due_at": status.due_at,
                "due_at_local": status.due_at.astimezone(zone) if status.due_at else None,
                "stopped_at": clock.stopped_at,
                "late_by": status.late_by,
                "late_by_seconds": (
                    int(status.late_by.total_seconds()) if status.late_by is not None else None
                ),
                "explanation": clock_explain(clock, language, zone),
            }
        )
    return rows


def ticket_level(
    ticket: Ticket, *, now: datetime, clocks: list[SlaClock] | None = None
) -> dict | None:
    """The ticket's resolution level against its own time (`clocks.level_status`), with the
    due time in the customer's zone; None when its policy defines no levels."""
    status = level_status(ticket, now=now, clocks=clocks)
    if status is None:
        return None
    target = status.level.resolution
    due_at = status.due_at
    return {
        "number": status.level.number,
        "name": status.level.name,
        "target_seconds": int(target.total_seconds()) if target is not None else None,
        "used_seconds": int(status.used.total_seconds()),
        "due_at": due_at,
        "due_at_local": due_at.astimezone(ticket.customer.time_zone_info) if due_at else None,
        "late": status.late,
        "referred_to": ticket.referred_to,
    }


# Which choices a history row's values are, so people read "En curso", not "in_progress".
_EVENT_VALUE_CHOICES = {
    TicketEvent.Kind.STATUS: Ticket.Status,
    TicketEvent.Kind.PRIORITY: Priority,
}


def _shown(kind: str, value: str, *, side: str) -> str:
    if kind == TicketEvent.Kind.CHARGE and value:
        # credits, stored as the decimal's text ("1.00"): written as the reader writes them
        return credits_text(Decimal(value))
    choices = _EVENT_VALUE_CHOICES.get(kind)
    if kind == TicketEvent.Kind.LADDER and side == "from":
        choices = EscalationStep.Action
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return value


# Reasons Creditdesk records as codes (tickets.services.intake, lifecycle, the portal's
# reopen link), shown in the reader's language.
_EVENT_REASONS = {
    "reply": gettext_lazy("respuesta del agente"),
    "information": gettext_lazy("pedido de información al cliente"),
    "customer reply": gettext_lazy("respuesta del cliente"),
}


def _reason_shown(event: TicketEvent) -> str:
    reason = event.reason
    if event.reason_en:
        return in_language(reason, event.reason_en)
    if reason in _EVENT_REASONS:
        return str(_EVENT_REASONS[reason])
    code, _sep, rest = reason.partition(":")
    if code == "intake" and rest in Channel.values:
        return _("recibida por %(channel)s") % {"channel": Channel(rest).label}
    if code == "reopen_link":
        words = rest.strip()
        if not words:
            return _("reabierta desde el enlace del aviso de resolución")
        return _("reabierta desde el enlace del aviso de resolución: %(reason)s") % {
            "reason": words
        }
    return reason


def ticket_history(ticket: Ticket) -> list[dict]:
    """Who did what to the ticket, when and why (status moves, escalations and the ladder,
    priority overrides, charges, type changes), oldest first, values as people read them."""
    return [
        {
            "at": event.at,
            "kind": event.get_kind_display(),
            "from_value": _shown(event.kind, event.from_value, side="from"),
            "to_value": _shown(event.kind, event.to_value, side="to"),
            "by": event.by,
            "reason": _reason_shown(event),
        }
        for event in ticket.events.select_related("by")
    ]


def ticket_charges(ticket: Ticket) -> list[dict]:
    """Ledger entries charged for the ticket's work and its missed sessions, with the
    explanation each was written with, in the reader's language (`LedgerEntry.reason_shown`,
    as the portal's ledger shows it)."""
    entries = all_rows(
        "ticket_charges",
        _charges,
        customer_id=ticket.customer_id,
        ticket_id=ticket.pk,
        reference=str(ticket.pk),
    )
    return [
        {
            "entry": entry.pk,
            "sequence": entry.sequence,
            "kind": entry.kind,
            "credits": entry.credits,
            "explanation": entry.reason_shown,
            "created_at": entry.created_at,
        }
        for entry in entries
    ]


def _charges(*, customer_id: int, ticket_id: int, reference: str) -> QuerySet[LedgerEntry]:
    session_ids = (
        ScheduledSession.objects.filter(ticket_id=ticket_id)
        .annotate(reference=Cast("pk", output_field=CharField()))
        .values("reference")
    )
    return (
        LedgerEntry.objects.filter(account__customer_id=customer_id)
        .filter(
            Q(reference_type="tickets.ticket", reference_id=reference)
            | Q(reference_type="tickets.session", reference_id__in=session_ids)
        )
        .order_by("sequence")
    )


def canned_replies_active(*, language: str | None = None) -> QuerySet[CannedReply]:
    """The canned replies agents may choose (in `language` when given)."""
    replies = CannedReply.objects.filter(active=True)
    return replies.filter(language=language) if language else replies


def canned_reply_values(ticket: Ticket) -> dict[str, str]:
    """What {cliente}, {ticket} and {vence} stand for on `ticket`: the due time is its open
    clocks' earliest, in the customer's zone and the requester's language."""
    # read again: the clocks may have moved since `ticket` was read
    due_at = Ticket.objects.values_list("next_due_at", flat=True).get(pk=ticket.pk)
    language = ticket.requester.preferred_language if ticket.requester else ticket.customer.language
    return {
        "customer": ticket.customer.legal_name,
        "ticket": ticket.number or "",
        "due": due_text(due_at, zone=ticket.customer.time_zone_info, language=language),
    }


def canned_reply_text(reply: CannedReply, ticket: Ticket) -> str:
    """The reply's text with its placeholders filled in for `ticket`."""
    return expand(reply.body, canned_reply_values(ticket))
