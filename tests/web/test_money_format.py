"""One money format per language: the portal prints an amount exactly as the invoice PDF
does (the PDF's own formatter), for a Colombian reader in Spanish and in English."""

import subprocess

import pytest
from djmoney.money import Money

from billing.documents.store import invoice_pdf_get
from tests.factories import make_contact, make_customer, make_invoice, make_portal_user


@pytest.mark.parametrize(("language", "expected"), [("es", "$ 1.071.000"), ("en", "COP 1,071,000")])
def test_the_portal_and_the_pdf_print_the_same_total(client, db, language, expected):
    customer = make_customer(country="CO", language=language)
    invoice = make_invoice(
        customer, lines=[("Paquete 10 horas", Money("900000", "COP"))], issue=True
    )
    assert invoice.total == Money("1071000", "COP")
    client.force_login(make_portal_user(make_contact(customer), username="pagos"))
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    page = client.get("/portal/invoices/").content.decode()
    assert expected in page
    with invoice_pdf_get(invoice=invoice).open("rb") as pdf:
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.read(), capture_output=True, check=True
        ).stdout.decode()
    assert expected in text
