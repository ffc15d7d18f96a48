"""A credit note asked for by its gross amount totals exactly that amount.

With per-line rounding (`core.money`), a net subtotal s gives s + round(s x rate) as the line's
total, which skips about one gross amount in six at 19 % (0.03, 0.09, 0.16 ...). A note for
such an amount used to come out one cent short: the rest of an invoice could not be credited,
and a refusal named a sum one cent away from what finance typed plus the earlier notes."""

from decimal import Decimal

import pytest
from django.db import transaction
from djmoney.money import Money

from billing.exceptions import CreditNoteExceedsInvoice
from billing.locks import invoice_lock
from billing.services import credit_note_issue
from billing.services.invoices import credit_note_draft
from core.money import round_half_up
from tests.factories import make_customer, make_invoice

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def _lines_add_up(note) -> None:
    lines = list(note.lines.all())
    for line in lines:
        assert line.subtotal + line.tax == line.total
        assert line.quantity * line.unit_price.amount == line.subtotal.amount
        # the tax is the rate's, give or take the cent that makes the total the amount asked
        expected = round_half_up(line.subtotal * line.tax_rate / 100)
        assert abs((line.tax - expected).amount) <= Decimal("0.01")
    assert sum((line.total for line in lines), Money(0, note.currency)) == note.total
    assert note.subtotal + note.tax == note.total


@pytest.mark.parametrize("rate", [Decimal("19"), Decimal("16"), Decimal("5"), Decimal("0")])
def test_a_note_for_any_gross_amount_totals_that_amount(rate):
    invoice = make_invoice(
        make_customer(), lines=[("A", Money("100000", "COP"))], tax_rate=rate, issue=True
    )
    for cents in range(1, 301):
        amount = Money(Decimal(1000) + Decimal(cents) / 100, "COP")
        with transaction.atomic():
            note = credit_note_draft(
                invoice=invoice_lock(invoice.pk), reason="Descuento", amount=amount
            )
            assert note.total == amount, amount
            _lines_add_up(note)
            transaction.set_rollback(True)


def test_the_rest_of_an_invoice_after_a_partial_note_is_credited_to_the_cent():
    invoice = make_invoice(lines=[("A", Money("100000", "COP"))], issue=True)  # total 119000
    first = credit_note_issue(invoice=invoice, reason="Descuento", amount=Money("1000.01", "COP"))
    assert first.total == Money("1000.01", "COP")
    rest = invoice.total - first.total

    last = credit_note_issue(invoice=invoice, reason="Resto", amount=rest)

    assert last.total == rest
    assert first.total + last.total == invoice.total
    _lines_add_up(first)
    _lines_add_up(last)


def test_the_refusal_names_what_was_asked_plus_the_earlier_notes():
    invoice = make_invoice(lines=[("A", Money("100000", "COP"))], issue=True)
    credit_note_issue(invoice=invoice, reason="Descuento", amount=Money("1000.01", "COP"))
    asked = Money("118000.00", "COP")

    with pytest.raises(CreditNoteExceedsInvoice) as refused:
        credit_note_issue(invoice=invoice, reason="Demasiado", amount=asked)

    assert refused.value.params == {
        "credited": Money("1000.01", "COP") + asked,
        "total": Money("119000", "COP"),
    }
    assert refused.value.field == "amount"
    assert invoice.credit_notes.count() == 1


def test_a_multi_line_invoice_is_credited_to_the_cent():
    # Two lines whose taxes each round down to nothing: the invoice's total (0.05) is no single
    # line's total at 10 % (0.04 -> 0.04, 0.05 -> 0.06).
    invoice = make_invoice(
        make_customer(currency="USD"),
        lines=[("A", Money("0.01", "USD")), ("B", Money("0.04", "USD"))],
        tax_rate=Decimal("10"),
        issue=True,
    )
    assert invoice.total == Money("0.05", "USD")

    note = credit_note_issue(invoice=invoice, reason="Todo", amount=invoice.total)

    assert note.total == invoice.total
    _lines_add_up(note)
