"""Reads the pages compose from the apps' selectors: nothing here writes or decides a rule.

`intake_preview` asks the same questions intake asks, in its order, without writing an
attempt, so the request form can explain a refusal before the customer types anything.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import BigIntegerField, Case, F, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Cast

from billing.models import Payment
from contracts.models import Channel, Contact, Contract, Customer, PlanChange
from contracts.selectors import contract_get_live, plan_change_waiting
from core.errors import CreditdeskError
from creditdesk.web.charts import (
    BarChart,
    LineChart,
    balance_burn_chart,
    compliance_chart,
    step_chart,
)
from credits.allowance import AllowanceStatus, allowance_status
from credits.models import CreditAccount, LedgerEntry
from credits.selectors import (
    ExpiringCredits,
    RunoutForecast,
    credit_account_get,
    credit_movements_by_period,
    credit_runout_forecast,
    credits_expiring,
)
from credits.solvency import solvency_check
from sla.selectors import (
    Compliance,
    sla_compliance,
)
from tickets.models import IntakeAttempt, Message, ScheduledSession, Ticket
from tickets.selectors import (
    contract_clocks,
    contract_compliance_of_periods,
    ticket_charges,
    ticket_clocks,
    ticket_history,
    tickets_with_sla_state,
)
from tickets.services.intake import intake_evaluate


@dataclass(frozen=True)
class CreditsSummary:
    contract: Contract | None
    plan_change: PlanChange | None  # scheduled, not yet in force
    account: CreditAccount | None
    balance: Decimal
    held: Decimal
    available: Decimal
    minimum: Decimal | None
    forecast: RunoutForecast | None
    allowance: AllowanceStatus | None = None  # this month's included hours, if the plan has some
    expiring: ExpiringCredits | None = None  # credits that expire within 30 days

    @property
    def low(self) -> bool:
        return self.minimum is not None and self.available < self.minimum

    @property
    def uses_credits(self) -> bool:
        return self.contract is None or self.contract.plan.uses_credits


def credits_summary(*, customer: Customer, now: datetime) -> CreditsSummary:
    contract = contract_get_live(customer=customer)
    account = credit_account_get(customer=customer)
    decision = solvency_check(customer=customer, contract=contract, at=now)
    zero = Decimal("0.00")
    return CreditsSummary(
        contract=contract,
        plan_change=plan_change_waiting(contract) if contract else None,
        account=account,
        balance=account.balance if account else zero,
        held=account.held if account else zero,
        available=account.available if account else zero,
        minimum=decision.required,
        forecast=(
            credit_runout_forecast(
                account=account, now=now, minimum=decision.required or Decimal("0")
            )
            if account
            else None
        ),
        allowance=allowance_status(contract=contract, at=now) if contract else None,
        expiring=credits_expiring(account=account, now=now),
    )


def with_sla_badges(queryset: QuerySet[Ticket], now: datetime) -> QuerySet[Ticket]:
    """`sla_state` (tickets.selectors) per ticket; `next_due_at` is the ticket's own."""
    return tickets_with_sla_state(queryset, now)


def open_tickets(*, customer: Customer, now: datetime) -> QuerySet[Ticket]:
    return with_sla_badges(Ticket.objects.open().filter(customer=customer), now).order_by(
        F("next_due_at").asc(nulls_last=True), "opened_at", "pk"
    )


def customer_tickets(*, customer: Customer, limit: int = 50) -> QuerySet[Ticket]:
    return Ticket.objects.filter(customer=customer).select_related("assignee")[:limit]


def customer_ticket_get(*, customer: Customer, number: str) -> Ticket | None:
    return (
        Ticket.objects.select_related("customer", "contract__plan", "requester", "follows_up")
        .filter(customer=customer, number=number)
        .first()
    )


@dataclass(frozen=True)
class TicketPage:
    ticket: Ticket
    messages: list[Message]
    clocks: list[dict]
    work_logs: list
    charges: list[dict]
    follow_ups: list[Ticket]
    sessions: list = field(default_factory=list)
    history: list[dict] = field(default_factory=list)


def ticket_page(*, ticket: Ticket, now: datetime, language: str, staff: bool) -> TicketPage:
    messages = ticket.messages.select_related("author_contact", "author_user").prefetch_related(
        "attachments"
    )
    if not staff:
        messages = messages.exclude(direction=Message.Direction.INTERNAL)
    return TicketPage(
        ticket=ticket,
        messages=list(messages),
        clocks=ticket_clocks(ticket, now=now, language=language),
        work_logs=list(ticket.work_logs.select_related("agent")),
        charges=ticket_charges(ticket),
        follow_ups=list(ticket.follow_ups.all()),
        sessions=list(ticket.sessions.select_related("agent", "no_show_entry")),
        history=ticket_history(ticket) if staff else [],
    )


@dataclass(frozen=True)
class IntakePreview:
    """Why a portal request by this contact would be refused now ("" code: it would not)."""

    code: str = ""
    message: str = ""
    required: Decimal | None = None
    available: Decimal | None = None

    @property
    def refused(self) -> bool:
        return bool(self.code)


def intake_preview(*, contact: Contact, language: str) -> IntakePreview:
    """Intake's own check (`intake_evaluate`) for a portal request, read-only."""
    try:
        decision, _follows_up = intake_evaluate(requester=contact, channel=Channel.PORTAL)
    except CreditdeskError as refusal:
        decision = solvency_check(customer=contact.customer)
        return IntakePreview(
            refusal.code, refusal.message(language), decision.required, decision.available
        )
    return IntakePreview(required=decision.required, available=decision.available)


def ledger_entries(*, customer: Customer) -> QuerySet[LedgerEntry]:
    """Newest first, each with `ticket_number`: the request a charge, hold or no-show was
    for (entries name their source as reference_type and reference_id)."""
    # The reference is cast to the key (not the key to text), so each lookup uses the primary
    # key's index; the CASE casts only rows whose reference_type says the id is a number.
    referenced = Cast(OuterRef("reference_id"), BigIntegerField())
    tickets = Ticket.objects.filter(pk=referenced)
    sessions = ScheduledSession.objects.filter(pk=referenced)
    return (
        LedgerEntry.objects.filter(account__customer=customer)
        .annotate(
            ticket_number=Case(
                When(
                    reference_type="tickets.ticket",
                    then=Subquery(tickets.values("number")[:1]),
                ),
                When(
                    reference_type="tickets.session",
                    then=Subquery(sessions.values("ticket__number")[:1]),
                ),
                default=None,
            )
        )
        .order_by("-sequence")
    )


def customer_payment_get(*, customer: Customer, pk: int) -> Payment | None:
    return (
        Payment.objects.select_related("invoice", "credit_pack")
        .filter(customer=customer, pk=pk)
        .first()
    )


def month_start(now: datetime, zone) -> datetime:
    local = now.astimezone(zone)
    return datetime.combine(local.date().replace(day=1), time(0), tzinfo=zone)


def monthly_compliance(*, contract: Contract, start: datetime, end: datetime) -> Compliance:
    """Compliance of the contract's clocks started in [start, end)."""
    clocks = contract_clocks(contract, opened_from=start, opened_before=end)
    return sla_compliance(clocks=clocks)


@dataclass(frozen=True)
class MonthReport:
    start: datetime
    compliance: Compliance


def compliance_months(*, contract: Contract, now: datetime, months: int = 3) -> list[MonthReport]:
    """This month and the previous ones, newest first, in the customer's zone."""
    zone = contract.customer.time_zone_info
    reports = []
    end = now
    start = month_start(now, zone)
    for _ in range(months):
        reports.append(
            MonthReport(start, monthly_compliance(contract=contract, start=start, end=end))
        )
        end = start
        start = month_start(start - timedelta(days=1), zone)
    return reports


CHART_MONTHS = 6


def month_starts(*, now: datetime, zone, months: int) -> list[datetime]:
    """The starts of the last `months` calendar months in `zone`, oldest first (this one
    last)."""
    starts = [month_start(now, zone)]
    while len(starts) < months:
        starts.insert(0, month_start(starts[0] - timedelta(days=1), zone))
    return starts


@dataclass(frozen=True)
class PortalCharts:
    """The customer's charts over the last months: credits (None when the plan uses none)
    and SLA compliance (None without a contract or a request measured in those months)."""

    balance: BarChart | None
    compliance: BarChart | None


def portal_charts(
    *,
    summary: CreditsSummary,
    customer: Customer,
    now: datetime,
    language: str,
    months: int = CHART_MONTHS,
    compliance: bool = True,
) -> PortalCharts:
    """Balance and credits used per month with the intake minimum, and the monthly share of
    SLA targets met with the plan's compliance target, in the customer's months: three
    queries in all (`credit_movements_by_period`, `contract_compliance_of_periods`)."""
    starts = month_starts(now=now, zone=customer.time_zone_info, months=months)
    bounds = [*starts, now]
    days = [start.date() for start in starts]
    balance = None
    if summary.uses_credits and summary.account is not None:
        movements = credit_movements_by_period(customer_id=customer.pk, bounds=bounds)
        balance = balance_burn_chart(
            month_starts=days,
            closing=[month.closing for month in movements],
            used=[month.consumed for month in movements],
            minimum=summary.minimum,
            language=language,
        )
    shares = None
    if compliance and summary.contract is not None:
        periods = contract_compliance_of_periods(summary.contract, bounds)
        if any(period.tickets for period in periods):
            shares = compliance_chart(
                month_starts=days,
                response=[period.response_share for period in periods],
                resolution=[period.resolution_share for period in periods],
                target=summary.contract.plan.sla_compliance_share,
                language=language,
            )
    return PortalCharts(balance=balance, compliance=shares)


@dataclass(frozen=True)
class CustomerOverview:
    customer: Customer
    summary: CreditsSummary
    chart: LineChart
    tickets: list[Ticket]
    compliance: Compliance | None
    month: datetime
    refusals: list[IntakeAttempt]


def customer_overview(*, customer: Customer, now: datetime) -> CustomerOverview:
    """The account manager's view: balance history, burn rate, tickets, this month's
    compliance and the refused intake attempts."""
    summary = credits_summary(customer=customer, now=now)
    history = list(
        LedgerEntry.objects.filter(account__customer=customer)
        .order_by("sequence")
        .values_list("created_at", "balance_after")
    )
    if history:
        history.append((now, history[-1][1]))
    start = month_start(now, customer.time_zone_info)
    compliance = (
        monthly_compliance(contract=summary.contract, start=start, end=now)
        if summary.contract
        else None
    )
    tickets = list(
        with_sla_badges(Ticket.objects.filter(customer=customer).select_related("assignee"), now)[
            :30
        ]
    )
    return CustomerOverview(
        customer=customer,
        summary=summary,
        chart=step_chart(history),
        tickets=tickets,
        compliance=compliance,
        month=start,
        refusals=list(
            IntakeAttempt.objects.filter(customer=customer).select_related("contact")[:30]
        ),
    )


def queue_tickets(queryset: QuerySet[Ticket], now: datetime) -> QuerySet[Ticket]:
    """The queue: nearest SLA due time first, tickets without a due time last."""
    return with_sla_badges(
        queryset.select_related("customer", "assignee", "requester"), now
    ).order_by(F("next_due_at").asc(nulls_last=True), "opened_at", "pk")
