"""An amount in a refusal is written as the reader's language writes it: Money's own str()
gave "COP119,000.01" inside a Spanish sentence."""

from decimal import Decimal

from djmoney.money import Money

from billing.exceptions import CreditNoteExceedsInvoice


def test_a_refusal_writes_its_amounts_in_each_language():
    refusal = CreditNoteExceedsInvoice(
        field="amount",
        credited=Money(Decimal("119000.01"), "COP"),
        total=Money(Decimal("119000"), "COP"),
    )
    assert refusal.message("es") == (
        "Las notas crédito sumarían COP 119.000,01, más que el total de la factura (COP 119.000)."
    )
    assert refusal.message("en") == (
        "Credit notes would add up to COP 119,000.01, more than the invoice total (COP 119,000)."
    )
