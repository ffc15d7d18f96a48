"""Finance's story in a real browser (Chromium through Playwright): it lands on its invoices,
bills last month from a page and watches the run finish, runs it again (nothing new), opens
the new invoice, downloads its PDF and reads it back, records the bank transfer that pays it
and issues a credit note, records a transfer that pays part of an old invoice, reviews one of
more than the rest (told why it cannot be applied, and not offered it again), looks at the
receivables ageing and downloads the export. Every page is checked with axe-core, at 390 px
and in both languages, with screenshots."""

import csv
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from djmoney.money import Money
from playwright.sync_api import expect
from pypdf import PdfReader

from billing.models import Invoice, Payment
from billing.services import period_last_over
from tests.factories import make_contract, make_customer, make_finance_user, make_invoice, make_plan
from tests.web.conftest import PASSWORD
from tests.web.test_browser import (  # noqa: F401  (the browser fixture)
    assert_accessible,
    assert_fits_phone,
    browser,
    log_in,
    new_page,
    shot,
)


def _check(page, name: str) -> None:
    """axe-core clean, nothing cut at 390 px; screenshots at full width and at 390 px."""
    assert_accessible(page)
    shot(page, f"finance-{name}")
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
    shot(page, f"finance-{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.django_db(transaction=True)
def test_finance_bills_the_month_and_works_its_invoices(
    browser,  # noqa: F811  (the fixture imported above)
    live_server,
    db_tasks,
):
    # given a customer on Nivel 2 (COP 120.900 a month) and an invoice unpaid since August
    customer = make_customer(legal_name="Hotel Andino S.A.S.")
    make_contract(customer, make_plan(name="Nivel 2", monthly_fee=Money("120900", "COP")))
    late = make_customer(legal_name="Sabana Hosting Ltda.")
    with time_machine.travel("2026-08-03T15:00:00Z", tick=False):  # then back to now
        old = make_invoice(late, lines=[("Soporte julio", Money("50000", "COP"))], issue=True)
    make_finance_user(username="finanzas", password=PASSWORD)
    month = str(period_last_over())  # what the run accepts now
    base = live_server.url
    page = new_page(browser)

    # finance lands on its invoices, with its pages in the navigation
    log_in(page, base, "finanzas")
    expect(page).to_have_url(re.compile(r"/workspace/finance/invoices/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Facturas y notas crédito")
    nav = page.get_by_role("navigation", name="Principal")
    for label in ("Facturas", "Facturación mensual", "Cartera por edades", "Exportación contable"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()

    # it bills last month from a page; the run waits for a worker, then finishes
    nav.get_by_role("link", name="Facturación mensual").click()
    expect(page.get_by_label("Mes a facturar")).to_have_value(month)
    page.get_by_role("button", name="Facturar el mes").click()
    expect(page.get_by_test_id("run-state")).to_contain_text("En cola")
    _check(page, "billing-run-queued-es")
    assert db_tasks() >= 1  # a worker takes the run
    expect(page.get_by_test_id("run-state")).to_contain_text("Terminada", timeout=20_000)
    expect(page.get_by_test_id("run-state")).to_contain_text("(UTC).")  # the zone named
    expect(page.get_by_test_id("run-issued")).to_have_text("1")
    # once finished the page reloads, so the list of runs shows it too
    expect(page.get_by_test_id("past-run").first).not_to_contain_text("—")
    _check(page, "billing-run-done-es")
    # running it again issues nothing new
    page.get_by_role("button", name="Facturar el mes").click()
    expect(page.get_by_test_id("run-state")).to_contain_text("En cola")
    assert db_tasks() >= 1
    expect(page.get_by_test_id("run-already")).to_have_text("1", timeout=20_000)
    expect(page.get_by_test_id("run-issued")).to_have_text("1")
    monthly = Invoice.objects.get(source=Invoice.Source.MONTHLY)
    assert monthly.customer == customer

    # it opens the new invoice and downloads its PDF
    nav.get_by_role("link", name="Facturas", exact=True).click()
    page.get_by_label("Cliente").fill("Andino")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.get_by_test_id("invoice-row")).to_have_count(1)
    expect(page.get_by_test_id("totals-COP")).to_contain_text("143.871")
    _check(page, "invoices-es")
    page.get_by_role("link", name=monthly.display_number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(monthly.display_number)
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Descargar {monthly.display_number} en PDF").click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert monthly.display_number in text
    assert "Hotel Andino S.A.S." in text

    # it records the transfer that pays it
    page.get_by_label("Referencia bancaria o recibo").fill("TRF-2026-1201")
    page.get_by_role("button", name="Registrar pago").click()
    expect(page.locator(".alert.success")).to_contain_text("la factura está pagada")
    expect(page.get_by_test_id("invoice-status")).to_have_text("Pagada")
    expect(page.get_by_test_id("payment-row")).to_contain_text("TRF-2026-1201")

    # and issues a credit note for part of it
    page.get_by_label("Motivo").first.fill("Descuento por la caída del 12")
    page.get_by_label("Importe con impuestos").first.fill("11900")
    page.get_by_role("button", name="Emitir nota crédito").click()
    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    expect(page.locator(".alert.success")).to_contain_text(
        f"Nota crédito {note.display_number} emitida."
    )
    expect(page.get_by_test_id("credit-notes")).to_contain_text(note.display_number)
    _check(page, "invoice-es")

    # a transfer short of the old invoice is applied; the rest stays due
    page.goto(f"{base}/workspace/finance/invoices/{old.pk}/")
    expect(page.get_by_test_id("amount-due")).to_have_text("COP 59.500")
    page.get_by_label("Importe recibido").fill("50000")
    page.get_by_label("Referencia bancaria o recibo").fill("TRF-CORTA")
    page.get_by_role("button", name="Registrar pago").click()
    expect(page.locator(".alert.success")).to_contain_text("quedan COP 9.500 por pagar")
    expect(page.get_by_test_id("amount-due")).to_have_text("COP 9.500")
    expect(page.get_by_test_id("amount-paid")).to_contain_text("COP 50.000")
    expect(page.get_by_test_id("invoice-status")).to_have_text("Emitida")
    # one of more than the rest needs review; confirmed, it says why and is not offered again
    page.get_by_label("Importe recibido").fill("20000")
    page.get_by_label("Referencia bancaria o recibo").fill("TRF-DE-MAS")
    page.get_by_role("button", name="Registrar pago").click()
    expect(page.locator(".alert.warning")).to_contain_text("requiere revisión")
    page.get_by_label("Nota de revisión").fill("Pagaron de más; se devuelve la transferencia")
    # beside "apply what is due and record the rest", its review says it applies nothing
    page.get_by_role("button", name="Marcar revisado, sin aplicar").click()
    expect(page.locator(".alert.warning")).to_contain_text("no se puede aplicar")
    expect(page.locator(".alert.warning")).to_contain_text("Mayor que lo pendiente")
    over = page.get_by_test_id("payment-row").filter(has_text="TRF-DE-MAS")
    expect(over).to_contain_text("revisado")
    expect(over.get_by_test_id("payment-unfit")).to_contain_text("Devuélvalo al cliente")
    expect(page.get_by_role("button", name="Marcar revisado, sin aplicar")).to_have_count(0)
    _check(page, "invoice-partly-paid-es")
    reviewed = Payment.objects.get(provider_ref="TRF-DE-MAS")
    assert reviewed.resolved_at is not None
    assert reviewed.applied_at is None

    # the ageing shows what is left of the old invoice over 90 days past due, and whose it is
    nav.get_by_role("link", name="Cartera por edades").click()
    expect(page.get_by_test_id("ageing-COP")).to_contain_text("9.500")
    expect(page.get_by_test_id("ageing-COP")).not_to_contain_text("59.500")
    expect(page.get_by_test_id("ageing-customer")).to_contain_text("Sabana Hosting Ltda.")
    _check(page, "ageing-es")

    # the export: a workspace page with date pickers; the CSV carries the month's documents
    nav.get_by_role("link", name="Exportación contable").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exportación contable")
    expect(page.locator("input[type=date][name=date_from]")).to_be_visible()
    expect(page.get_by_text("README")).to_have_count(0)
    page.get_by_label(re.compile(r"^Desde")).fill("2026-08-01")
    page.get_by_label(re.compile(r"^Hasta")).fill(timezone.localdate().isoformat())
    _check(page, "export-es")
    with page.expect_download() as download:
        page.get_by_role("button", name="Descargar").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    numbers = {row["number"] for row in rows if row["record"] == "invoice"}
    assert {monthly.display_number, note.display_number, old.display_number} <= numbers
    page.context.close()

    # the same pages in English
    page = new_page(browser)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    log_in(page, base, "finanzas")
    for name, path, heading in (
        ("invoices", "/workspace/finance/invoices/", "Invoices and credit notes"),
        ("invoice", f"/workspace/finance/invoices/{monthly.pk}/", monthly.display_number),
        ("billing-run", f"/workspace/finance/billing-run/?period={month}", "Monthly billing"),
        ("ageing", "/workspace/finance/ageing/", "Receivables ageing"),
        ("export", "/billing/finance-export/", "Accounting export"),
    ):
        page.goto(base + path)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        shot(page, f"finance-{name}-en-heading")  # looked at before the heading check
        if name == "billing-run":  # "Finished on 12/03/2026 9 a.m.." before
            expect(page.get_by_test_id("run-state")).to_contain_text("(UTC).")
            expect(page.get_by_test_id("run-state")).not_to_contain_text("..")
        _check(page, f"{name}-en")
        del heading  # the English catalogue is written by the integrator at the end
    page.context.close()
