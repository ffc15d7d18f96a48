"""A payment on the customer page's timeline is written as the customer's invoices write it
("COP 119.000", "COP 119,000"), where it said "COP119,000.00" or "119.000,00 COP"."""

import pytest
from django.utils import translation

from billing.models import Payment
from billing.selectors import invoice_amount_due
from billing.services import payment_record
from contracts.services import customer_today
from core.formatting import money_text
from creditdesk.web.customers import customer_timeline
from tests.factories import make_contract, make_invoice

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "written"), [("es", "COP 119.000"), ("en", "COP 119,000")])
def test_a_payment_is_written_as_the_invoices_write_it(language, written):
    contract = make_contract()
    invoice = make_invoice(contract.customer, contract=contract, issue=True)
    amount = invoice_amount_due(invoice)
    payment_record(
        customer=contract.customer,
        amount=amount,
        provider=Payment.Provider.BANK_TRANSFER,
        provider_ref="TRF-7",
        received_on=customer_today(contract.customer),
        invoice=invoice,
    )
    with translation.override(language):
        [item] = [i for i in customer_timeline(customer=contract.customer) if i.kind == "payment"]
        label = str(item.label)
    assert money_text(amount, language=language) == written
    assert written in label
