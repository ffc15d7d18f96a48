"""A credit note lowers what an invoice takes to pay: a transfer of the rest pays it, and the
invoice's payment form offers that amount."""

import pytest
from django.test import Client

from billing.exceptions import DuplicatePaymentReference
from billing.models import Invoice
from billing.selectors import invoice_amount_due
from billing.services import credit_note_issue
from tests.billing.conftest import bank_transfer
from tests.factories import make_contract, make_invoice, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def credited(frozen_now):
    contract = make_contract()
    invoice = make_invoice(contract.customer, contract=contract, issue=True)
    credit_note_issue(invoice=invoice, reason="Descuento acordado", amount=invoice.total / 10)
    invoice.refresh_from_db()
    return invoice


def test_a_transfer_of_the_total_less_its_credit_notes_pays_the_invoice(credited):
    due = invoice_amount_due(credited)
    assert due == credited.total - credited.total / 10

    payment = bank_transfer(credited, due, "TRF-1")

    credited.refresh_from_db()
    assert credited.status == Invoice.Status.PAID
    assert payment.applied_at is not None
    assert not payment.needs_attention


def test_the_original_total_is_more_than_is_due_and_asks_for_review(credited):
    payment = bank_transfer(credited, credited.total, "TRF-2")

    credited.refresh_from_db()
    assert credited.status == Invoice.Status.ISSUED
    assert payment.needs_attention
    assert payment.attention_reason == "overpayment"
    assert payment.applied_at is None


def test_an_invoice_without_credit_notes_is_due_in_full(frozen_now):
    invoice = make_invoice(make_contract().customer, issue=True)

    assert invoice_amount_due(invoice) == invoice.total


def test_the_payment_form_offers_what_is_due(credited):
    finance = make_user(is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(finance)

    page = browser.get(f"/workspace/finance/invoices/{credited.pk}/")

    assert page.status_code == 200
    assert page.context["payment_form"].initial["amount"] == invoice_amount_due(credited).amount
    # written as the page writes amounts
    assert 'name="amount" value="107.100"' in page.content.decode()


def test_a_repeated_reference_is_refused_naming_the_method_by_its_label(credited):
    part = invoice_amount_due(credited) / 2
    bank_transfer(credited, part, "TRF-3")

    with pytest.raises(DuplicatePaymentReference) as refused:
        bank_transfer(credited, part, "TRF-3")

    assert refused.value.message("es") == (
        "Ya hay un pago con la referencia TRF-3 (Transferencia bancaria)."
    )
    assert refused.value.message("en") == (
        "There is already a payment with reference TRF-3 (Bank transfer)."
    )
