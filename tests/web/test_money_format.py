"""One money format per language, whoever's amount it is: the currency's code and the number
as the language writes it ("USD 1.000,00", "COP 143.871" in Spanish; "USD 1,000.00", "COP
143,871" in English), on finance's pages (a row and the total of its currency alike), the
portal, the invoice PDF and the mail. The buyer's country used to choose CLDR's symbol, so
finance's list wrote a Venezuelan's dollars "USD 1.000,00", a Mexican's "USD 1,234.50" and
their total "US$ 2.234,50"."""

import re
import subprocess
from decimal import Decimal

import pytest
from django.core import mail
from djmoney.money import Money

from billing.documents.store import invoice_pdf_get
from billing.services.transfers import transfer_report
from contracts.services import customer_today
from tests.billing.transfer_files import pdf_bytes
from tests.clients import signed_in
from tests.factories import (
    make_contact,
    make_customer,
    make_finance_user,
    make_invoice,
    make_portal_user,
    make_staff_user,
)

pytestmark = pytest.mark.django_db

CODES = "USD|COP|EUR|MXN|VES|ARS|PEN|CLP"
# Anything that marks a number as money: a code or one of CLDR's symbols before it.
MONEY_MARKED = re.compile(rf"(?:US\$|MX\$|Bs\.S|S/|\$|\b(?:{CODES}))[ \u00a0]*-?\d[\d.,]*")
ONE_FORM = {
    "es": re.compile(r"(USD -?\d{1,3}(\.\d{3})*,\d{2}|COP -?\d{1,3}(\.\d{3})*(,\d{2})?)"),
    "en": re.compile(r"(USD -?\d{1,3}(,\d{3})*\.\d{2}|COP -?\d{1,3}(,\d{3})*(\.\d{2})?)"),
}
SHOWN = {
    "es": {"ve": "USD 1.000,00", "mx": "USD 1.234,50", "usd": "USD 2.234,50", "co": "COP 143.871"},
    "en": {"ve": "USD 1,000.00", "mx": "USD 1,234.50", "usd": "USD 2,234.50", "co": "COP 143,871"},
}


def amounts_in(text: str) -> list[str]:
    return [match.group().rstrip(".,") for match in MONEY_MARKED.finditer(text)]


def assert_one_form(text: str, language: str, where: str) -> list[str]:
    found = amounts_in(text)
    assert found, where
    for amount in found:
        assert ONE_FORM[language].fullmatch(amount), f"{where}: {amount!r}"
    return found


def cells(html: str) -> str:
    """What a reader sees, each element's text apart (a table's cells never run together)."""
    html = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", "|", html)


def pdf_text(path) -> str:
    with path.open("rb") as pdf:
        return subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.read(), capture_output=True, check=True
        ).stdout.decode()


@pytest.fixture
def books(settings, tmp_path, django_capture_on_commit_callbacks):
    """Three customers of three countries, two currencies; each invoice mailed on issue."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"

    def customers(language: str) -> dict:
        made = {
            "ve": make_customer(
                legal_name="Caribe Digital C.A.",
                country="VE",
                currency="USD",
                time_zone="America/Caracas",
                language=language,
            ),
            "mx": make_customer(
                legal_name="Tacubaya Sistemas S.A.",
                country="MX",
                currency="USD",
                time_zone="America/Mexico_City",
                language=language,
            ),
            "co": make_customer(legal_name="Andina S.A.S.", country="CO", language=language),
        }
        with django_capture_on_commit_callbacks(execute=True):
            invoices = {
                "ve": make_invoice(
                    made["ve"],
                    lines=[("Soporte", Money("1000", "USD"))],
                    tax_rate=Decimal("0"),
                    issue=True,
                ),
                "mx": make_invoice(
                    made["mx"],
                    lines=[("Soporte", Money("1234.50", "USD"))],
                    tax_rate=Decimal("0"),
                    issue=True,
                ),
                "co": make_invoice(
                    made["co"], lines=[("Soporte", Money("120900", "COP"))], issue=True
                ),
            }
        transfer_report(
            customer=made["ve"],
            by=make_portal_user(make_contact(made["ve"]), username="pagos-ve"),
            amount=Money("1000", "USD"),
            transferred_on=customer_today(made["ve"]),
            reference="REF-VE",
            filename="recibo.pdf",
            content=pdf_bytes(),
            invoice=invoices["ve"],
        )
        return {"customers": made, "invoices": invoices}

    return customers


@pytest.mark.parametrize("language", ["es", "en"])
def test_totals_and_rows_write_money_in_one_form_per_language(books, language):
    made = books(language)
    invoices, shown = made["invoices"], SHOWN[language]
    finance = signed_in(make_finance_user(username="finanzas"), language)

    # a customer's row and the total of its currency, the same amount, written alike
    page = finance.get("/workspace/finance/invoices/", {"customer": "Caribe Digital"})
    (totals,) = re.findall(r'<tr data-testid="totals-USD">.*?</tr>', page.content.decode(), re.S)
    (row,) = re.findall(r'<tr data-testid="invoice-row">.*?</tr>', page.content.decode(), re.S)
    assert shown["ve"] in cells(totals).split("|")
    assert invoices["ve"].display_number in row
    assert shown["ve"] in cells(row).split("|")

    # every finance page: each amount in the one form
    everything = cells(finance.get("/workspace/finance/invoices/").content.decode())
    assert {shown["ve"], shown["mx"], shown["usd"], shown["co"]} <= set(
        assert_one_form(everything, language, "invoices")
    )
    for url in (
        *(f"/workspace/finance/invoices/{invoice.pk}/" for invoice in invoices.values()),
        "/workspace/finance/ageing/",
        "/workspace/finance/transfers/",
    ):
        assert_one_form(cells(finance.get(url).content.decode()), language, url)
    ageing = cells(finance.get("/workspace/finance/ageing/").content.decode())
    assert shown["usd"] in ageing
    assert shown["ve"] in ageing

    # the portal of each customer
    for key in ("ve", "mx", "co"):
        contact = make_contact(made["customers"][key])
        portal = signed_in(make_portal_user(contact, username=f"portal-{key}"), language)
        for url in ("/portal/invoices/", "/portal/transfers/"):
            text = cells(portal.get(url).content.decode())
            if key == "ve" or url == "/portal/invoices/":
                assert shown[key] in assert_one_form(text, language, f"{key} {url}")

    # the PDF and the mail each customer got, in their language
    for key, invoice in invoices.items():
        assert shown[key] in assert_one_form(
            pdf_text(invoice_pdf_get(invoice=invoice)), language, f"{key} pdf"
        )
        (issued,) = [
            message
            for message in mail.outbox
            if message.to == [made["customers"][key].billing_email]
            and invoice.display_number in message.subject
        ]
        assert shown[key] in assert_one_form(issued.body, language, f"{key} mail")


@pytest.mark.parametrize(
    ("language", "expected"), [("es", "COP 1.071.000"), ("en", "COP 1,071,000")]
)
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
    assert expected in pdf_text(invoice_pdf_get(invoice=invoice))


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_admin_writes_money_in_the_same_form(db, language):
    """The admin's list columns and read-only fields too: djmoney's own display wrote a
    dollar "1.000,00 US$" in Spanish."""
    customer = make_customer(country="VE", currency="USD", language=language)
    invoice = make_invoice(customer, lines=[("Soporte", Money("1000", "USD"))], tax_rate=0)
    admin = signed_in(make_staff_user(username="raiz"), language)
    shown = SHOWN[language]["ve"]
    for url in ("/admin/billing/invoice/", f"/admin/billing/invoice/{invoice.pk}/change/"):
        page = admin.get(url)
        assert page.status_code == 200
        text = cells(page.content.decode())
        assert "US$" not in text, url
        assert shown in assert_one_form(text, language, url)
