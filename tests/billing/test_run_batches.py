"""The monthly run in batches: a crash loses at most the batch being written, the rerun
issues nothing twice, numbers stay gapless, and a batch costs the same queries whatever its
size (reads, inserts, the numbering step and the mail tasks are one statement per batch)."""

from datetime import UTC, date, datetime

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from djmoney.money import Money

from billing.models import BillingRun, Invoice, InvoiceSeries, InvoiceStatusChange
from billing.services import Period, billing_run, invoice_issue
from contracts.models import Contract
from tests.factories import make_contract, make_invoice, make_onsite_charge, make_plan
from tests.threads import run_together

NOVEMBER = Period.parse("2026-11")
MAIL_TASK = "billing.tasks.send_invoice_issued"


@pytest.fixture
def task_rows(settings):
    """Tasks are rows of the embedded backend (django-tasks-db), left unrun."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def _fail_on_the_nth_line_insert(n: int):
    """The database fails in the middle of a batch: the nth INSERT of invoice lines (a batch
    writes its drafts, then all their lines in one statement) raises, as a full disk would."""
    seen = {"inserts": 0}

    def wrapper(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "billing_invoiceline" '):
            seen["inserts"] += 1
            if seen["inserts"] == n:
                raise OperationalError("disk I/O error (injected)")
        return execute(sql, params, many, context)

    return wrapper


def _monthly_numbers() -> list[int]:
    return sorted(
        Invoice.objects.filter(source=Invoice.Source.MONTHLY).values_list("number", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now", "task_rows")
def test_a_crash_in_batch_k_keeps_the_batches_before_it_and_the_rerun_finishes(
    django_capture_on_commit_callbacks,
):
    # given 7 contracts billed in batches of 2, and a database that fails inside batch 3
    # (its drafts written, its lines not)
    contracts = [
        make_contract(plan=make_plan(monthly_fee=Money("120900", "COP"))) for _ in range(7)
    ]
    for contract in contracts[::3]:
        make_onsite_charge(contract, performed_on=date(2026, 11, 10))
    first = InvoiceSeries.objects.get(code="FV").next_number
    with (
        django_capture_on_commit_callbacks(execute=True),
        connection.execute_wrapper(_fail_on_the_nth_line_insert(3)),
        pytest.raises(OperationalError),
    ):
        billing_run(period=NOVEMBER, batch_size=2)

    # then batches 1 and 2 are committed and issued with gapless numbers; batch 3 left nothing
    assert Invoice.objects.count() == 4
    assert set(Invoice.objects.values_list("contract_id", flat=True)) == {
        c.pk for c in contracts[:4]
    }
    assert set(Invoice.objects.values_list("status", flat=True)) == {Invoice.Status.ISSUED}
    assert _monthly_numbers() == list(range(first, first + 4))
    assert InvoiceSeries.objects.get(code="FV").next_number == first + 4
    assert BillingRun.objects.get().finished_at is None
    # and only the committed invoices have their mail queued
    mailed = sorted(
        row.args_kwargs["args"][0] for row in DBTaskResult.objects.filter(task_path=MAIL_TASK)
    )
    assert mailed == sorted(Invoice.objects.values_list("pk", flat=True))

    # when the run goes again
    with django_capture_on_commit_callbacks(execute=True):
        summary = billing_run(period=NOVEMBER, batch_size=2)

    # then it issues only what was missing: one invoice per contract, numbers without a gap,
    # one status row and one mail per invoice, every surcharge billed once
    assert (summary.issued, summary.already_invoiced) == (3, 4)
    for contract in contracts:
        assert Invoice.objects.filter(contract=contract).count() == 1
    assert _monthly_numbers() == list(range(first, first + 7))
    assert InvoiceStatusChange.objects.count() == 7
    mailed = [
        row.args_kwargs["args"][0] for row in DBTaskResult.objects.filter(task_path=MAIL_TASK)
    ]
    assert sorted(mailed) == sorted(Invoice.objects.values_list("pk", flat=True))
    onsite = Invoice.objects.filter(lines__kind="onsite").distinct()
    assert {invoice.contract_id for invoice in onsite} == {c.pk for c in contracts[::3]}
    assert BillingRun.objects.get().finished_at is not None


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now", "task_rows")
def test_a_batch_costs_the_same_queries_whatever_its_size(django_capture_on_commit_callbacks):
    def queries_of_run(period: str, contracts: list[Contract]) -> list[str]:
        start = Period.parse(period).start
        for contract in contracts:  # every contract has its fee and one surcharge
            make_onsite_charge(contract, performed_on=start)
        with (
            CaptureQueriesContext(connection) as captured,
            django_capture_on_commit_callbacks(execute=True),  # the mails' tasks count too
        ):
            billing_run(period=Period.parse(period), batch_size=len(contracts))
        return [query["sql"] for query in captured.captured_queries]

    contracts = [make_contract() for _ in range(5)]
    small = queries_of_run("2026-10", contracts)
    contracts += [make_contract() for _ in range(20)]
    large = queries_of_run("2026-11", contracts)

    # one batch of 5 and one batch of 25 contracts cost the same statements
    assert len(large) == len(small)
    assert Invoice.objects.filter(period_start=date(2026, 11, 1)).count() == 25
    # amortised: below 2 queries per contract from a batch of 25 on
    assert len(large) / 25 < 2
    # the mails are one INSERT of task rows per batch (the other: the run's PDFs task), the
    # numbering one lock and one bump
    table = DBTaskResult._meta.db_table
    assert sum(f'INSERT INTO "{table}"' in sql for sql in large) == 2
    assert DBTaskResult.objects.filter(task_path=MAIL_TASK).count() == 30
    assert sum('UPDATE "billing_invoiceseries"' in sql for sql in large) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_and_an_issuer_at_once_leave_one_invoice_per_contract_gapless(settings):
    # given 12 contracts, and 4 drafts a clerk issues while two runs of November go at once
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    contracts = [make_contract() for _ in range(12)]
    drafts = [make_invoice() for _ in range(4)]
    first = InvoiceSeries.objects.get(code="FV").next_number

    def work(i: int) -> object:
        if i < 2:
            return billing_run(
                period=NOVEMBER, now=datetime(2026, 12, 3, 15, tzinfo=UTC), batch_size=5
            )
        for draft in drafts:
            invoice_issue(draft)
        return None

    results = run_together(work, threads=3)

    assert [r for r in results if isinstance(r, BaseException)] == []
    for contract in contracts:
        assert Invoice.objects.filter(contract=contract, source="monthly").count() == 1
    issued = [r.issued for r in results[:2]]  # type: ignore[union-attr]
    assert sum(issued) == 12
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(first, first + 16))
    assert DBTaskResult.objects.filter(task_path=MAIL_TASK).count() == 16


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_a_batch_of_no_contracts_is_refused_before_anything_is_written():
    # given a contract to bill; a batch of 0 would read no contract and call the run finished
    make_contract()

    with pytest.raises(ValueError, match="batch_size"):
        billing_run(period=NOVEMBER, batch_size=0)

    assert not BillingRun.objects.exists()
    assert not Invoice.objects.exists()
