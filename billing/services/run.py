"""The monthly billing run: one invoice per live contract and period, resumable.

What a contract's monthly invoice holds:
- the plan's monthly fee, with the plan's tax rule; prorated by day (fee x days / days in
  the month, rounded half up once per line) when the contract starts or ends in the month or
  its plan changes (`contracts.PlanChange.effective_on`): one line per plan segment;
  segments of a premium plan paid through a Stripe subscription are left out (Stripe bills
  them, and `invoice.paid` mirrors those invoices);
- each on-site surcharge recorded with `onsite_charge_record` and not billed yet, performed on
  or before the period's last day (tickets call that hook; late records go to the next run);
- overdraft: when the credit balance just before the period ends (midnight of the 1st of
  the next month in the customer's time zone) is negative, the missing credits at the credit
  price of the plan in force on the last day. Issuing the invoice settles those credits in
  the ledger (a top-up keyed `overdraft:<invoice pk>`), so the debt moves from credits to
  the receivable and is never billed twice; an unpaid overdraft invoice makes the customer
  insolvent like any other;
- additional support hours ("Horas adicionales de soporte"): when the plan in force on the
  last day includes support with an allowance of hours and bills the overage in money, the
  period's over minutes not settled yet (`credits.allowance`; also the previous month's,
  drawn after its run by a request resolved late on its last evening) in hours, each started
  hour by the contract's rule, at the plan's price per hour, taxed like the fee. The invoice
  records them settled in its own transaction, so they are billed once.

An overage billed in credits is charged to the ledger before the invoice (one entry per
contract and month, keyed by the month's over minutes, in its own transaction); it lands
after the period's end, so a balance it takes below zero is next period's overdraft.

A month is billed once it is over for every customer the run bills, in the customer's time
zone (the run refuses it before, saying when it ends: 06:00 UTC on the 1st for Mexico City),
and each invoice is dated its customer's day: the scheduler starts the run at 12:00 UTC.

Contracts are billed in batches (`BATCH`, 500), each batch in one transaction: its drafts
and their lines inserted in one statement each, then issued together under one lock of the
series row (consecutive numbers, gapless: a batch that rolls back rolls back its series bump).
A crash loses at most the batch being written. The partial unique constraint (contract,
period) makes a period's invoice happen once, even for two runs at once: a batch that meets
it (or a contract whose invoice is refused) is rolled back and billed again contract by
contract, as batches of one. A run record (BillingRun) per period counts what happened; a
second run of the period skips contracts already invoiced and finishes the rest. Business
refusals for one contract (a country without tax rate...) are recorded and the run goes on;
any other error stops it, and running it again resumes.

What a contract owes is decided by `contract_lines` alone (pure), and issuing by
`billing.services.invoices` (`invoice_issue_prepare`, the numbering step): batching only
changes how the rows are read and written. Queries: a batch's contracts are read with their
plan changes, unbilled surcharges, existing invoices, Stripe subscriptions, ledger balances
and open overage in one query each; its writes are a constant number of statements (the
mails' task rows included: `background.queue.enqueue_many_with_transaction`), plus a few per
contract only for overage and overdraft settled in credits.
"""

import calendar
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone
from djmoney.money import Money

from background.queue import enqueue_on_commit
from billing import credit_ledger, tasks
from billing.exceptions import InvalidPeriod, PeriodNotOver, TaxRateMissing
from billing.locks import billing_run_lock
from billing.models import (
    BillingRun,
    Invoice,
    InvoiceLine,
    OnsiteCharge,
    StripeSubscription,
)
from billing.services.invoices import (
    invoice_issue_prepare,
    invoice_line_build,
    invoices_issue_prepared,
    payment_term_days,
)
from billing.tax import tax_rates_by_country
from contracts.models import Contract, Plan, PlanChange
from contracts.services import customer_today
from contracts.transitions import LIVE
from core.bulk import rows_insert
from core.errors import CreditdeskError
from core.instants import month_parse
from core.money import money_divide, round_half_up
from credits.models import AllowanceMonth

# Contracts read, billed and committed together: a crash loses at most one batch.
BATCH = 500


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def parse(cls, text: str) -> "Period":
        """The month "YYYY-MM" names, within the accepted years (`core.instants`)."""
        try:
            start = month_parse(text)
        except ValueError as error:
            raise InvalidPeriod(value=text) from error
        return cls(start, start.replace(day=calendar.monthrange(start.year, start.month)[1]))

    def __str__(self) -> str:
        return f"{self.start:%Y-%m}"


@dataclass
class LineSpec:
    kind: str
    description: str
    quantity: Decimal
    unit_price: Money
    taxable: bool = True
    credits: Decimal = Decimal("0")
    onsite: list[OnsiteCharge] = field(default_factory=list)
    # (allowance month id, over minutes this line settles it up to)
    settles: list[tuple[int, int]] = field(default_factory=list)
    period_start: date | None = None
    period_end: date | None = None


@dataclass
class RunSummary:
    run: BillingRun
    issued: int = 0
    already_invoiced: int = 0
    nothing_to_bill: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    overage_charges: int = 0

    def lines(self) -> list[str]:
        run = self.run
        text = [
            f"billing run {run}: {run.contracts_seen} contracts, {self.issued} invoices issued, "
            f"{self.already_invoiced} already invoiced, {self.nothing_to_bill} with nothing "
            f"to bill, {len(self.failures)} failed",
        ]
        if self.overage_charges:
            text.append(f"  {self.overage_charges} overage charges in credits (support hours)")
        text += [f"  contract {f['contract']}: {f['code']}: {f['message']}" for f in self.failures]
        return text


def plan_segments(
    contract: Contract, changes: list[PlanChange], period: Period
) -> list[tuple[Plan, date, date]]:
    """(plan, first day, last day) for each part of the period the contract was live in."""
    first = max(period.start, contract.starts_on)
    last = min(period.end, contract.ends_on) if contract.ends_on else period.end
    if first > last:
        return []
    ordered = sorted(changes, key=lambda change: (change.effective_on, change.pk))

    def plan_on(day: date) -> Plan:
        in_force = [change for change in ordered if change.effective_on <= day]
        if in_force:
            return in_force[-1].to_plan
        return ordered[0].from_plan if ordered else contract.plan

    boundaries = sorted(
        {first} | {c.effective_on for c in ordered if first < c.effective_on <= last}
    )
    segments: list[tuple[Plan, date, date]] = []
    for index, start in enumerate(boundaries):
        end = boundaries[index + 1] - timedelta(days=1) if index + 1 < len(boundaries) else last
        plan = plan_on(start)
        if segments and segments[-1][0].pk == plan.pk:
            segments[-1] = (plan, segments[-1][1], end)
        else:
            segments.append((plan, start, end))
    return segments


def contract_lines(
    *,
    contract: Contract,
    period: Period,
    changes: list[PlanChange],
    onsite: list[OnsiteCharge],
    balance: Decimal,
    subscribed_plan_ids: set[int],
    overage: list[AllowanceMonth] | None = None,
) -> list[LineSpec]:
    """What the contract owes for the period (see the module docstring); pure, no queries.
    `overage`: the contract's allowance months with over minutes not settled yet."""
    lines = []
    segments = plan_segments(contract, changes, period)
    for plan, start, end in segments:
        if plan.monthly_fee.amount <= 0 or plan.pk in subscribed_plan_ids:
            continue
        days = (end - start).days + 1
        if days == period.days:
            price = plan.monthly_fee
            text = f"Cuota mensual {plan.name} {period}"
        else:
            price = round_half_up(money_divide(plan.monthly_fee * days, period.days))
            text = (
                f"Cuota mensual {plan.name} {start:%d/%m}-{end:%d/%m} ({days}/{period.days} días)"
            )
        lines.append(
            LineSpec(
                InvoiceLine.Kind.PLAN_FEE,
                text,
                Decimal(1),
                price,
                taxable=plan.monthly_fee_taxable,
                period_start=start,
                period_end=end,
            )
        )
    for charge in onsite:
        lines.append(
            LineSpec(
                InvoiceLine.Kind.ONSITE,
                f"Trabajo en sitio {charge.performed_on:%d/%m/%Y}: {charge.description}"[:300],
                Decimal(1),
                charge.amount,
                onsite=[charge],
            )
        )
    last_plan = segments[-1][0] if segments else contract.plan
    hour_price = last_plan.overage_hour_price
    money_overage = last_plan.bills_overage == Plan.Overage.MONEY
    if money_overage and hour_price is not None and hour_price.amount > 0:
        for month in overage or []:
            hours = credit_ledger.overage_hours(contract=contract, plan=last_plan, month=month)
            if hours <= 0:
                continue
            minutes = month.over_minutes - month.settled_minutes
            lines.append(
                LineSpec(
                    InvoiceLine.Kind.OVERAGE,
                    f"Horas adicionales de soporte {month.month:%Y-%m}: {minutes} min fuera "
                    "de las horas incluidas",
                    hours,
                    hour_price,
                    taxable=last_plan.monthly_fee_taxable,
                    settles=[(month.pk, month.over_minutes)],
                )
            )
    if balance < 0:
        plan = last_plan
        owed = -balance
        if plan.credit_price.amount > 0:
            lines.append(
                LineSpec(
                    InvoiceLine.Kind.OVERDRAFT,
                    f"Sobregiro: {owed} créditos a {plan.credit_price}",
                    owed,
                    plan.credit_price,
                    credits=owed,
                )
            )
    return lines


def _period_end_moment(period: Period, time_zone: str) -> datetime:
    return datetime.combine(
        period.end + timedelta(days=1), time.min, tzinfo=zoneinfo.ZoneInfo(time_zone)
    )


@dataclass
class _Bill:
    """One contract's invoice of a batch: what `contract_lines` said it owes, and its rate."""

    contract: Contract
    specs: list[LineSpec]
    rate: Decimal


def _tax_rate(contract: Contract, rates: dict[str, Decimal], period: Period) -> Decimal:
    """`rates` are those of the period's last day (`tax_rates_by_country`)."""
    customer = contract.customer
    if customer.tax_exempt:
        return Decimal("0")
    if customer.country in rates:
        return rates[customer.country]
    raise TaxRateMissing(country=customer.country, on=period.end)


def _bill_batch(*, bills: list[_Bill], period: Period, now: datetime) -> list[Invoice]:
    """One transaction for the batch: drafts (one INSERT), their lines (one INSERT), overage
    settled (allowance month rows), surcharges linked (one UPDATE), then issued together
    (`invoices_issue_prepared`: the series row locked once, consecutive numbers), overdrafts
    settled in credits (the credit account last). A contract of one is the same path. Each
    invoice is dated its customer's day at `now`."""
    if not bills:
        return []
    term = timedelta(days=payment_term_days())
    drafts: list[tuple[Invoice, list[InvoiceLine]]] = []
    for bill in bills:
        contract = bill.contract
        issued_on = customer_today(contract.customer, now=now)
        invoice = Invoice(
            customer=contract.customer,
            contract=contract,
            source=Invoice.Source.MONTHLY,
            currency=contract.customer.currency,
            period_start=period.start,
            period_end=period.end,
        )
        lines = [
            invoice_line_build(
                invoice,
                position=position,
                kind=spec.kind,
                description=spec.description,
                quantity=spec.quantity,
                unit_price=spec.unit_price,
                tax_rate=bill.rate if spec.taxable else Decimal("0"),
                credits=spec.credits,
                period_start=spec.period_start,
                period_end=spec.period_end,
            )
            for position, spec in enumerate(bill.specs, start=1)
        ]
        invoice_issue_prepare(
            invoice,
            lines=lines,
            issued_on=issued_on,
            due_on=issued_on + term,
            grace_days=contract.plan.payment_grace_days,
        )
        drafts.append((invoice, lines))
    with transaction.atomic():
        invoices = [invoice for invoice, _lines in drafts]
        rows_insert(invoices)
        for invoice, lines in drafts:
            for line in lines:
                line.invoice_id = invoice.pk
        # InvoiceLine.save's draft check is not needed: the drafts were inserted above.
        rows_insert([line for _invoice, lines in drafts for line in lines])
        onsite_links = []
        for bill, (_invoice, lines) in zip(bills, drafts, strict=True):
            for spec, line in zip(bill.specs, lines, strict=True):
                onsite_links += [(charge.pk, line.pk) for charge in spec.onsite]
                for month_id, minutes in spec.settles:
                    credit_ledger.overage_settled(month_id=month_id, settled_minutes=minutes)
        if onsite_links:
            OnsiteCharge.objects.filter(
                pk__in=[charge_pk for charge_pk, _ in onsite_links], invoice_line__isnull=True
            ).update(
                invoice_line_id=Case(
                    *(
                        When(pk=charge_pk, then=Value(line_pk))
                        for charge_pk, line_pk in onsite_links
                    )
                )
            )
        invoices_issue_prepared(invoices)
        for invoice, lines in drafts:
            overdraft = sum(
                (line.credits for line in lines if line.kind == InvoiceLine.Kind.OVERDRAFT),
                Decimal("0"),
            )
            if overdraft > 0:
                credit_ledger.top_up(
                    customer=invoice.customer,
                    credits=overdraft,
                    amount=invoice.total,
                    idempotency_key=f"overdraft:{invoice.pk}",
                    reference_type="billing.invoice",
                    reference_id=str(invoice.pk),
                )
    return invoices


def _contracts_billed(period: Period) -> QuerySet[Contract]:
    """The contracts a run of `period` invoices: live, and in force on some day of it."""
    return (
        Contract.objects.filter(status__in=LIVE, starts_on__lte=period.end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.start))
        .order_by("pk")
    )


def _zones_of(contracts: QuerySet[Contract]) -> set[str]:
    """The contracts' customers' time zones, and UTC's for a run without contracts."""
    return {"UTC", *contracts.order_by().values_list("customer__time_zone", flat=True).distinct()}


def _check_period_over(period: Period, contracts: QuerySet[Contract], *, now: datetime) -> None:
    """A month is billed once it is over for every customer billed: its usage, balances and
    issue dates are the customer's (November ends at 06:00 UTC on 1 December in Mexico
    City). Without contracts, once it is over in UTC."""
    ends_at = max(_period_end_moment(period, zone) for zone in _zones_of(contracts))
    if now < ends_at:
        raise PeriodNotOver(period=str(period), ends_at=ends_at.astimezone(UTC))


def period_last_over(*, now: datetime | None = None) -> Period:
    """The latest month over in the time zone of every customer with a live contract, the
    ones a run bills (`_check_period_over`): the month finance's page offers to bill (before
    05:00 UTC on the 1st, with customers in Bogotá, the month before last)."""
    now = now or timezone.now()
    zones = _zones_of(Contract.objects.filter(status__in=LIVE))
    earliest = min(timezone.localdate(now, zoneinfo.ZoneInfo(zone)) for zone in zones)
    return Period.parse(f"{earliest.replace(day=1) - timedelta(days=1):%Y-%m}")


def billing_run(
    *,
    period: Period,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    batch_size: int = BATCH,
) -> RunSummary:
    """Invoice every live contract for `period` (idempotent, resumable; see module docstring).
    `batch_size` contracts are read, billed and committed together."""
    if batch_size < 1:  # a batch of none would read nothing and call the run finished
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    now = now or timezone.now()
    contracts = _contracts_billed(period)
    _check_period_over(period, contracts, now=now)
    with transaction.atomic():
        run, _created = BillingRun.objects.get_or_create(
            period_start=period.start,
            defaults={"period_end": period.end, "started_at": timezone.now()},
        )
        BillingRun.objects.filter(pk=run.pk).update(
            attempts=F("attempts") + 1,
            finished_at=None,
            contracts_seen=0,
            queued_at=None,
            error="",
            contracts_total=contracts.count(),
        )
    summary = RunSummary(run=run)
    rates = tax_rates_by_country(on=period.end)
    last_pk = 0
    seen = 0
    while True:
        chunk = list(contracts.filter(pk__gt=last_pk).select_related("customer")[:batch_size])
        if not chunk:
            break
        # Contracts share a few plans: one instance each, read once per batch.
        plans = Plan.objects.in_bulk({contract.plan_id for contract in chunk})
        for contract in chunk:
            contract.plan = plans[contract.plan_id]
        last_pk = chunk[-1].pk
        seen += len(chunk)
        _bill_chunk(chunk, period=period, rates=rates, now=now, summary=summary)
        BillingRun.objects.filter(pk=run.pk).update(contracts_seen=seen)
        if progress:
            progress(f"{seen} contracts")
    run.refresh_from_db()
    run.contracts_seen = seen
    run.invoices_issued = Invoice.objects.filter(run.invoices_condition()).count()
    run.already_invoiced = summary.already_invoiced
    run.nothing_to_bill = summary.nothing_to_bill
    run.failures = summary.failures
    run.finished_at = timezone.now()
    run.save()
    # The run's invoices get their PDFs in the background (render_pending_pdfs, resumable).
    enqueue_on_commit(tasks.render_pending_pdfs)
    return summary


def billing_run_request(
    *, period: Period, now: datetime | None = None, by: User | None = None
) -> BillingRun:
    """Finance starts a period's run from its workspace: the run row (created, or marked queued
    again) and the task (`billing.tasks.run_billing_period`) enqueued on commit. A run still
    queued is returned and nothing more is enqueued; otherwise the run goes again, which
    issues only what is missing (see `billing_run`). Locks the run row
    (`billing.locks.billing_run_lock`)."""
    _check_period_over(period, _contracts_billed(period), now=now or timezone.now())
    with transaction.atomic():
        BillingRun.objects.get_or_create(
            period_start=period.start,
            defaults={"period_end": period.end, "started_at": timezone.now()},
        )
        run = billing_run_lock(period.start)
        if run.queued_at is not None and not run.error:
            return run
        run.queued_at = timezone.now()
        run.requested_by = by
        run.error = ""
        run.save(update_fields=["queued_at", "requested_by", "error"])
        enqueue_on_commit(tasks.run_billing_period, str(period))
    return run


def _bill_chunk(
    chunk: list[Contract],
    *,
    period: Period,
    rates: dict[str, Decimal],
    now: datetime,
    summary: RunSummary,
) -> None:
    ids = [contract.pk for contract in chunk]
    invoiced = set(
        Invoice.objects.filter(
            contract_id__in=ids, source=Invoice.Source.MONTHLY, period_start=period.start
        ).values_list("contract_id", flat=True)
    )
    changes: dict[int, list[PlanChange]] = defaultdict(list)
    for change in PlanChange.objects.filter(contract_id__in=ids).select_related(
        "from_plan", "to_plan"
    ):
        changes[change.contract_id].append(change)
    onsite: dict[int, list[OnsiteCharge]] = defaultdict(list)
    for charge in OnsiteCharge.objects.filter(
        contract_id__in=ids, invoice_line__isnull=True, performed_on__lte=period.end
    ):
        onsite[charge.contract_id].append(charge)
    subscribed: dict[int, set[int]] = defaultdict(set)
    customers = {contract.pk: contract.customer for contract in chunk}
    for sub in StripeSubscription.objects.filter(contract_id__in=ids, stripe_id__isnull=False):
        if sub.ended_at is None or (
            customer_today(customers[sub.contract_id], now=sub.ended_at) >= period.start
        ):
            subscribed[sub.contract_id].add(sub.premium_plan_id)
    moments: dict[str, list[int]] = defaultdict(list)
    for contract in chunk:
        moments[contract.customer.time_zone].append(contract.customer_id)
    balances: dict[int, Decimal] = {}
    for zone, customer_ids in moments.items():
        balances |= credit_ledger.balances_at(
            customer_ids=customer_ids, moment=_period_end_moment(period, zone)
        )
    previous_month = (period.start - timedelta(days=1)).replace(day=1)
    overage = credit_ledger.overage_open(contract_ids=ids, since=previous_month, up_to=period.start)
    bills: list[_Bill] = []
    for contract in chunk:
        months = overage.get(contract.pk, [])
        if months:
            _charge_overage_in_credits(contract, period, changes, months, summary)
        if contract.pk in invoiced:
            summary.already_invoiced += 1
            continue
        specs = contract_lines(
            contract=contract,
            period=period,
            changes=changes[contract.pk],
            onsite=onsite[contract.pk],
            balance=balances.get(contract.customer_id, Decimal("0")),
            subscribed_plan_ids=subscribed[contract.pk],
            overage=months,
        )
        if not specs:
            summary.nothing_to_bill += 1
            continue
        try:
            bills.append(_Bill(contract, specs, _tax_rate(contract, rates, period)))
        except CreditdeskError as error:
            _failed(summary, contract, error)
    try:
        summary.issued += len(_bill_batch(bills=bills, period=period, now=now))
    except (IntegrityError, CreditdeskError):
        # Another run issued some of these contracts' invoices first (the (contract, period)
        # constraint), or one contract's invoice was refused: the batch rolled back whole, so
        # bill its contracts one by one, each in its own transaction, as a batch of one.
        for bill in bills:
            _bill_alone(bill, period=period, now=now, summary=summary)


def _bill_alone(bill: _Bill, *, period: Period, now: datetime, summary: RunSummary) -> None:
    contract = bill.contract
    try:
        _bill_batch(bills=[bill], period=period, now=now)
    except IntegrityError:
        # Another run issued this contract's invoice for the period first; anything else
        # is a real error and stops the run.
        if not Invoice.objects.filter(
            contract=contract, source=Invoice.Source.MONTHLY, period_start=period.start
        ).exists():
            raise
        summary.already_invoiced += 1
        return
    except CreditdeskError as error:
        _failed(summary, contract, error)
        return
    summary.issued += 1


def _failed(summary: RunSummary, contract: Contract, error: CreditdeskError) -> None:
    """A refusal for one contract, recorded on the run (the run goes on)."""
    summary.failures.append(
        {"contract": str(contract.pk), "code": error.code, "message": error.message("es")}
    )


def _charge_overage_in_credits(
    contract: Contract,
    period: Period,
    changes: dict[int, list[PlanChange]],
    months: list[AllowanceMonth],
    summary: RunSummary,
) -> None:
    """Where the plan in force on the last day bills the overage in credits, charge it (once
    per month: `credit_ledger.overage_charge`). A refusal is recorded and the contract's
    invoice still goes out; running again retries the charge."""
    segments = plan_segments(contract, changes[contract.pk], period)
    plan = segments[-1][0] if segments else contract.plan
    if plan.bills_overage != Plan.Overage.CREDITS:
        return
    try:
        entries = credit_ledger.overage_charge(contract=contract, plan=plan, months=months)
    except CreditdeskError as error:
        _failed(summary, contract, error)
        return
    summary.overage_charges += len(entries)
