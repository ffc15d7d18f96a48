"""Parallel issuing on PostgreSQL: real threads, real row locks, gapless unique numbers."""

import threading

import pytest
from django.db import connection

from billing.models import Invoice, InvoiceSeries
from billing.services import invoice_issue
from tests.factories import make_customer, make_invoice

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_issuers_leave_gapless_unique_numbers():
    # given 40 drafts and 8 threads issuing 5 each at the same time
    customer = make_customer()
    drafts = [make_invoice(customer) for _ in range(40)]
    first = InvoiceSeries.objects.get(code="FV").next_number
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def issue(batch):
        try:
            barrier.wait()
            for draft in batch:
                invoice_issue(draft)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(drafts[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(first, first + 40))
    assert InvoiceSeries.objects.get(code="FV").next_number == first + 40


def test_two_issuers_of_the_same_draft_issue_it_once():
    draft = make_invoice()
    first = InvoiceSeries.objects.get(code="FV").next_number
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def issue():
        try:
            barrier.wait()
            invoice_issue(draft)
            outcomes.append("issued")
        except Exception as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["IllegalInvoiceTransition"] * 3 + ["issued"]
    assert Invoice.objects.get(pk=draft.pk).number == first
    assert InvoiceSeries.objects.get(code="FV").next_number == first + 1
