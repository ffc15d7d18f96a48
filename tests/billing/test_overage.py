"""The monthly run and an allowance's overage (issue 17): included support with included
hours bills the work beyond them at month end, in money (an invoice line taxed like the
fee) or in credits (one ledger entry), once, however often the run is repeated."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from djmoney.money import Money

from billing.models import Invoice, InvoiceLine
from billing.services import Period, billing_run
from contracts.models import Contract, Plan
from credits.allowance import allowance_draw
from credits.models import AllowanceMonth, CreditAccount, LedgerEntry
from credits.selectors import ledger_verify
from tests.factories import make_contract, make_credit_account, make_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOVEMBER = Period.parse("2026-11")
DECEMBER = Period.parse("2026-12")


def included_plan(**overrides) -> Plan:
    """Two hours a month included; each started hour beyond them at COP 80,000."""
    fields = {
        "support_model": Plan.SupportModel.INCLUDED,
        "included_hours": Decimal("2"),
        "overage": Plan.Overage.MONEY,
        "overage_hour_price": Money("80000", "COP"),
        "monthly_fee": Money("120900", "COP"),
    } | overrides
    return make_plan(**fields)


def draw(contract: Contract, ticket: int, minutes: int, at: str) -> None:
    """A resolved request's billable minutes, as charging draws them."""
    allowance_draw(
        contract=contract,
        reference_type="tickets.ticket",
        reference_id=str(ticket),
        minutes=minutes,
        at=datetime.fromisoformat(at),
    )


def monthly(contract: Contract, period: Period) -> Invoice:
    return Invoice.objects.get(
        contract=contract, source=Invoice.Source.MONTHLY, period_start=period.start
    )


def test_the_hours_beyond_the_allowance_are_invoiced_per_started_hour_taxed_like_the_fee():
    contract = make_contract(plan=included_plan())
    draw(contract, 1, 100, "2026-11-10T15:00:00+00:00")
    draw(contract, 2, 115, "2026-11-20T15:00:00+00:00")  # 20 included, 95 beyond

    billing_run(period=NOVEMBER)

    invoice = monthly(contract, NOVEMBER)
    fee, overage = invoice.lines.order_by("position")
    assert fee.kind == InvoiceLine.Kind.PLAN_FEE
    assert overage.kind == InvoiceLine.Kind.OVERAGE
    assert overage.description == (
        "Horas adicionales de soporte 2026-11: 95 min fuera de las horas incluidas"
    )
    # 95 min beyond: two started hours at 80,000, with the fee's 19 % IVA
    assert (overage.quantity, overage.unit_price) == (Decimal("2"), Money("80000", "COP"))
    assert (overage.subtotal, overage.tax) == (Money("160000", "COP"), Money("30400", "COP"))
    assert overage.tax_rate == fee.tax_rate == Decimal("19.00")
    assert invoice.total == Money("120900", "COP") * Decimal("1.19") + Money("190400", "COP")
    month = AllowanceMonth.objects.get(contract=contract)
    assert (month.over_minutes, month.settled_minutes) == (95, 95)


def test_an_untaxed_fee_leaves_the_overage_untaxed_too():
    contract = make_contract(plan=included_plan(monthly_fee_taxable=False))
    draw(contract, 1, 150, "2026-11-10T15:00:00+00:00")

    billing_run(period=NOVEMBER)

    overage = monthly(contract, NOVEMBER).lines.get(kind=InvoiceLine.Kind.OVERAGE)
    assert (overage.quantity, overage.tax) == (Decimal("1"), Money("0", "COP"))


def test_rerunning_the_month_bills_the_overage_once_and_late_minutes_go_to_the_next_run(
    frozen_now,
):
    contract = make_contract(plan=included_plan())
    draw(contract, 1, 215, "2026-11-10T15:00:00+00:00")  # 95 beyond: 2 hours

    first = billing_run(period=NOVEMBER)
    second = billing_run(period=NOVEMBER)

    assert (first.issued, second.issued, second.already_invoiced) == (1, 0, 1)
    assert InvoiceLine.objects.filter(kind=InvoiceLine.Kind.OVERAGE).count() == 1
    # a request resolved on 30 November at 22:00 in Bogotá, after the run (02:00 UTC)
    draw(contract, 2, 30, "2026-12-01T03:00:00+00:00")  # 125 beyond: a third started hour
    assert AllowanceMonth.objects.get(contract=contract).over_minutes == 125
    billing_run(period=NOVEMBER)
    assert InvoiceLine.objects.filter(kind=InvoiceLine.Kind.OVERAGE).count() == 1

    frozen_now.move_to("2027-01-04T15:00:00Z")
    billing_run(period=DECEMBER)

    late = monthly(contract, DECEMBER).lines.get(kind=InvoiceLine.Kind.OVERAGE)
    assert late.description.startswith("Horas adicionales de soporte 2026-11: 30 min")
    assert late.quantity == Decimal("1")
    assert AllowanceMonth.objects.get(contract=contract).settled_minutes == 125


def test_work_within_the_allowance_adds_no_line():
    contract = make_contract(plan=included_plan())
    draw(contract, 1, 120, "2026-11-10T15:00:00+00:00")

    billing_run(period=NOVEMBER)

    assert not InvoiceLine.objects.filter(kind=InvoiceLine.Kind.OVERAGE).exists()


def test_an_overage_in_credits_is_one_ledger_entry_charged_once():
    contract = make_contract(plan=included_plan(overage=Plan.Overage.CREDITS))
    make_credit_account(contract.customer, credits="5")
    draw(contract, 1, 100, "2026-11-10T15:00:00+00:00")
    draw(contract, 2, 115, "2026-11-20T15:00:00+00:00")  # 95 beyond: 2 credits

    first = billing_run(period=NOVEMBER)
    billing_run(period=NOVEMBER)

    assert first.overage_charges == 1
    entry = LedgerEntry.objects.get(kind=LedgerEntry.Kind.CHARGE)
    assert entry.credits == Decimal("-2")
    assert entry.reason == (
        "Horas adicionales de soporte 2026-11: 95 min fuera de las horas incluidas"
    )
    assert (entry.reference_type, entry.idempotency_key) == (
        "credits.allowancemonth",
        f"allowance:{AllowanceMonth.objects.get().pk}:over:95",
    )
    assert CreditAccount.objects.get(customer=contract.customer).balance == Decimal("3")
    assert not InvoiceLine.objects.filter(kind=InvoiceLine.Kind.OVERAGE).exists()
    assert AllowanceMonth.objects.get().settled_minutes == 95
    assert ledger_verify().ok


def test_an_overage_in_credits_is_charged_even_without_an_invoice():
    contract = make_contract(
        plan=included_plan(overage=Plan.Overage.CREDITS, monthly_fee=Money("0", "COP"))
    )
    draw(contract, 1, 180, "2026-11-10T15:00:00+00:00")

    summary = billing_run(period=NOVEMBER)

    assert summary.nothing_to_bill == 1
    # the debt is next month's overdraft, at the plan's credit price
    assert CreditAccount.objects.get(customer=contract.customer).balance == Decimal("-1")


@pytest.mark.parametrize(
    ("model", "overage"),
    [
        (Plan.SupportModel.INCLUDED, Plan.Overage.NONE),
        (Plan.SupportModel.INCLUDED_HOURS_THEN_CREDITS, Plan.Overage.NONE),
    ],
)
def test_plans_that_do_not_bill_an_overage_at_month_end(model, overage):
    contract = make_contract(plan=included_plan(support_model=model, overage=overage))
    draw(contract, 1, 300, "2026-11-10T15:00:00+00:00")

    billing_run(period=NOVEMBER)

    assert not InvoiceLine.objects.filter(kind=InvoiceLine.Kind.OVERAGE).exists()
    assert not LedgerEntry.objects.exists()
    assert monthly(contract, NOVEMBER).period_start == date(2026, 11, 1)
