"""Finance's invoice page settles an overpayment: the flagged payment's row offers "Aplicar lo
pendiente y registrar la devolución del resto" with both amounts, beside its review; the button
pays the invoice and records the rest given back, with no credit note; a second submit returns
nothing more."""

import pytest
from django.test import Client
from djmoney.money import Money

from billing.models import Invoice, Payment, Refund
from billing.selectors import invoice_amount_due
from tests.billing.conftest import (
    bank_transfer,
    frozen_now,  # noqa: F401  (fixture)
)
from tests.factories import make_agent, make_contract, make_finance_user, make_invoice

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


# The settle form's box: finance sends the rest itself, Creditdesk only records it.
SENT = {"returned": "on"}


def cop(amount: str) -> Money:
    return Money(amount, "COP")


@pytest.fixture
def finance(client: Client):
    client.force_login(make_finance_user(username="finanzas"))
    return client


@pytest.fixture
def overpaid() -> tuple[Invoice, Payment]:
    contract = make_contract()
    invoice = make_invoice(
        contract.customer, contract=contract, lines=[("Cuota", cop("100000"))], issue=True
    )
    return invoice, bank_transfer(invoice, cop("150000"), "TRF-OVER")


def test_the_flagged_row_offers_to_apply_what_is_due_and_return_the_rest(finance, overpaid):
    invoice, over = overpaid
    page = f"/workspace/finance/invoices/{invoice.pk}/"

    shown = finance.get(page).text
    assert "Aplicar lo pendiente y registrar la devolución del resto" in shown
    assert "COP 119.000 pagan lo pendiente de la factura; los COP 31.000 restantes" in shown
    # finance may still review it to return all of it instead, and the button says so
    assert "Marcar revisado, sin aplicar" in shown
    assert "Confirmar pago" not in shown
    english = finance.get(page, HTTP_ACCEPT_LANGUAGE="en").text
    assert "Apply what is due and record the rest as returned" in english
    assert "COP 119,000 pays what is due on the invoice; the remaining COP 31,000" in english

    done = finance.post(f"/workspace/finance/payments/{over.pk}/settle/", SENT, follow=True)

    assert done.status_code == 200
    assert "la factura está pagada" in done.text
    assert "Se registró la devolución de COP 31.000, sin nota crédito" in done.text
    assert "envíesela al cliente" in done.text
    assert "Devuelto sin aplicar COP 31.000 (Hecho)" in done.text
    assert "Aplicado a la factura: COP 119.000" in done.text
    assert "Aplicar lo pendiente y registrar la devolución del resto" not in done.text
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice_amount_due(invoice) == cop("0")
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()
    # a second submit (the back button, a double click) returns nothing more
    finance.post(f"/workspace/finance/payments/{over.pk}/settle/", SENT, follow=True)
    assert Refund.objects.count() == 1


def test_settling_without_saying_the_rest_is_sent_records_nothing(finance, overpaid):
    invoice, over = overpaid

    refused = finance.post(f"/workspace/finance/payments/{over.pk}/settle/", follow=True)
    english = finance.post(
        f"/workspace/finance/payments/{over.pk}/settle/", follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "Marque que usted envía el resto al cliente" in refused.text
    assert "you send the rest to the customer" in english.text
    assert not Refund.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED


def test_a_payment_that_fits_is_refused_on_the_page_and_nothing_changes(finance, overpaid):
    invoice, _over = overpaid
    fitting = bank_transfer(invoice, cop("100000"), "TRF-FIT")

    refused = finance.post(f"/workspace/finance/payments/{fitting.pk}/settle/", SENT, follow=True)

    assert refused.status_code == 200
    assert "no se puede aplicar en parte y devolver el resto" in refused.text
    assert not Refund.objects.exists()


def test_only_finance_settles(client, overpaid):
    _invoice, over = overpaid
    client.force_login(make_agent())

    assert client.post(f"/workspace/finance/payments/{over.pk}/settle/", SENT).status_code == 403
    assert client.get(f"/workspace/finance/payments/{over.pk}/settle/").status_code in (403, 405)
    assert not Refund.objects.exists()
