"""Finance gives money back, in a real browser (Chromium through Playwright), in Spanish and in
English: it records a bank transfer of more than an invoice's due, settles it ("Aplicar lo
pendiente y registrar la devolución del resto": what is due paid, the rest sent back, no credit
note), refunds part of another invoice's payment (with its credit note), and downloads the
finance export of the day, whose `refund` records carry both amounts returned, negative, against
the payments they return. Every page is checked with axe-core, at 390 px, with screenshots."""

import csv
import io
import re
from pathlib import Path

import pytest
from djmoney.money import Money
from playwright.sync_api import Page, expect

from billing.models import Invoice, Payment, Refund
from billing.services import payment_record
from contracts.services import customer_today
from tests.factories import make_contract, make_customer, make_finance_user, make_invoice
from tests.web.conftest import PASSWORD
from tests.web.test_browser import (  # noqa: F401  (the browser fixture)
    assert_accessible,
    assert_fits_phone,
    browser,
    log_in,
    new_page,
    shot,
)

WORDS = {
    "es": {
        "record": "Registrar pago",
        "amount": "Importe recibido",
        "reference": "Referencia bancaria o recibo",
        "review": "requiere revisión",
        "settle": "Aplicar lo pendiente y registrar la devolución del resto",
        "sent": "Envío los COP 31.000 al cliente",
        "settle_text": "COP 119.000 pagan lo pendiente de la factura; los COP 31.000 restantes",
        "settled": "Se registró la devolución de COP 31.000, sin nota crédito",
        "returned": "Devuelto sin aplicar COP 31.000",
        "payment": "Pago",
        "reason": "Motivo",
        "refund_amount": "Importe con impuestos",
        "refund": "Reembolsar",
        "refunded": "Reembolso de COP 50.000 registrado, con la nota crédito",
        "refundable": (
            "Reembolsable COP 238.000 · TRF-PAID-es",
            "Reembolsable COP 188.000 · TRF-PAID-es",
        ),
        "state": "Estado",
        "refund_row": "Reembolso COP 50.000",
        "refund_note": "COP 50.000",
        "export": "Exportación contable",
        "from": "Desde",
        "to": "Hasta",
        "download": "Descargar",
    },
    "en": {
        "record": "Record payment",
        "amount": "Amount received",
        "reference": "Bank reference or receipt",
        "review": "needs review",
        "settle": "Apply what is due and record the rest as returned",
        "sent": "I am sending the COP 31,000 to the customer",
        "settle_text": "COP 119,000 pays what is due on the invoice; the remaining COP 31,000",
        "settled": "COP 31,000 was recorded as returned, with no credit note",
        "returned": "Returned unapplied COP 31,000",
        "payment": "Payment",
        "reason": "Reason",
        "refund_amount": "Amount including tax",
        "refund": "Refund",
        "refunded": "Refund of COP 50,000 recorded with credit note",
        "refundable": (
            "Refundable COP 238,000 · TRF-PAID-en",
            "Refundable COP 188,000 · TRF-PAID-en",
        ),
        "state": "Status",
        "refund_row": "Refund COP 50,000",
        "refund_note": "COP 50,000",
        "export": "Finance export",
        "from": "From",
        "to": "To",
        "download": "Download",
    },
}


def _check(page: Page, name: str) -> None:
    """axe-core clean, nothing cut at 390 px; screenshots at full width and at 390 px."""
    assert_accessible(page)
    shot(page, f"refund-walk-{name}")
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
    shot(page, f"refund-walk-{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def _books(language: str) -> tuple[Invoice, Invoice, Payment]:
    """Two issued invoices of one customer: one unpaid (COP 119.000), one paid in full by a
    bank transfer (COP 238.000)."""
    customer = make_customer(legal_name=f"Hotel Andino {language.upper()} S.A.S.")
    contract = make_contract(customer)
    due = make_invoice(
        customer, contract=contract, lines=[("Cuota", Money("100000", "COP"))], issue=True
    )
    paid = make_invoice(
        customer,
        contract=contract,
        lines=[("Soporte en sitio", Money("200000", "COP"))],
        issue=True,
    )
    payment = payment_record(
        customer=customer,
        amount=Money("238000", "COP"),
        provider=Payment.Provider.BANK_TRANSFER,
        provider_ref=f"TRF-PAID-{language}",
        received_on=customer_today(customer),
        invoice=paid,
    )
    return due, paid, payment


def _walk(browser, base: str, language: str) -> None:  # noqa: F811
    words = WORDS[language]
    due, paid, paid_by = _books(language)
    page = new_page(browser)
    if language == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    log_in(page, base, "finanzas")

    # a transfer of COP 150.000 for an invoice of COP 119.000 is recorded, flagged for review
    page.goto(f"{base}/workspace/finance/invoices/{due.pk}/")
    page.get_by_label(words["amount"]).fill("150000")
    page.get_by_label(words["reference"]).fill(f"TRF-OVER-{language}")
    page.get_by_role("button", name=words["record"]).click()
    expect(page.locator(".alert.warning")).to_contain_text(words["review"])
    row = page.get_by_test_id("payment-row").filter(has_text=f"TRF-OVER-{language}")
    expect(row.get_by_test_id("payment-settle")).to_contain_text(words["settle_text"])
    # on a phone the state cell is named: its "Recibido" read as "Importe recibido" before
    expect(row.locator(f"td[data-label='{words['state']}']")).to_have_count(1)
    _check(page, f"overpaid-{language}")

    # settled: what is due applied, the rest sent back without a credit note
    row.get_by_label(words["sent"]).check()
    row.get_by_role("button", name=words["settle"]).click()
    expect(page.locator(".alert.success")).to_contain_text(words["settled"])
    row = page.get_by_test_id("payment-row").filter(has_text=f"TRF-OVER-{language}")
    expect(row).to_contain_text(words["returned"])
    _check(page, f"settled-{language}")
    over = Payment.objects.get(provider_ref=f"TRF-OVER-{language}")
    assert over.applied_amount == Money("119000", "COP")

    # part of the other invoice's payment is refunded, with its credit note
    page.goto(f"{base}/workspace/finance/invoices/{paid.pk}/")
    refund_form = page.locator("form[action$='/refund/']")
    # each payment offered says what may still be refunded of it
    expect(refund_form.get_by_label(words["payment"])).to_contain_text(words["refundable"][0])
    refund_form.get_by_label(words["payment"]).select_option(str(paid_by.pk))
    refund_form.get_by_label(words["reason"]).fill("Visita en sitio cobrada de más")
    refund_form.get_by_label(words["refund_amount"]).fill("50000")
    _check(page, f"refund-form-{language}")
    refund_form.get_by_role("button", name=words["refund"]).click()
    expect(page.locator(".alert.success")).to_contain_text(words["refunded"])
    row = page.get_by_test_id("payment-row").filter(has_text=f"TRF-PAID-{language}")
    expect(row).to_contain_text(words["refund_row"])
    expect(page.get_by_test_id("credit-notes")).to_contain_text(words["refund_note"])
    refund_form = page.locator("form[action$='/refund/']")
    expect(refund_form.get_by_label(words["payment"])).to_contain_text(words["refundable"][1])
    _check(page, f"refunded-{language}")

    # the export of the day carries both amounts returned as refund records
    page.goto(f"{base}/billing/finance-export/")
    expect(page.get_by_role("heading", level=1)).to_have_text(words["export"])
    today = customer_today(due.customer).isoformat()  # the day its documents bear
    page.get_by_label(re.compile(words["from"])).fill(today)
    page.get_by_label(re.compile(words["to"])).fill(today)
    _check(page, f"export-{language}")
    with page.expect_download() as download:
        page.get_by_role("button", name=words["download"]).click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    refunds = {
        (row["number"], row["payment_id"], row["payment_amount"], row["payment_reference"])
        for row in rows
        if row["record"] == "refund"
    }
    partial = Refund.objects.get(payment=paid_by)
    assert refunds >= {
        (due.display_number, str(over.pk), "-31000.00", ""),
        (paid.display_number, str(paid_by.pk), "-50000.00", partial.provider_ref or ""),
    }
    payments = {
        (row["payment_id"], row["payment_amount"]) for row in rows if row["record"] == "payment"
    }
    assert {(str(over.pk), "150000.00"), (str(paid_by.pk), "238000.00")} <= payments
    page.context.close()


@pytest.mark.django_db(transaction=True)
def test_finance_settles_an_overpayment_refunds_part_of_a_payment_and_exports_both(
    browser,  # noqa: F811  (the fixture imported above)
    live_server,
):
    make_finance_user(username="finanzas", password=PASSWORD)
    for language in ("es", "en"):
        _walk(browser, live_server.url, language)
