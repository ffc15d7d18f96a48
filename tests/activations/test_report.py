"""The monthly SLA report's activation figure: products activated in the month and how many
on time, in the PDF (read back) and the CSV, at the same query count however many."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from djmoney.money import Money
from pypdf import PdfReader

from activations.services import activation_complete, activation_purchase
from billing.services.payments import payment_record
from creditdesk.reports.data import sla_report_data
from creditdesk.reports.rendering import sla_report_csv, sla_report_pdf
from tests.factories import make_contract

pytestmark = pytest.mark.django_db
PAID = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)


def _activated(customer, product, *, minutes_after: int, ref: str, capture) -> None:
    activation = activation_purchase(
        customer=customer, product=product, unit_price=Money("1000", "ARS")
    )
    with time_machine.travel(PAID, tick=False), capture(execute=True):
        payment_record(
            customer=customer,
            amount=activation.invoice.total,
            provider="bank_transfer",
            provider_ref=ref,
            received_on=date(2026, 12, 7),
            invoice=activation.invoice,
        )
    activation.refresh_from_db()
    with time_machine.travel(PAID + timedelta(hours=1), tick=False):  # recorded afterwards
        at = PAID + timedelta(minutes=minutes_after)
        activation_complete(activation=activation, by=None, at=at)


def _report_queries(contract) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        report = sla_report_data(contract=contract, period_start=date(2026, 12, 1))
    return len(captured), report


def test_the_report_counts_activations_on_time_at_a_fixed_query_count(
    catalogue, customer, django_capture_on_commit_callbacks
):
    contract = make_contract(customer)
    before, empty = _report_queries(contract)
    assert empty.activations.activated == 0
    hosting = catalogue["Hosting"]
    for index, minutes in enumerate((1, 2, 5)):
        _activated(
            customer,
            hosting,
            minutes_after=minutes,
            ref=f"TR-{index}",
            capture=django_capture_on_commit_callbacks,
        )
    after, report = _report_queries(contract)
    assert after == before
    assert (report.activations.activated, report.activations.on_time) == (3, 2)

    csv_rows = sla_report_csv(report).splitlines()
    assert "activations,,,activated,3" in csv_rows
    assert "activations,,,on_time_share,0.6667" in csv_rows

    spanish = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(sla_report_pdf(report))).pages
    )
    assert "Activación de productos" in spanish
    assert "3 productos activados en el periodo; 2 a tiempo (66,7" in spanish
    english = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(sla_report_pdf(report, language="en"))).pages
    )
    assert "3 products activated in the period; 2 on time (66.7" in english


def test_a_month_without_activations_prints_no_activation_section(catalogue, customer):
    contract = make_contract(customer)
    report = sla_report_data(contract=contract, period_start=date(2026, 12, 1))
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(sla_report_pdf(report))).pages
    )
    assert "Activación de productos" not in text
    assert not [row for row in sla_report_csv(report).splitlines() if row.startswith("activ")]
