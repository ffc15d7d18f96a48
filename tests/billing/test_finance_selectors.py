"""Finance's figures: totals per currency of a filtered list, and receivables ageing by days
past due (each bucket at its edges), both in one aggregate query; the billing run finance
starts from its page (`billing_run_request`)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from djmoney.money import Money

from billing.exceptions import PeriodNotOver
from billing.models import BillingRun, Invoice
from billing.selectors import (
    AGEING_BUCKETS,
    ageing_rows,
    invoice_filter,
    invoice_totals_by_currency,
    receivables_ageing,
    receivables_ageing_by_customer,
)
from billing.services import (
    Period,
    billing_run,
    billing_run_request,
    credit_note_issue,
    invoice_void,
    payment_record,
)
from tests.billing.conftest import assert_refused, cop
from tests.factories import make_contract, make_customer, make_invoice, make_plan

pytestmark = pytest.mark.django_db

ISSUE_DAY = date(2026, 9, 1)  # due BILLING_PAYMENT_TERM_DAYS later


def usd(amount: str) -> Money:
    return Money(amount, "USD")


@pytest.fixture
def documents(time_machine):
    """COP: two issued invoices (one paid), a void one and a credit note; USD: one issued."""
    time_machine.move_to("2026-11-10T15:00:00Z", tick=False)
    bogota = make_customer(legal_name="Hotel Andino S.A.S.")
    miami = make_customer(legal_name="Bay Hosting LLC", currency="USD", country="US")
    paid = make_invoice(bogota, lines=[("Cuota", cop("100000"))], issue=True)
    unpaid = make_invoice(bogota, lines=[("Cuota", cop("50000"))], issue=True)
    void = make_invoice(bogota, lines=[("Error", cop("7000"))], issue=True)
    invoice_void(void, reason="Duplicada")
    payment_record(
        customer=bogota,
        amount=paid.total,
        provider="bank_transfer",
        provider_ref="TRF-1",
        received_on=date(2026, 11, 10),
        invoice=paid,
    )
    credit_note_issue(invoice=unpaid, reason="Descuento", amount=cop("11900"))
    make_invoice(miami, lines=[("Fee", usd("80"))], tax_rate=Decimal("0"), issue=True)
    make_invoice(bogota)  # a draft: never in the figures
    return bogota, miami


def test_totals_per_currency_of_the_filtered_list_in_one_query(
    documents, django_assert_num_queries
):
    found = invoice_filter(filters={})

    with django_assert_num_queries(1):
        totals = {row.currency: row for row in invoice_totals_by_currency(found.qs)}

    # paid 119000 + unpaid 59500 (void and draft left out); the credit note 11900
    assert totals["COP"].invoiced == cop("178500")
    assert totals["COP"].credited == cop("11900")
    assert totals["COP"].net == cop("166600")
    # still unpaid: what is due on the unpaid invoice, its credit note taken off
    assert totals["COP"].unpaid == cop("47600")
    assert totals["COP"].documents == 4  # two invoices, the void one, the credit note
    assert totals["USD"].invoiced == usd("80")
    assert totals["USD"].unpaid == usd("80")


def test_filters_narrow_the_list_and_its_totals(documents):
    bogota, _miami = documents

    by_customer = invoice_filter(filters={"customer": "Andino", "kind": "invoice"}).qs
    notes = invoice_filter(filters={"series": "NC"}).qs
    dollars = invoice_filter(filters={"currency": "USD"}).qs
    drafts = invoice_filter(filters={"status": "draft"}).qs
    later = invoice_filter(filters={"issued_from": "2026-11-11"}).qs

    assert {i.customer_id for i in by_customer} == {bogota.pk}
    assert {i.kind for i in by_customer} == {Invoice.Kind.INVOICE}
    assert [i.kind for i in notes] == [Invoice.Kind.CREDIT_NOTE]
    assert [row.currency for row in invoice_totals_by_currency(dollars)] == ["USD"]
    assert [i.status for i in drafts] == [Invoice.Status.DRAFT]
    assert not later.exists()
    assert not invoice_filter(filters={"status": "nonsense"}).is_valid()


@pytest.mark.parametrize(
    ("days_past_due", "bucket"),
    [
        (-1, "current"),
        (0, "current"),
        (1, "days_1_30"),
        (30, "days_1_30"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "over_90"),
        (400, "over_90"),
    ],
)
def test_each_ageing_bucket_at_its_edges(time_machine, days_past_due, bucket):
    # given an invoice issued on 1 September, due some days later
    time_machine.move_to(f"{ISSUE_DAY.isoformat()}T15:00:00Z", tick=False)
    invoice = make_invoice(make_customer(), lines=[("Cuota", cop("100000"))], issue=True)
    # when the clock is `days_past_due` days after its due day
    time_machine.move_to(invoice.due_on + timedelta(days=days_past_due, hours=15), tick=False)

    (row,) = receivables_ageing()

    # then its whole amount is in that bucket, and nothing elsewhere
    names = [name for name, _first, _last in AGEING_BUCKETS]
    assert dict(zip(names, row.buckets, strict=True)) == {
        name: cop("119000") if name == bucket else cop("0") for name in names
    }
    assert row.total == cop("119000")


def test_ageing_per_currency_in_one_query_with_the_customers_behind_each_bucket(
    time_machine, django_assert_num_queries, settings
):
    # given two COP customers and a USD one, invoices issued on different days
    settings.BILLING_PAYMENT_TERM_DAYS = 15
    time_machine.move_to("2026-06-01T15:00:00Z", tick=False)
    andino = make_customer(legal_name="Hotel Andino S.A.S.")
    old = make_invoice(andino, lines=[("Cuota", cop("100000"))], issue=True)  # due 16 June
    time_machine.move_to("2026-09-20T15:00:00Z", tick=False)
    sabana = make_customer(legal_name="Sabana Ltda.")
    make_invoice(sabana, lines=[("Cuota", cop("50000"))], issue=True)  # due 5 October
    miami = make_customer(legal_name="Bay Hosting LLC", currency="USD", country="US")
    make_invoice(miami, lines=[("Fee", usd("80"))], tax_rate=Decimal("0"), issue=True)
    # a credit note on the old invoice lowers it in its own bucket; a paid invoice is gone
    credit_note_issue(invoice=old, reason="Descuento", amount=cop("19000"))
    paid = make_invoice(sabana, lines=[("Extra", cop("1000"))], issue=True)
    payment_record(
        customer=sabana,
        amount=paid.total,
        provider="cash",
        provider_ref="R-1",
        received_on=date(2026, 9, 20),
        invoice=paid,
    )
    time_machine.move_to("2026-11-05T15:00:00Z", tick=False)

    with django_assert_num_queries(1):
        totals = {row.currency: row for row in receivables_ageing()}
    with django_assert_num_queries(1):
        customers = ageing_rows(receivables_ageing_by_customer())

    # 5 Nov (15 days to pay): the old invoice is 142 days past due, Sabana's and the USD 31
    assert totals["COP"].buckets == (cop("0"), cop("0"), cop("59500"), cop("0"), cop("100000"))
    assert totals["USD"].buckets == (usd("0"), usd("0"), usd("80"), usd("0"), usd("0"))
    assert [(r.currency, r.customer_name, r.total) for r in customers] == [
        ("COP", "Hotel Andino S.A.S.", cop("100000")),
        ("COP", "Sabana Ltda.", cop("59500")),
        ("USD", "Bay Hosting LLC", usd("80")),
    ]


def test_a_run_finance_starts_is_queued_once_and_refused_for_a_month_not_over(
    time_machine, django_capture_on_commit_callbacks, settings
):
    time_machine.move_to("2026-12-03T15:00:00Z", tick=False)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        run = billing_run_request(period=Period.parse("2026-11"))
        again = billing_run_request(period=Period.parse("2026-11"))

    assert run.pk == again.pk
    assert run.queued_at is not None
    assert [t.task_path for t in DBTaskResult.objects.all()] == ["billing.tasks.run_billing_period"]
    with pytest.raises(PeriodNotOver) as refused:
        billing_run_request(period=Period.parse("2026-12"))
    assert_refused(
        refused.value,
        "period_not_over",
        "period",
        "El mes 2026-12 no ha terminado",
        "The month 2026-12 is not over",
    )
    assert BillingRun.objects.count() == 1


def test_the_run_clears_its_queue_mark_and_counts_its_contracts(time_machine):
    time_machine.move_to("2026-12-03T15:00:00Z", tick=False)
    make_contract(plan=make_plan(monthly_fee=cop("120900")))
    make_contract(plan=make_plan(monthly_fee=cop("60000")))
    BillingRun.objects.create(
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        started_at=ISSUE_DAY.isoformat() + "T00:00:00Z",
        queued_at="2026-12-03T14:00:00Z",
    )

    billing_run(period=Period.parse("2026-11"))

    run = BillingRun.objects.get()
    assert (run.queued_at, run.contracts_total, run.contracts_seen) == (None, 2, 2)
    assert run.invoices_issued == 2
    assert run.finished_at is not None
