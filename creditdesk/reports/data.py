"""The data of a contract's SLA compliance report for a period (a calendar month by default).

Reports sit in the top layer because they read tickets (which clocks belong to the
contract's period), `sla` (the figures) and `credits` (the balance). Every compliance figure
is `sla.selectors.sla_compliance`'s (of the clocks of the contract's tickets opened in the
period, and of each week), never recomputed here; the credits are
`credits.selectors.credit_movements`. The weeks carry counts and shares only
(`sla_compliance_of_periods`, one query for all of them). A week is Monday to Sunday, cut
to the period; the period's days and weeks are in the customer's time zone. `rendering`
turns this into a PDF and a CSV.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from activations.selectors import OnTime, activations_on_time
from contracts.models import Contract
from core.instants import month_parse
from credits.selectors import CreditMovements, credit_movements
from sla.choices import Priority
from sla.models import SlaTarget
from sla.selectors import (
    Compliance,
    GroupCompliance,
    policy_current_version,
    sla_compliance,
    sla_compliance_of_periods,
)
from tickets.models import Ticket
from tickets.outcomes import OutcomeMonth, outcomes_by_month
from tickets.selectors import contract_clocks


@dataclass(frozen=True)
class Target:
    priority: str
    first_response: timedelta | None
    resolution: timedelta | None
    measure: str


@dataclass(frozen=True)
class Week:
    starts_on: date
    ends_on: date
    compliance: GroupCompliance


@dataclass(frozen=True)
class SlaReport:
    contract: Contract
    period_start: date
    period_end: date
    time_zone: str
    policy_name: str
    targets: list[Target]
    compliance: Compliance
    weeks: list[Week]
    credits: CreditMovements | None
    # The outcome mix of the contract's requests resolved in the period, per month.
    outcomes: list[OutcomeMonth] = field(default_factory=list)
    # Seed 004: the customer's products activated in the period and how many on time.
    activations: OnTime | None = None


def month_bounds(month: str | date) -> tuple[date, date]:
    """First and last day of a month, from "YYYY-MM" (a ValueError outside the accepted
    years, see core.instants) or any day in it."""
    first = month_parse(month) if isinstance(month, str) else month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _moment(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def sla_report_data(
    *, contract: Contract, period_start: date | None = None, period_end: date | None = None
) -> SlaReport:
    """The report's data for `contract` from `period_start` to `period_end` (both included;
    default: the calendar month of `period_start`, or the current month)."""
    if period_start is None:
        period_start = timezone.localdate(timezone=contract.customer.time_zone_info)
    if period_end is None:
        period_start, period_end = month_bounds(period_start)
    customer = contract.customer
    zone = customer.time_zone_info
    start, end = _moment(period_start, zone), _moment(period_end + timedelta(days=1), zone)
    plan = contract.plan
    version = policy_current_version(plan.sla_policy) if plan.sla_policy_id else None
    targets = []
    if version is not None:
        order = {value: index for index, value in enumerate(Priority.values)}
        rows = SlaTarget.objects.filter(policy_version=version)
        targets = [
            Target(row.priority, row.first_response, row.resolution, row.measure)
            for row in sorted(rows, key=lambda row: order[row.priority])
        ]
    spans = []
    week_start = period_start
    while week_start <= period_end:
        week_end = min(week_start + timedelta(days=6 - week_start.weekday()), period_end)
        spans.append((week_start, week_end))
        week_start = week_end + timedelta(days=1)
    # The weeks' counts and shares in one query; their medians would cost a query each and
    # the report shows only the shares by week.
    weekly = sla_compliance_of_periods(
        clocks=[
            contract_clocks(
                contract,
                opened_from=_moment(first, zone),
                opened_before=_moment(last + timedelta(days=1), zone),
            )
            for first, last in spans
        ]
    )
    weeks = [
        Week(first, last, figures) for (first, last), figures in zip(spans, weekly, strict=True)
    ]
    return SlaReport(
        contract=contract,
        period_start=period_start,
        period_end=period_end,
        time_zone=customer.time_zone,
        policy_name=version.policy.name if version else "",
        targets=targets,
        compliance=sla_compliance(
            clocks=contract_clocks(contract, opened_from=start, opened_before=end)
        ),
        weeks=weeks,
        # A plan with support included has no credits to report.
        credits=(
            credit_movements(customer_id=customer.pk, start=start, end=end)
            if contract.plan.uses_credits
            else None
        ),
        outcomes=outcomes_by_month(
            Ticket.objects.filter(contract=contract), start=start, end=end, zone=zone
        ),
        activations=activations_on_time(customer_id=customer.pk, start=start, end=end),
    )
