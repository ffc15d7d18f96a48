"""Renders finished snapshots to PDF with WeasyPrint; nothing here reads or writes the database.

`invoice_pdf_bytes` turns an `InvoiceSnapshot` (billing.documents.snapshot) into the bytes of
its PDF, in Spanish or English. Labels differ by language; the amounts follow the locale of the
language and the buyer's country (core.formatting); the total in words is always
Spanish, as Latin American invoices print it. Storing, serving and verifying PDFs is
`billing.documents.store`.
"""

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from djmoney.money import Money

from billing.documents.snapshot import InvoiceSnapshot
from billing.documents.words import amount_in_words
from core.formatting import (
    display_digits,
    document_locale,
    format_date,
    format_money,
    format_number,
)
from core.languages import language_code

# WeasyPrint logs every layout step of every page at INFO; a batch of invoices would bury
# the log. Its warnings (a missing font, an unreadable image) still show.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

INVOICE_LABELS = {
    "es": {
        "invoice": "Factura de venta",
        "credit_note": "Nota crédito",
        "number": "Número",
        "issued_on": "Fecha de emisión",
        "due_on": "Vencimiento",
        "period": "Periodo",
        "period_to": "a",
        "buyer": "Cliente",
        "tax_id": "Identificación tributaria",
        "email": "Correo",
        "tax_exempt": "Cliente exento de impuestos",
        "corrects": "Corrige la factura {number} del {date}.",
        "reason": "Motivo",
        "position": "#",
        "description": "Descripción",
        "quantity": "Cant.",
        "unit_price": "Precio unitario",
        "tax_rate": "Imp. %",
        "subtotal": "Base",
        "line_total": "Total",
        "total_subtotal": "Subtotal",
        "total_tax": "Impuesto {rate} % sobre {base}",
        "total": "Total",
        "words": "Son",
        "payment": "Instrucciones de pago",
        "verification": "Verificación",
        "verification_hint": "Compruebe que este documento corresponde a la factura emitida "
        "con su número y este código.",
        "page": "Página",
        "of": "de",
    },
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "number": "Number",
        "issued_on": "Issue date",
        "due_on": "Due date",
        "period": "Period",
        "period_to": "to",
        "buyer": "Bill to",
        "tax_id": "Tax id",
        "email": "Email",
        "tax_exempt": "Tax-exempt customer",
        "corrects": "Corrects invoice {number} of {date}.",
        "reason": "Reason",
        "position": "#",
        "description": "Description",
        "quantity": "Qty",
        "unit_price": "Unit price",
        "tax_rate": "Tax %",
        "subtotal": "Base",
        "line_total": "Total",
        "total_subtotal": "Subtotal",
        "total_tax": "Tax {rate} % on {base}",
        "total": "Total",
        "words": "Amount in words (Spanish)",
        "payment": "Payment instructions",
        "verification": "Verification",
        "verification_hint": "Check that this document matches the issued invoice with its "
        "number and this code.",
        "page": "Page",
        "of": "of",
    },
}

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"


@dataclass(frozen=True)
class SellerProfile:
    legal_name: str
    tax_id: str
    address: str
    logo_url: str
    payment_instructions: str


def seller_profile() -> SellerProfile:
    """The seller from settings (SELLER_*); a logo path that does not exist prints no logo."""
    logo = Path(settings.SELLER_LOGO) if settings.SELLER_LOGO else None
    return SellerProfile(
        legal_name=settings.SELLER_LEGAL_NAME,
        tax_id=settings.SELLER_TAX_ID,
        address=settings.SELLER_ADDRESS,
        logo_url=logo.resolve().as_uri() if logo and logo.is_file() else "",
        payment_instructions=settings.SELLER_PAYMENT_INSTRUCTIONS,
    )


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint alone; relative URLs resolve inside `templates/`. Every PDF Creditdesk
    prints goes through here."""
    # Imported on first use: loading WeasyPrint and its fonts costs about 1.6 s of CPU, paid
    # otherwise by every web worker, task worker and command, most of which print nothing.
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf()
    return pdf


def invoice_html(
    snapshot: InvoiceSnapshot, *, language: str, seller: SellerProfile | None = None
) -> str:
    language = language_code(language)
    labels = INVOICE_LABELS[language]
    # Money has one form per language (core.formatting); the other numbers follow it.
    locale = document_locale(language)
    digits = display_digits(snapshot.currency, snapshot.amounts())

    def money(amount: Money) -> str:
        return format_money(amount, language=language, digits=digits)

    def day(value: date | None) -> str:
        return format_date(value, locale=locale)

    lines = [
        {
            "position": line.position,
            "description": line.description,
            "quantity": format_number(line.quantity, locale=locale),
            "unit_price": money(line.unit_price),
            "tax_rate": format_number(line.tax_rate, locale=locale),
            "subtotal": money(line.subtotal),
            "total": money(line.total),
        }
        for line in snapshot.lines
    ]
    taxes = [
        {
            "label": labels["total_tax"].format(
                rate=format_number(summary.rate, locale=locale), base=money(summary.base)
            ),
            "amount": money(summary.tax),
        }
        for summary in snapshot.taxes
    ]
    context = {
        "language": language,
        "labels": labels,
        "seller": seller or seller_profile(),
        "invoice": snapshot,
        "title": labels["credit_note" if snapshot.is_credit_note else "invoice"],
        "issued_on": day(snapshot.issued_on),
        "due_on": "" if snapshot.is_credit_note else day(snapshot.due_on),
        "period": (
            f"{day(snapshot.period_start)} {labels['period_to']} {day(snapshot.period_end)}"
            if snapshot.period_start and snapshot.period_end
            else ""
        ),
        "corrects": (
            labels["corrects"].format(
                number=snapshot.corrects_number, date=day(snapshot.corrects_issued_on)
            )
            if snapshot.is_credit_note
            else ""
        ),
        "lines": lines,
        "taxes": taxes,
        "subtotal": money(snapshot.subtotal),
        "tax": money(snapshot.tax),
        "total": money(snapshot.total),
        "total_in_words": amount_in_words(snapshot.total),
        "short_hash": snapshot.short_hash,
    }
    return render_to_string("billing/invoice.html", context)


def invoice_pdf_bytes(
    snapshot: InvoiceSnapshot, *, language: str, seller: SellerProfile | None = None
) -> bytes:
    """The PDF of an issued invoice or credit note, in `language` ("es" or "en")."""
    return html_to_pdf(invoice_html(snapshot, language=language, seller=seller))
