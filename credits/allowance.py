"""The monthly allowance of included hours: what a request's work takes from it, what is
left, what went beyond it, and settling that overage at month end.

A plan may include hours per contract and month (`Plan.included_hours`). On an *included*
plan the work beyond them is billed by the monthly run as the plan's `overage` says (money
per started hour, credits, or nothing); on *included hours, then credits* intake asks for
no credits while the month has time left and resolution charges in credits only the work
beyond it (`Plan.takes_credits_for`, `tickets.services.charging`).

The month is the calendar month, in the customer's time zone, in which a request is charged
(resolved, or abandoned with work), the same calendar month the billing run's period names.
A request reopened and resolved in a later month draws its new minutes from that month.

One row per contract and month (`AllowanceMonth`) keeps the running totals. Every draw locks
it (`credits.locks.allowance_month_lock`, after the ticket and before any hold or account),
so concurrent resolutions queue on it and never take the same minutes twice; each draw is
kept (`AllowanceDraw`), keyed by the request and its total minutes, so a retried charge
never draws twice. The monthly run settles the month's overage and records how many over
minutes it settled (`settled_minutes`): a request of the month resolved after its run (a run
resumed later, or started by finance before the request was resolved) adds over minutes
that the next run settles.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from contracts.models import Contract, Plan
from credits.locks import allowance_month_lock, allowance_month_lock_by_pk
from credits.models import AllowanceDraw, AllowanceMonth, LedgerEntry
from credits.rules import CreditRule, Explanation, hours_for_minutes
from credits.services import credit_account_get_or_create, credits_charge


def allowance_month_of(contract: Contract, at: datetime) -> date:
    """The first day of the month `at` falls in, in the contract's customer's time zone."""
    return timezone.localdate(at, timezone=contract.customer.time_zone_info).replace(day=1)


@dataclass(frozen=True)
class AllowanceStatus:
    """A contract's allowance in one month: what the plan includes and what was drawn."""

    month: date
    included_minutes: int
    used_minutes: int
    over_minutes: int

    @property
    def left_minutes(self) -> int:
        return max(self.included_minutes - self.used_minutes, 0)


def allowance_status(
    *,
    contract: Contract,
    at: datetime | None = None,
    months: list[AllowanceMonth] | None = None,
) -> AllowanceStatus | None:
    """The contract's allowance in the month of `at` (now): None when its plan has none.
    `months` are the contract's rows already read (a list page prefetches them)."""
    included = contract.plan.included_minutes
    if included is None:
        return None
    month = allowance_month_of(contract, at or timezone.now())
    if months is None:
        row = AllowanceMonth.objects.filter(contract=contract, month=month).first()
    else:
        row = next((m for m in months if m.month == month), None)
    return AllowanceStatus(
        month=month,
        included_minutes=included,
        used_minutes=row.used_minutes if row else 0,
        over_minutes=row.over_minutes if row else 0,
    )


def allowance_left(*, contract: Contract, at: datetime | None = None) -> int | None:
    """Minutes left of the contract's allowance this month; None when its plan has none."""
    status = allowance_status(contract=contract, at=at)
    return None if status is None else status.left_minutes


@dataclass(frozen=True)
class RequestAllowance:
    """A request's draws so far: minutes from allowances, minutes beyond them, and the
    month of its last draw as that draw left it."""

    allowance_minutes: int
    over_minutes: int
    month: date
    included_minutes: int
    left_minutes: int


def allowance_draw(
    *,
    contract: Contract,
    reference_type: str,
    reference_id: str,
    minutes: int,
    at: datetime,
) -> RequestAllowance:
    """Draw a request's billable `minutes` (its total so far) from its contract's allowance
    in the month of `at`: only the minutes its earlier draws did not account for, as much as
    the month has left, the rest beyond it. Locks the month row (see the module docstring);
    runs in the caller's transaction when there is one (tickets: with the ticket locked)."""
    included = contract.plan.included_minutes or 0
    month = allowance_month_of(contract, at)
    with transaction.atomic():
        row = allowance_month_lock(contract_id=contract.pk, month=month)
        earlier = AllowanceDraw.objects.filter(
            reference_type=reference_type, reference_id=reference_id
        ).aggregate(
            allowance=Sum("allowance_minutes"),
            over=Sum("over_minutes"),
            accounted=Sum(F("allowance_minutes") + F("over_minutes")),
        )
        taken, over = earlier["allowance"] or 0, earlier["over"] or 0
        new = minutes - (earlier["accounted"] or 0)
        if new > 0:
            take = min(new, max(included - row.used_minutes, 0))
            AllowanceDraw.objects.create(
                month=row,
                reference_type=reference_type,
                reference_id=reference_id,
                request_minutes=minutes,
                included_minutes=included,
                allowance_minutes=take,
                over_minutes=new - take,
                created_at=at,
            )
            row.used_minutes += take
            row.over_minutes += new - take
            row.save(update_fields=["used_minutes", "over_minutes"])
            taken, over = taken + take, over + new - take
    return RequestAllowance(
        allowance_minutes=taken,
        over_minutes=over,
        month=month,
        included_minutes=included,
        left_minutes=max(included - row.used_minutes, 0),
    )


_OVERAGE_TAIL = {
    Plan.Overage.MONEY: ("que se facturan a fin de mes", "invoiced at month end"),
    Plan.Overage.CREDITS: (
        "que se cobran en créditos a fin de mes",
        "charged in credits at month end",
    ),
    Plan.Overage.NONE: ("sin cargo", "at no charge"),
}


def allowance_explanation(
    drawn: RequestAllowance,
    *,
    minutes: int,
    beyond: Explanation | None = None,
    overage: str = Plan.Overage.NONE,
) -> Explanation:
    """Why a request drawn from an allowance costs what it does. `beyond`: the credit
    rule's explanation of the minutes beyond the allowance (included hours, then credits);
    without it they are the monthly run's, as `overage` says (included support)."""
    left, included = drawn.left_minutes, drawn.included_minutes
    if drawn.over_minutes == 0:
        return Explanation(
            es=f"{minutes} min trabajados, de las horas incluidas del mes (quedan {left} de "
            f"{included} min): sin cargo de créditos.",
            en=f"{minutes} min worked, from this month's included hours ({left} of "
            f"{included} min left): no credits charged.",
        )
    from_allowance_es = (
        f"{minutes} min trabajados: {drawn.allowance_minutes} min de las horas incluidas "
        f"del mes (quedan {left} de {included} min)"
    )
    from_allowance_en = (
        f"{minutes} min worked: {drawn.allowance_minutes} min from this month's included "
        f"hours ({left} of {included} min left)"
    )
    if beyond is not None:
        return Explanation(
            es=f"{from_allowance_es}; fuera de ellas, {beyond.es}",
            en=f"{from_allowance_en}; beyond them, {beyond.en}",
        )
    tail_es, tail_en = _OVERAGE_TAIL[Plan.Overage(overage)]
    return Explanation(
        es=f"{from_allowance_es} y {drawn.over_minutes} min adicionales, {tail_es}.",
        en=f"{from_allowance_en} and {drawn.over_minutes} min beyond them, {tail_en}.",
    )


# Settling the overage at month end (the billing run).


def allowance_overage_open(
    *, contract_ids: list[int], since: date, up_to: date
) -> dict[int, list[AllowanceMonth]]:
    """Each contract's months from `since` to `up_to` (first days) with over minutes not
    settled yet, oldest first (one query)."""
    rows = AllowanceMonth.objects.filter(
        contract_id__in=contract_ids,
        month__gte=since,
        month__lte=up_to,
        over_minutes__gt=F("settled_minutes"),
    ).order_by("contract_id", "month")
    by_contract: dict[int, list[AllowanceMonth]] = defaultdict(list)
    for row in rows:
        by_contract[row.contract_id].append(row)
    return by_contract


def overage_hours(month: AllowanceMonth, rule: CreditRule) -> Decimal:
    """Hours of `month`'s overage not settled yet: each started hour (by the rule) of all
    its over minutes, less those of the minutes already settled (totals only grow)."""
    return hours_for_minutes(month.over_minutes, rule) - hours_for_minutes(
        month.settled_minutes, rule
    )


def allowance_overage_settled(*, month_id: int, settled_minutes: int) -> None:
    """Record that the over minutes of a month up to `settled_minutes` were billed (in the
    caller's transaction, the one that issued them on an invoice). Minutes drawn since the
    caller read the row stay open for the next run."""
    AllowanceMonth.objects.filter(pk=month_id, settled_minutes__lt=settled_minutes).update(
        settled_minutes=settled_minutes
    )


def allowance_overage_charge(
    *, contract: Contract, months: list[AllowanceMonth], rule: CreditRule, by: User | None = None
) -> list[LedgerEntry]:
    """Charge in credits each month's open overage (1 credit per hour, each started hour by
    `rule`): one ledger entry per month, keyed by the month and its over minutes, so a run
    repeated or resumed charges nothing twice. Locks each month row, then the account."""
    entries = []
    account = None
    for unlocked in months:
        with transaction.atomic():
            month = allowance_month_lock_by_pk(unlocked.pk)
            if month.over_minutes <= month.settled_minutes:
                continue
            credits = overage_hours(month, rule)
            if credits > 0:
                account = account or credit_account_get_or_create(customer=contract.customer)
                minutes = month.over_minutes - month.settled_minutes
                entries.append(
                    credits_charge(
                        account=account,
                        credits=credits,
                        reason=Explanation(
                            f"Horas adicionales de soporte {month.month:%Y-%m}: {minutes} "
                            "min fuera de las horas incluidas",
                            f"Additional support hours {month.month:%Y-%m}: {minutes} min "
                            "beyond the included hours",
                        ),
                        by=by,
                        idempotency_key=f"allowance:{month.pk}:over:{month.over_minutes}",
                        reference_type="credits.allowancemonth",
                        reference_id=str(month.pk),
                    )
                )
            allowance_overage_settled(month_id=month.pk, settled_minutes=month.over_minutes)
    return entries
