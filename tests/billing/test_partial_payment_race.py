"""Two partial payments of one invoice recorded at once, on PostgreSQL with real threads: the
invoice's row lock weighs them one after the other, so together they never take it past what
is due, and the one that leaves nothing due pays it once."""

from decimal import Decimal

import pytest
from djmoney.money import Money

from billing.models import Invoice, InvoiceStatusChange, Payment
from billing.selectors import invoice_amount_due
from billing.services import payment_record
from contracts.services import customer_today
from core.money import round_half_up
from tests.factories import make_contract, make_invoice
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _invoice() -> Invoice:
    contract = make_contract()
    return make_invoice(
        contract.customer,
        contract=contract,
        lines=[("Cuota", Money("100000", "COP"))],
        issue=True,
    )


def _pay_at_once(invoice: Invoice, share: str) -> list[object]:
    """Two transfers of `share` of what is due (COP 119.000), recorded at the same time."""
    amount = round_half_up(invoice_amount_due(invoice) * Decimal(share))
    today = customer_today(invoice.customer)

    def pay(i: int) -> Payment:
        return payment_record(
            customer=invoice.customer,
            amount=amount,
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref=f"TRF-{share}-{i}",
            received_on=today,
            invoice=invoice,
        )

    return run_together(pay, threads=2)


def test_two_payments_of_60_percent_at_once_apply_one_and_flag_the_other():
    invoice = _invoice()

    results = _pay_at_once(invoice, "0.6")

    assert [r for r in results if isinstance(r, BaseException)] == []
    payments = Payment.objects.filter(invoice=invoice)
    applied = [p for p in payments if p.applied_at is not None]
    flagged = [p for p in payments if p.needs_attention]
    assert len(applied) == 1
    assert len(flagged) == 1
    assert flagged[0].applied_at is None
    assert flagged[0].attention_reason == Payment.Attention.OVERPAYMENT
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice_amount_due(invoice) == Money("47600", "COP")


def test_two_payments_of_half_at_once_apply_both_and_pay_the_invoice_once():
    invoice = _invoice()

    results = _pay_at_once(invoice, "0.5")

    assert [r for r in results if isinstance(r, BaseException)] == []
    payments = Payment.objects.filter(invoice=invoice)
    assert [p.applied_at is not None for p in payments] == [True, True]
    assert not any(p.needs_attention for p in payments)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice_amount_due(invoice) == Money("0", "COP")
    paid = InvoiceStatusChange.objects.filter(invoice=invoice, to_status=Invoice.Status.PAID)
    assert paid.count() == 1
