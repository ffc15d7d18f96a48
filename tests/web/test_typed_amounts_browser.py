"""In Chromium: finance types an invoice's amount into "Importe recibido" as the page writes
it ("143.871,00"), which the number box refused before anything reached the server, and the
invoice is paid; nonsense is refused on the field, naming it."""

import pytest
from djmoney.money import Money
from playwright.sync_api import expect

from billing.models import Invoice, Payment
from tests.factories import make_customer, make_finance_user, make_invoice
from tests.web.conftest import PASSWORD
from tests.web.test_browser import (  # noqa: F401  (the browser fixture)
    assert_accessible,
    browser,
    log_in,
    new_page,
)


@pytest.mark.django_db(transaction=True)
def test_finance_types_the_amount_as_the_page_writes_it(browser, live_server):  # noqa: F811
    customer = make_customer(legal_name="Hotel Andino S.A.S.", country="CO")
    invoice = make_invoice(customer, lines=[("Soporte", Money("120900", "COP"))], issue=True)
    make_finance_user(username="finanzas", password=PASSWORD)
    page = new_page(browser)
    log_in(page, live_server.url, "finanzas")
    page.goto(f"{live_server.url}/workspace/finance/invoices/{invoice.pk}/")
    amount = page.get_by_label("Importe recibido")
    expect(amount).to_have_value("143.871")  # as "COP 143.871" beside it

    # nonsense is refused on the field, in words naming it
    amount.fill("143,871,0")
    page.get_by_label("Referencia bancaria o recibo").fill("TRF-1")
    page.get_by_role("button", name="Registrar pago").click()
    expect(page.get_by_text("Importe recibido: «143,871,0» no es válido")).to_be_visible()
    assert_accessible(page)
    assert not Payment.objects.exists()

    # the amount as the page writes it, cents and all, pays the invoice
    page.get_by_label("Importe recibido").fill("143.871,00")
    page.get_by_label("Referencia bancaria o recibo").fill("TRF-1")
    page.get_by_role("button", name="Registrar pago").click()
    expect(page.locator(".alert.success")).to_be_visible()
    assert Payment.objects.get(provider_ref="TRF-1").amount == Money("143871", "COP")
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID
