"""billing.batch_sql: a batch's numbering UPDATE keeps within the database's parameter limit."""

import sqlite3
from datetime import date

import pytest
from django.db import connection, transaction

from billing.models import Invoice, InvoiceSeries
from billing.services.invoices import invoice_issue_prepare, invoices_issue_prepared
from tests.factories import make_invoice


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_now")
def test_a_batch_is_numbered_under_a_low_parameter_limit(django_capture_on_commit_callbacks):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL sends the batch as two arrays, whatever its size")
    # given three prepared drafts and a database that takes at most 9 parameters a statement
    # (the UPDATE's status and series take two, each draft three)
    drafts = [make_invoice() for _ in range(3)]
    for draft in drafts:
        invoice_issue_prepare(
            draft,
            lines=list(draft.lines.all()),
            issued_on=date(2026, 12, 3),
            due_on=date(2026, 12, 18),
            grace_days=0,
        )
        draft.save()
    first = InvoiceSeries.objects.get(code="FV").next_number
    raw = connection.connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 9)
    try:
        # when they are issued together
        with django_capture_on_commit_callbacks(), transaction.atomic():
            invoices_issue_prepared(drafts)
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)

    # then every one is issued with the next numbers, in order
    issued = Invoice.objects.filter(pk__in=[draft.pk for draft in drafts]).order_by("pk")
    assert [(invoice.status, invoice.number) for invoice in issued] == [
        (Invoice.Status.ISSUED, first + offset) for offset in range(3)
    ]
