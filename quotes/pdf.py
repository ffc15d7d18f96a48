"""A quote as a PDF, in Spanish or English, rendered like invoices (WeasyPrint through
`billing.pdf.html_to_pdf`, the seller from `billing.pdf.seller_profile`, the document base
template). Reads the quote and its lines; writes nothing: the mail task renders it when it
sends, so a quote's PDF always shows the quote as it was sent (sent quotes never change)."""

from datetime import date

from django.template.loader import render_to_string
from djmoney.money import Money

from billing.pdf import INVOICE_LABELS, html_to_pdf, seller_profile
from core.formatting import (
    display_digits,
    document_locale,
    format_credits,
    format_date,
    format_money,
    format_number,
)
from core.languages import language_code
from quotes.models import Quote

LABELS = {
    "es": {
        "title": "Presupuesto",
        "number": "Número",
        "sent_on": "Fecha",
        "valid_until": "Válido hasta",
        "ticket": "Solicitud",
        "customer": "Cliente",
        "tax_id": "Identificación tributaria",
        "position": "#",
        "description": "Descripción",
        "quantity": "Cant.",
        "unit_price": "Precio unitario",
        "tax_rate": "Imp. %",
        "subtotal": "Base",
        "line_total": "Total",
        "credits": "Créditos",
        "total_subtotal": "Subtotal",
        "total_tax": "Impuesto",
        "total": "Total",
        "total_credits": "Total en créditos",
        "terms": "Condiciones",
        "how": "Acepte o rechace este presupuesto en el portal antes de la fecha de validez.",
        "credits_note": "Al aceptarlo, estos créditos quedan reservados para la solicitud y "
        "el trabajo se cobra contra ellos.",
    },
    "en": {
        "title": "Quote",
        "number": "Number",
        "sent_on": "Date",
        "valid_until": "Valid until",
        "ticket": "Request",
        "customer": "Customer",
        "tax_id": "Tax id",
        "position": "#",
        "description": "Description",
        "quantity": "Qty",
        "unit_price": "Unit price",
        "tax_rate": "Tax %",
        "subtotal": "Base",
        "line_total": "Total",
        "credits": "Credits",
        "total_subtotal": "Subtotal",
        "total_tax": "Tax",
        "total": "Total",
        "total_credits": "Total in credits",
        "terms": "Terms",
        "how": "Accept or reject this quote in the portal before its validity date.",
        "credits_note": "Once accepted, these credits are held for the request and the work "
        "is charged against them.",
    },
}


def _page_labels(language: str) -> dict[str, str]:
    """The words of the document base template's footer ("Página 1 de 2"), taken from the
    invoice's labels so that every document printed through that template numbers its pages
    in the same words."""
    return {key: INVOICE_LABELS[language][key] for key in ("page", "of")}


def quote_html(quote: Quote, *, language: str) -> str:
    language = language_code(language)
    customer = quote.customer
    # Money has one form per language (core.formatting); the other numbers follow it.
    locale = document_locale(language)
    lines = list(quote.lines.all())
    digits = display_digits(quote.currency, [quote.total, *(line.total for line in lines)])

    def money(amount: Money) -> str:
        return format_money(amount, language=language, digits=digits)

    def day(value: date | None) -> str:
        return format_date(value, locale=locale)

    is_money = quote.kind == Quote.Kind.MONEY
    rows = [
        {
            "position": line.position,
            "description": line.description,
            "quantity": format_number(line.quantity, locale=locale),
            "unit_price": money(line.unit_price),
            "tax_rate": format_number(line.tax_rate, locale=locale),
            "subtotal": money(line.subtotal),
            "total": money(line.total),
            "credits": format_credits(line.credits, locale=locale),
        }
        for line in lines
    ]
    sent = quote.sent_at.astimezone(customer.time_zone_info).date() if quote.sent_at else None
    return render_to_string(
        "quotes/quote.html",
        {
            "language": language,
            "labels": LABELS[language] | _page_labels(language),
            "seller": seller_profile(),
            "quote": quote,
            "customer": customer,
            "number": quote.display_number,
            "sent_on": day(sent),
            "valid_until": day(quote.valid_until),
            "is_money": is_money,
            "lines": rows,
            "subtotal": money(quote.subtotal),
            "tax": money(quote.tax),
            "total": money(quote.total),
            "credits": format_credits(quote.credits, locale=locale),
        },
    )


def quote_pdf_bytes(quote: Quote, *, language: str) -> bytes:
    return html_to_pdf(quote_html(quote, language=language))


def quote_pdf_filename(quote: Quote, *, language: str) -> str:
    word = "presupuesto" if language_code(language) == "es" else "quote"
    return f"{word}-{quote.display_number or quote.pk}.pdf"
