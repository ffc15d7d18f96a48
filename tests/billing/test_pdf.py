"""Invoice and credit note PDFs: real WeasyPrint renderings read back with pypdf.

Rendering costs 0.2-0.7 s a page here, so the documents every test reads are rendered once
per module (`rendered`), inside a transaction that is rolled back afterwards.
"""

import importlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import transaction
from djmoney.money import Money
from pypdf import PdfReader

from billing.documents.snapshot import InvoiceSnapshot, invoice_snapshot, invoices_for_snapshot
from billing.documents.words import amount_in_words, number_to_words
from billing.pdf import invoice_pdf_bytes
from billing.services import credit_note_issue
from core.formatting import display_digits, format_money
from tests.factories import make_customer, make_invoice

_seed = importlib.import_module("billing.migrations.0002_seed_tax_rates_and_series")

# Every test may read the module's renderings; the mark also makes pytest-django create the
# test database before the module-scoped fixture uses it.
pytestmark = pytest.mark.django_db


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


# --- amounts in words -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "cero"),
        (1, "uno"),
        (16, "dieciséis"),
        (21, "veintiuno"),
        (22, "veintidós"),
        (31, "treinta y uno"),
        (100, "cien"),
        (101, "ciento uno"),
        (500, "quinientos"),
        (1000, "mil"),
        (1001, "mil uno"),
        (21000, "veintiún mil"),
        (31000, "treinta y un mil"),
        (100000, "cien mil"),
        (120900, "ciento veinte mil novecientos"),
        (1_000_000, "un millón"),
        (1_000_001, "un millón uno"),
        (2_500_000, "dos millones quinientos mil"),
        (21_000_000, "veintiún millones"),
        (1_000_000_000, "mil millones"),
        (1_000_000_000_000, "un billón"),
        (
            987_654_321,
            "novecientos ochenta y siete millones seiscientos cincuenta y cuatro mil "
            "trescientos veintiuno",
        ),
    ],
)
def test_number_to_words(number, words):
    assert number_to_words(number) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (Money("120900", "COP"), "ciento veinte mil novecientos pesos"),
        (Money("1", "COP"), "un peso"),
        (Money("21", "COP"), "veintiún pesos"),
        (Money("121", "COP"), "ciento veintiún pesos"),
        (Money("1000000", "COP"), "un millón de pesos"),
        (Money("3000000", "COP"), "tres millones de pesos"),
        (Money("1000100", "COP"), "un millón cien pesos"),
        (Money("143871.00", "COP"), "ciento cuarenta y tres mil ochocientos setenta y un pesos"),
        (Money("1234.50", "USD"), "mil doscientos treinta y cuatro dólares con 50/100"),
        (Money("1.05", "USD"), "un dólar con 05/100"),
        (Money("0.99", "USD"), "cero dólares con 99/100"),
        (Money("2000000.10", "VES"), "dos millones de bolívares con 10/100"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(amount) == words


def test_amount_in_words_refuses_negative_and_huge_amounts():
    with pytest.raises(ValueError, match="negative"):
        amount_in_words(Money("-1", "COP"))
    with pytest.raises(ValueError, match="outside"):
        number_to_words(10**18)


# --- money for the locale ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "language", "text"),
    [
        (Money("120900", "COP"), "es", "COP 120.900"),
        (Money("120900.50", "COP"), "es", "COP 120.900,50"),
        (Money("1234.5", "USD"), "es", "USD 1.234,50"),
        (Money("1234.5", "USD"), "en", "USD 1,234.50"),
        (Money("120900", "COP"), "en", "COP 120,900"),
    ],
)
def test_money_follows_the_language_alone(amount, language, text):
    digits = display_digits(str(amount.currency), [amount])

    assert format_money(amount, language=language, digits=digits) == text


def test_one_amount_with_cents_shows_cents_on_every_amount_of_the_document():
    amounts = [Money("120900", "COP"), Money("22971.33", "COP")]

    assert display_digits("COP", amounts) == 2
    assert display_digits("COP", amounts[:1]) == 0
    assert display_digits("USD", [Money("10", "USD")]) == 2


# --- rendered documents -----------------------------------------------------------------------


@dataclass
class Rendered:
    invoice: InvoiceSnapshot
    invoice_es: list[str]
    invoice_en: list[str]
    long: InvoiceSnapshot
    long_es: list[str]
    note: InvoiceSnapshot
    note_es: list[str]
    note_en: list[str]


LONG_LINES = 200


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker) -> Rendered:
    """Five PDFs rendered once: a COP invoice (es, en), a 200-line invoice (es), a USD credit
    note (es, en). The rows are rolled back; the snapshots and texts stay."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel("2026-12-03T15:00:00Z", tick=False),
        transaction.atomic(),
    ):
        _seed.seed(django_apps, None)
        buyer = make_customer(legal_name="Andina de Hosting S.A.S.", tax_id="900123456-7")
        invoice = make_invoice(
            buyer,
            lines=[
                ("Plan Nivel 3 - cuota mensual de noviembre", Money("120900", "COP")),
                ("Recargo por visita en sitio", Money("50000", "COP")),
            ],
            issue=True,
        )
        long = make_invoice(
            buyer,
            lines=[(f"Trabajo en ticket T-{n:04d}", Money("1000", "COP")) for n in range(1, 201)],
            issue=True,
        )
        dollars = make_customer(legal_name="Caribe Cloud Corp.", currency="USD", tax_exempt=True)
        paid = make_invoice(
            dollars, lines=[("Paquete de 20 créditos", Money("2000", "USD"))], issue=True
        )
        note = credit_note_issue(
            invoice=paid, reason="Paquete cobrado dos veces", amount=Money("1234.50", "USD")
        )
        snapshots = {
            obj.pk: invoice_snapshot(obj)
            for obj in invoices_for_snapshot().filter(pk__in=[invoice.pk, long.pk, note.pk])
        }
        result = Rendered(
            invoice=snapshots[invoice.pk],
            invoice_es=pages_text(invoice_pdf_bytes(snapshots[invoice.pk], language="es")),
            invoice_en=pages_text(invoice_pdf_bytes(snapshots[invoice.pk], language="en")),
            long=snapshots[long.pk],
            long_es=pages_text(invoice_pdf_bytes(snapshots[long.pk], language="es")),
            note=snapshots[note.pk],
            note_es=pages_text(invoice_pdf_bytes(snapshots[note.pk], language="es")),
            note_en=pages_text(invoice_pdf_bytes(snapshots[note.pk], language="en")),
        )
        transaction.set_rollback(True)
    return result


def test_the_invoice_shows_seller_buyer_number_lines_tax_and_totals(rendered, settings):
    (text,) = rendered.invoice_es
    number = rendered.invoice.number

    assert "Factura de venta" in text
    assert f"Número: {number}" in text
    assert "Fecha de emisión: 3 de diciembre de 2026" in text
    assert "Vencimiento: 18 de diciembre de 2026" in text
    assert settings.SELLER_LEGAL_NAME in text
    assert settings.SELLER_TAX_ID in text
    assert "Andina de Hosting S.A.S." in text
    assert "900123456-7" in text
    # the description column wraps beside the amounts' codes
    assert "Plan Nivel 3 - cuota mensual de noviembre" in " ".join(text.split())
    # 120.900 + 19 % = 143.871; 50.000 + 19 % = 59.500; tax 22.971 + 9.500 = 32.471.
    assert "COP 120.900" in text
    assert "COP 143.871" in text
    assert "Subtotal COP 170.900" in text
    assert "Impuesto 19 % sobre COP 170.900 COP 32.471" in text
    assert "Total COP 203.371" in text
    assert "Son: Doscientos tres mil trescientos setenta y un pesos" in text
    assert "Página 1 de 1" in text


def test_the_invoice_carries_its_verification_code(rendered):
    (text,) = rendered.invoice_es
    snapshot = rendered.invoice

    assert re.fullmatch(r"[0-9a-f]{16}", snapshot.short_hash)
    assert f"Verificación: {snapshot.number} {snapshot.short_hash}" in text


def test_english_and_spanish_differ_in_labels_only(rendered):
    # Words, not lines: the description column wraps where its width ends.
    spanish, english = (
        " ".join(text.split()) for (text,) in (rendered.invoice_es, rendered.invoice_en)
    )
    snapshot = rendered.invoice

    for same in (
        snapshot.number,
        snapshot.short_hash,
        "Andina de Hosting S.A.S.",
        "900123456-7",
        "Plan Nivel 3 - cuota mensual de noviembre",
        "Doscientos tres mil trescientos setenta y un pesos",
    ):
        assert same in spanish
        assert same in english
    assert "Invoice" in english
    assert "Factura de venta" not in english
    assert "Issue date: 3 December 2026" in english
    assert "Total COP 203,371" in english
    assert "Tax 19 % on COP 170,900 COP 32,471" in english
    assert "Amount in words (Spanish): Doscientos tres mil" in english
    assert "Page 1 of 1" in english
    assert "Página" not in english


def test_a_long_invoice_paginates_with_numbers_and_the_header_on_every_page(rendered):
    pages = rendered.long_es
    count = len(pages)

    assert count > 1
    with_lines = [text for text in pages if "Trabajo en ticket" in text]
    assert len(with_lines) > 1
    for text in with_lines:
        assert "# Descripción Cant. Precio unitario Imp. % Base Total" in text
    for index, text in enumerate(pages, start=1):
        assert f"Página {index} de {count}" in text
    every_line = "\n".join(pages)
    for n in (1, 100, LONG_LINES):
        assert f"Trabajo en ticket T-{n:04d}" in every_line
    assert "Total COP 238.000" in pages[-1]
    assert "Total COP 238.000" not in pages[0]


def test_a_credit_note_names_the_invoice_it_corrects(rendered):
    (spanish,) = rendered.note_es
    (english,) = rendered.note_en
    note = rendered.note

    assert note.corrects_number
    assert "Nota crédito" in spanish
    assert f"Corrige la factura {note.corrects_number} del 3 de diciembre de 2026." in spanish
    assert "Motivo: Paquete cobrado dos veces" in spanish
    assert "Cliente exento de impuestos" in spanish
    assert "Total USD 1.234,50" in spanish
    assert "Son: Mil doscientos treinta y cuatro dólares con 50/100" in spanish
    assert "Vencimiento" not in spanish
    assert "Instrucciones de pago" not in spanish
    assert f"Corrects invoice {note.corrects_number} of 3 December 2026." in english
    assert "Total USD 1,234.50" in english


def test_the_content_hash_changes_with_any_printed_value_and_not_with_the_language(rendered):
    from dataclasses import replace

    snapshot = rendered.invoice
    changed_total = replace(snapshot, total=snapshot.total + Money("1", "COP"))
    changed_buyer = replace(snapshot, buyer_tax_id="900123456-8")
    other_language = replace(snapshot, customer_language="en")

    assert changed_total.content_hash != snapshot.content_hash
    assert changed_buyer.content_hash != snapshot.content_hash
    assert other_language.content_hash == snapshot.content_hash


def test_tax_is_summed_per_rate(rendered):
    assert [(t.rate, t.base, t.tax) for t in rendered.invoice.taxes] == [
        (Decimal("19.00"), Money("170900", "COP"), Money("32471", "COP"))
    ]
