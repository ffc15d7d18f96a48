"""The mail that carries a sent quote: to the customer's billing address and its authorized
contacts, each in their language, with the quote's PDF in that language attached and a link
to decide it in the portal. Sent once per quote and recipient (`background.mail.mail_once`)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from background.mail import mail_once
from core.formatting import credits_text, format_day, money_text
from core.languages import in_language
from quotes.models import Quote
from quotes.pdf import quote_pdf_bytes, quote_pdf_filename

QUOTE_SENT_KIND = "quote_sent"
SUBJECT = (
    "Presupuesto {number} para su solicitud {ticket}",
    "Quote {number} for your request {ticket}",
)


def quote_recipients(quote: Quote) -> dict[str, str]:
    """Address -> language: the billing address, then each authorized contact."""
    customer = quote.customer
    recipients = {customer.billing_email.lower(): customer.language}
    for contact in customer.contacts.filter(can_request=True).order_by("pk"):
        recipients.setdefault(contact.email.lower(), contact.preferred_language)
    return {address: language for address, language in recipients.items() if address}


def send_quote(quote_id: int) -> int:
    """Mail a sent quote with its PDF; returns the mails sent now (0 on a retry)."""
    quote = (
        Quote.objects.select_related("customer", "ticket", "series")
        .prefetch_related("lines")
        .get(pk=quote_id)
    )
    if quote.status == Quote.Status.DRAFT:
        return 0
    customer = quote.customer
    pdfs: dict[str, bytes] = {}
    sent = 0
    for address, language in sorted(quote_recipients(quote).items()):
        if language not in pdfs:
            pdfs[language] = quote_pdf_bytes(quote, language=language)
        with translation.override(language), timezone.override(customer.time_zone_info):
            total = (
                money_text(quote.total, country=customer.country, language=language)
                if quote.kind == Quote.Kind.MONEY
                else credits_text(quote.credits, language)
            )
            body = render_to_string(
                f"quotes/email/quote_sent.{language}.txt",
                {
                    "quote": quote,
                    "customer": customer,
                    "number": quote.display_number,
                    "total": total,
                    "is_money": quote.kind == Quote.Kind.MONEY,
                    "valid_until": format_day(quote.valid_until, language),
                    "url": settings.SITE_URL + reverse("quotes:portal", kwargs={"pk": quote.pk}),
                },
            )
        message = EmailMessage(
            subject=in_language(*SUBJECT, language).format(
                number=quote.display_number, ticket=quote.ticket.number
            ),
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        message.attach(
            quote_pdf_filename(quote, language=language), pdfs[language], "application/pdf"
        )
        sent += mail_once(message, kind=QUOTE_SENT_KIND, about=quote.pk)
    return sent
