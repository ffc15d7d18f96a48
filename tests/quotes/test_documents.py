"""A sent quote's PDF read back in both languages, and its mail: to the billing address and
each authorized contact in their language, the PDF in that language attached, once."""

import io

import pytest
from django.core import mail
from pypdf import PdfReader

from quotes.models import Quote
from quotes.notifications import send_quote
from quotes.pdf import quote_pdf_bytes
from quotes.services import quote_draft, quote_send
from tests.factories import make_contact
from tests.quotes.conftest import CREDIT_LINES, MONEY_LINES, in_days

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def sent(shop, ticket, kind=Quote.Kind.MONEY):
    quote = quote_draft(
        ticket=ticket,
        kind=kind,
        lines=MONEY_LINES if kind == Quote.Kind.MONEY else CREDIT_LINES,
        valid_until=in_days(15),
        terms="Pago del 50 % al aceptar.",
        by=shop.agent,
    )
    quote_send(quote, by=shop.agent)
    quote.refresh_from_db()
    return quote


def test_the_pdf_reads_back_in_spanish_and_english(shop, ticket):
    quote = sent(shop, ticket)
    spanish = pdf_text(quote_pdf_bytes(quote, language="es"))
    assert "Presupuesto" in spanish
    assert quote.display_number in spanish
    assert "Migración de buzones" in spanish
    assert "630.700,60" in spanish  # total with IVA, Colombian format
    assert "Pago del 50 % al aceptar." in spanish
    english = pdf_text(quote_pdf_bytes(quote, language="en"))
    assert "Quote" in english
    assert "Valid until" in english
    assert "630,700.60" in english


def test_the_pdf_numbers_its_pages_in_the_readers_language(shop, ticket):
    quote = sent(shop, ticket)
    assert "Página 1 de 1" in pdf_text(quote_pdf_bytes(quote, language="es"))
    english = pdf_text(quote_pdf_bytes(quote, language="en"))
    assert "Page 1 of 1" in english
    assert "Página" not in english


def test_a_credit_quote_pdf_shows_credits(shop, ticket):
    text = pdf_text(quote_pdf_bytes(sent(shop, ticket, Quote.Kind.CREDITS), language="es"))
    assert "Total en créditos" in text
    assert "6,00" in text


def test_the_mail_goes_to_each_recipient_in_their_language_with_the_pdf_once(
    shop, ticket, django_capture_on_commit_callbacks
):
    make_contact(shop.customer, email="it@hotel.example", language="en")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the task runs on commit
        quote = sent(shop, ticket)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {
        shop.customer.billing_email.lower(),
        "ana@hotel.example",
        "it@hotel.example",
    }
    english = by_address["it@hotel.example"]
    assert english.subject.startswith(f"Quote {quote.display_number}")
    assert "Accept or reject it in the portal" in english.body
    name, content, mimetype = english.attachments[0]
    assert (name, mimetype) == (f"quote-{quote.display_number}.pdf", "application/pdf")
    assert "Valid until" in pdf_text(content)
    spanish = by_address["ana@hotel.example"]
    assert spanish.subject.startswith(f"Presupuesto {quote.display_number}")
    assert "Acéptelo o recházelo en el portal" in spanish.body
    assert f"/portal/quotes/{quote.pk}/" in spanish.body
    assert "Válido hasta" in pdf_text(spanish.attachments[0][1])

    assert send_quote(quote.pk) == 0  # a retry sends nothing again
    assert len(mail.outbox) == 3
