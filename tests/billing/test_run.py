"""The monthly run: what it bills, idempotence, resuming after a crash, query budget."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django_tasks_db.models import DBTaskResult
from djmoney.money import Money

from billing.documents.store import invoice_pdf_pending
from billing.exceptions import InvalidPeriod, PeriodNotOver
from billing.models import BillingRun, Invoice, InvoiceLine, OnsiteCharge
from billing.services import Period, billing_run, period_last_over
from contracts.models import Contract
from contracts.services import contract_change_plan
from core.amounts import InvalidAmount
from core.errors import InvalidInput
from credits.services import credit_account_get_or_create, credits_charge, credits_place_hold
from tests.billing.conftest import assert_refused
from tests.factories import (
    make_contract,
    make_credit_account,
    make_customer,
    make_onsite_charge,
    make_plan,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NOVEMBER = Period.parse("2026-11")


def monthly(contract: Contract) -> list[Invoice]:
    return list(Invoice.objects.filter(contract=contract, source=Invoice.Source.MONTHLY))


def test_seed_002_premium_fee_with_iva_for_a_whole_month():
    contract = make_contract(plan=make_plan(monthly_fee=Money("120900", "COP")))
    summary = billing_run(period=NOVEMBER)
    (invoice,) = monthly(contract)
    assert summary.issued == 1
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice.number is not None
    assert (invoice.period_start, invoice.period_end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert invoice.subtotal == Money("120900", "COP")
    assert invoice.tax == Money("22971", "COP")
    assert invoice.total == Money("143871", "COP")
    line = invoice.lines.get()
    assert line.kind == InvoiceLine.Kind.PLAN_FEE
    assert line.tax_rate == Decimal("19.00")


def test_plan_change_mid_month_is_prorated_by_day():
    # given Nivel 2 (60000) until 11 Nov, Nivel 3 (120900) from 12 Nov
    basic = make_plan(monthly_fee=Money("60000", "COP"))
    premium = make_plan(monthly_fee=Money("120900", "COP"))
    contract = make_contract(plan=basic)
    contract_change_plan(contract, plan=premium, effective_on=date(2026, 11, 12))
    # when
    billing_run(period=NOVEMBER)
    # then 11/30 of 60000 = 22000 and 19/30 of 120900 = 76570
    lines = list(monthly(contract)[0].lines.order_by("position"))
    assert [(line.unit_price, line.period_start, line.period_end) for line in lines] == [
        (Money("22000", "COP"), date(2026, 11, 1), date(2026, 11, 11)),
        (Money("76570", "COP"), date(2026, 11, 12), date(2026, 11, 30)),
    ]


def test_contract_starting_mid_month_and_untaxed_fee():
    plan = make_plan(monthly_fee=Money("100", "COP"), monthly_fee_taxable=False)
    contract = make_contract(plan=plan, starts_on=date(2026, 11, 21))
    billing_run(period=NOVEMBER)
    line = monthly(contract)[0].lines.get()
    # 10/30 of 100 = 33.333.. -> 33.33 (half up, once, on the line)
    assert line.unit_price == Money("33.33", "COP")
    assert line.tax == Money(0, "COP")


def test_onsite_surcharges_are_billed_once_and_late_ones_wait():
    contract = make_contract()
    visit = make_onsite_charge(contract, performed_on=date(2026, 11, 10), reference="T-1")
    again = make_onsite_charge(contract, performed_on=date(2026, 11, 10), reference="T-1")
    late = make_onsite_charge(contract, performed_on=date(2026, 12, 2), reference="T-2")
    assert again.pk == visit.pk
    billing_run(period=NOVEMBER)
    invoice = monthly(contract)[0]
    onsite = invoice.lines.get(kind=InvoiceLine.Kind.ONSITE)
    assert onsite.unit_price == Money("50000", "COP")
    assert onsite.tax == Money("9500", "COP")
    assert OnsiteCharge.objects.get(pk=visit.pk).invoice_line_id == onsite.pk
    assert OnsiteCharge.objects.get(pk=late.pk).invoice_line_id is None


@pytest.mark.parametrize("description", ["", "   "])
def test_an_onsite_visit_needs_a_description_and_nothing_is_recorded_without_one(description):
    contract = make_contract()
    with pytest.raises(InvalidInput) as refused:
        make_onsite_charge(contract, description=description, reference="T-1")
    assert (refused.value.code, refused.value.field) == ("invalid_input", "description")
    assert refused.value.fields_in("es") == {"description": ["Este campo no puede estar vacío."]}
    assert refused.value.fields_in("en") == {"description": ["This field cannot be blank."]}
    assert "description: Este campo no puede estar vacío." in refused.value.message("es")
    assert not OnsiteCharge.objects.exists()


def test_onsite_work_on_a_plan_without_surcharge_is_refused_and_nothing_is_recorded():
    contract = make_contract(plan=make_plan(onsite_surcharge=Money("0", "COP")))
    with pytest.raises(InvalidAmount) as refused:
        make_onsite_charge(contract)
    assert_refused(
        refused.value, "invalid_amount", "onsite_surcharge", "mayor que cero", "greater than zero"
    )
    assert not OnsiteCharge.objects.exists()


def test_negative_balance_at_period_end_is_billed_as_overdraft_and_settled(frozen_now):
    # given a customer who worked 3 credits more than they had during November
    contract = make_contract()
    frozen_now.move_to("2026-11-20T12:00:00Z")
    account = make_credit_account(contract.customer, credits=Decimal("2"))
    hold = credits_place_hold(account=account, credits=Decimal("2"))
    credits_charge(account=account, hold=hold, credits=Decimal("5"))
    frozen_now.move_to("2026-12-03T15:00:00Z")
    # when
    billing_run(period=NOVEMBER)
    # then 3 credits at the plan's credit price (95000) with tax, and the debt is settled
    line = monthly(contract)[0].lines.get(kind=InvoiceLine.Kind.OVERDRAFT)
    assert (line.quantity, line.unit_price, line.credits) == (
        Decimal("3"),
        Money("95000", "COP"),
        Decimal("3"),
    )
    account = credit_account_get_or_create(customer=contract.customer)
    assert account.balance == Decimal("0")
    # and December's run does not bill those credits again
    frozen_now.move_to("2027-01-05T15:00:00Z")
    billing_run(period=Period.parse("2026-12"))
    december = Invoice.objects.get(contract=contract, period_start=date(2026, 12, 1))
    assert not december.lines.filter(kind=InvoiceLine.Kind.OVERDRAFT).exists()


def test_running_twice_issues_nothing_new():
    contracts = [make_contract() for _ in range(3)]
    first = billing_run(period=NOVEMBER)
    second = billing_run(period=NOVEMBER)
    assert (first.issued, second.issued, second.already_invoiced) == (3, 0, 3)
    assert all(len(monthly(c)) == 1 for c in contracts)
    run = BillingRun.objects.get(period_start=date(2026, 11, 1))
    assert run.attempts == 2
    assert run.invoices_issued == 3
    assert run.finished_at is not None


def test_only_live_contracts_of_the_period_are_billed():
    billed = make_contract()
    make_contract(status=Contract.Status.DRAFT)
    make_contract(status=Contract.Status.CANCELLED)
    make_contract(starts_on=date(2026, 12, 1))
    make_contract(plan=make_plan(monthly_fee=Money(0, "COP")))
    summary = billing_run(period=NOVEMBER)
    assert summary.issued == 1
    assert summary.nothing_to_bill == 1
    assert Invoice.objects.get().contract == billed


def test_a_contract_with_bad_data_is_reported_and_the_rest_is_billed():
    good = [make_contract() for _ in range(2)]
    bad = make_contract(customer=make_customer(country="CL", currency="CLP"))
    summary = billing_run(period=NOVEMBER)
    assert summary.issued == 2
    assert summary.failures == [
        {
            "contract": str(bad.pk),
            "code": "tax_rate_missing",
            "message": summary.failures[0]["message"],
        }
    ]
    assert all(len(monthly(c)) == 1 for c in good)
    assert monthly(bad) == []


def _fail_on_the_nth_invoice_insert(n: int):
    """A database that fails in the middle of the run: the nth INSERT of an invoice raises,
    as a full disk or a dropped connection would (Django's execute_wrapper, a real seam)."""
    seen = {"inserts": 0}

    def wrapper(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "billing_invoice" '):
            seen["inserts"] += 1
            if seen["inserts"] == n:
                raise OperationalError("disk I/O error (injected)")
        return execute(sql, params, many, context)

    return wrapper


def test_crash_in_the_middle_and_a_second_run_leave_one_invoice_per_contract():
    contracts = [make_contract() for _ in range(6)]
    # given a run in batches of one contract that crashes on the fourth contract
    with (
        connection.execute_wrapper(_fail_on_the_nth_invoice_insert(4)),
        pytest.raises(OperationalError),
    ):
        billing_run(period=NOVEMBER, batch_size=1)
    assert sum(len(monthly(c)) for c in contracts) == 3
    assert BillingRun.objects.get().finished_at is None
    # when it runs again
    summary = billing_run(period=NOVEMBER)
    # then every contract has exactly one invoice and the numbers have no gap
    assert (summary.issued, summary.already_invoiced) == (3, 3)
    assert all(len(monthly(c)) == 1 for c in contracts)
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 6))


def test_query_count_per_contract_does_not_grow(django_assert_max_num_queries):
    contracts: list[Contract] = []

    def queries_of_run(period: str, new_contracts: int) -> int:
        contracts.extend(make_contract() for _ in range(new_contracts))
        start = Period.parse(period).start
        for contract in contracts:  # every contract has its fee and one surcharge
            make_onsite_charge(contract, performed_on=start)
        with django_assert_max_num_queries(100_000) as captured:
            billing_run(period=Period.parse(period))
        return len(captured.captured_queries)

    three = queries_of_run("2026-08", 3)
    thirteen = queries_of_run("2026-09", 10)
    twenty_three = queries_of_run("2026-10", 10)
    # the same constant cost per contract, whatever their number: no N+1 reads
    assert thirteen - three == twenty_three - thirteen
    assert (twenty_three - thirteen) / 10 <= 9


def test_the_period_must_be_over_and_well_formed():
    with pytest.raises(PeriodNotOver):
        billing_run(period=Period.parse("2026-12"))
    with pytest.raises(InvalidPeriod):
        Period.parse("2026-13")


def test_a_month_is_billed_once_it_is_over_for_every_customer(frozen_now):
    # given: customers in Madrid (UTC+1), Bogotá (UTC-5) and Mexico City (UTC-6)
    contracts = {
        zone: make_contract(customer=make_customer(time_zone=zone))
        for zone in ("Europe/Madrid", "America/Bogota", "America/Mexico_City")
    }
    # at 21:00 on 30 November in Mexico City, 1 December in UTC, November is not over there
    frozen_now.move_to("2026-12-01T03:00:00Z")
    with pytest.raises(PeriodNotOver) as refused:
        billing_run(period=NOVEMBER)
    assert refused.value.message("en") == (
        "The month 2026-11 is not over in every customer's time zone (it ends "
        "1 Dec 2026, 06:00 UTC); only finished months are billed."
    )
    assert "(termina el 01/12/2026 06:00 UTC)" in refused.value.message("es")
    assert not Invoice.objects.exists()
    # from midnight in Mexico City every invoice is issued, on its customer's day
    frozen_now.move_to("2026-12-01T06:00:00Z")
    assert billing_run(period=NOVEMBER).issued == 3
    for contract in contracts.values():
        (invoice,) = monthly(contract)
        assert invoice.issued_on == date(2026, 12, 1)
    # and a customer already in its next day gets its invoice dated that day
    tokyo = make_contract(customer=make_customer(time_zone="Asia/Tokyo"))
    frozen_now.move_to("2026-12-01T16:00:00Z")  # 01:00 on the 2nd in Tokyo
    billing_run(period=NOVEMBER)
    (invoice,) = monthly(tokyo)
    assert invoice.issued_on == date(2026, 12, 2)
    assert invoice.due_on == date(2026, 12, 2) + (
        monthly(contracts["America/Bogota"])[0].due_on - date(2026, 12, 1)
    )


def test_command_prints_a_summary(capsys):
    make_contract()
    call_command("run_billing", "--period", "2026-11")
    out = capsys.readouterr().out
    assert "billing run 2026-11: 1 contracts, 1 invoices issued" in out
    with pytest.raises(CommandError):
        call_command("run_billing", "--period", "noviembre")


def test_the_runs_pdfs_render_in_a_task_after_it(db_tasks, django_capture_on_commit_callbacks):
    make_contract(plan=make_plan(monthly_fee=Money("120900", "COP")))

    with django_capture_on_commit_callbacks(execute=True):
        billing_run(period=NOVEMBER)

    # the run rendered nothing itself; tasks wait for a worker: the invoice's mail (which
    # attaches its PDF) and the PDFs of the run
    assert invoice_pdf_pending().count() == 1
    queued = DBTaskResult.objects.order_by("task_path")
    assert [(row.task_path, row.status) for row in queued] == [
        ("billing.tasks.render_pending_pdfs", "READY"),
        ("billing.tasks.send_invoice_issued", "READY"),
    ]
    assert db_tasks() == 2
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert not invoice_pdf_pending().exists()
    assert len(mail.outbox) == 1  # with the PDF, rendered once by whichever task ran first


def test_the_scheduled_hour_ends_the_month_for_the_westernmost_zone(frozen_now):
    # UTC-12 ends November at 12:00 UTC on 1 December, the hour the scheduler starts the run;
    # UTC+14 is then on the 2nd, and its invoice bears that day
    west = make_contract(customer=make_customer(time_zone="Etc/GMT+12"))
    east = make_contract(customer=make_customer(time_zone="Pacific/Kiritimati"))
    frozen_now.move_to("2026-12-01T11:59:59Z")
    with pytest.raises(PeriodNotOver):
        billing_run(period=NOVEMBER)
    frozen_now.move_to("2026-12-01T12:00:00Z")
    assert billing_run(period=NOVEMBER).issued == 2
    assert monthly(west)[0].issued_on == date(2026, 12, 1)
    assert monthly(east)[0].issued_on == date(2026, 12, 2)


def test_the_last_month_over_is_the_one_finance_is_offered(frozen_now):
    make_contract(customer=make_customer(time_zone="America/Bogota"))
    make_contract(customer=make_customer(time_zone="Etc/GMT+12"), status=Contract.Status.CANCELLED)
    frozen_now.move_to("2026-12-01T04:59:00Z")  # 23:59 on 30 November in Bogotá
    assert str(period_last_over()) == "2026-10"
    frozen_now.move_to("2026-12-01T05:00:00Z")
    assert str(period_last_over()) == "2026-11"
