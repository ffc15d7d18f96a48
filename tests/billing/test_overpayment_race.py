"""Two settlements of one overpayment submitted at once, on PostgreSQL with real threads: the
invoice's row lock, then the payment's, weigh them one after the other, so what was due is
applied once, the invoice is paid once and the rest goes back once."""

import pytest
from djmoney.money import Money

from billing.models import Invoice, InvoiceStatusChange, Payment, Refund
from billing.selectors import invoice_amount_due, invoice_paid_and_due
from billing.services import overpayment_settle, payment_record
from contracts.services import customer_today
from tests.factories import make_contract, make_finance_user, make_invoice
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_settlements_at_once_return_the_rest_once_and_pay_the_invoice_once():
    contract = make_contract()
    invoice = make_invoice(
        contract.customer, contract=contract, lines=[("Cuota", Money("100000", "COP"))], issue=True
    )
    over = payment_record(
        customer=invoice.customer,
        amount=Money("150000", "COP"),
        provider=Payment.Provider.BANK_TRANSFER,
        provider_ref="TRF-OVER",
        received_on=customer_today(invoice.customer),
        invoice=invoice,
    )
    assert over.attention_reason == Payment.Attention.OVERPAYMENT
    finance = make_finance_user()

    results = run_together(lambda i: overpayment_settle(payment=over, by=finance), threads=2)

    assert [r for r in results if isinstance(r, BaseException)] == []
    refund = Refund.objects.get()
    assert {r.pk for r in results} == {refund.pk}
    assert refund.amount == Money("31000", "COP")
    assert refund.status == Refund.Status.SUCCEEDED
    over.refresh_from_db()
    assert over.applied_amount == Money("119000", "COP")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    paid = InvoiceStatusChange.objects.filter(invoice=invoice, to_status=Invoice.Status.PAID)
    assert paid.count() == 1
    assert invoice_amount_due(invoice) == Money("0", "COP")
    assert invoice_paid_and_due(invoice) == (Money("119000", "COP"), Money("0", "COP"))
