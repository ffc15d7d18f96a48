"""Parallel issuing on PostgreSQL: real threads, real row locks, gapless unique numbers."""

import pytest

from billing.models import Invoice, InvoiceSeries
from billing.services import invoice_issue
from tests.factories import make_customer, make_invoice
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_issuers_leave_gapless_unique_numbers():
    # given 40 drafts and 8 threads issuing 5 each at the same time
    customer = make_customer()
    drafts = [make_invoice(customer) for _ in range(40)]
    first = InvoiceSeries.objects.get(code="FV").next_number

    def issue(i: int) -> None:
        for draft in drafts[i::8]:
            invoice_issue(draft)

    results = run_together(issue, threads=8)
    # then
    assert [r for r in results if isinstance(r, BaseException)] == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(first, first + 40))
    assert InvoiceSeries.objects.get(code="FV").next_number == first + 40


def test_two_issuers_of_the_same_draft_issue_it_once():
    draft = make_invoice()
    first = InvoiceSeries.objects.get(code="FV").next_number

    results = run_together(lambda i: invoice_issue(draft), threads=4)

    outcomes = [type(r).__name__ if isinstance(r, Exception) else "issued" for r in results]
    assert sorted(outcomes) == ["IllegalInvoiceTransition"] * 3 + ["issued"]
    assert Invoice.objects.get(pk=draft.pk).number == first
    assert InvoiceSeries.objects.get(code="FV").next_number == first + 1
