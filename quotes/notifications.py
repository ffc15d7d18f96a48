"""The quotes' mails, each sent once per quote and recipient (`background.mail.mail_once`):

- the sent quote, to the customer's billing address and its authorized contacts, each in
  their language, with the quote's PDF in that language attached and a link to decide it in
  the portal;
- the customer's decision, to the staff member who drafted the quote, in the language they
  drafted it in (`Quote.author_language`), with a link to the quote in the workspace."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from background.mail import mail_once
from core.formatting import credits_text, format_day, format_moment, money_text, zone_line
from core.languages import in_language
from quotes.models import Quote
from quotes.pdf import quote_pdf_bytes, quote_pdf_filename
from quotes.selectors import quote_deciders

QUOTE_SENT_KIND = "quote_sent"
QUOTE_DECIDED_KIND = "quote_decided"
SUBJECT = (
    "Presupuesto {number} para su solicitud {ticket}",
    "Quote {number} for your request {ticket}",
)


def quote_recipients(quote: Quote) -> dict[str, str]:
    """Address -> language: the billing address, then each contact who may decide the quote
    (`quotes.selectors.quote_deciders`)."""
    customer = quote.customer
    recipients = {customer.billing_email.lower(): customer.language}
    deciders = quote_deciders(customer_id=customer.pk).select_related("customer")
    for contact in deciders.order_by("pk"):
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
                money_text(quote.total, language=language)
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


DECIDED_SUBJECT = {
    Quote.Status.ACCEPTED: (
        "{customer} aceptó el presupuesto {number} ({ticket})",
        "{customer} accepted quote {number} ({ticket})",
    ),
    Quote.Status.REJECTED: (
        "{customer} rechazó el presupuesto {number} ({ticket})",
        "{customer} rejected quote {number} ({ticket})",
    ),
}


def send_quote_decided(quote_id: int) -> int:
    """Tell the quote's author the customer accepted or rejected it; 1 when mailed now (0 on
    a retry, an undecided quote or an author without an address)."""
    quote = Quote.objects.select_related(
        "customer", "ticket", "series", "created_by", "decided_contact", "invoice", "hold"
    ).get(pk=quote_id)
    author = quote.created_by
    address = (getattr(author, "email", "") or "").strip()
    if quote.status not in DECIDED_SUBJECT or not address:
        return 0
    customer = quote.customer
    language = quote.author_language
    with translation.override(language), timezone.override(customer.time_zone_info):
        total = (
            money_text(quote.total, language=language)
            if quote.kind == Quote.Kind.MONEY
            else credits_text(quote.credits, language)
        )
        body = render_to_string(
            f"quotes/email/quote_decided.{language}.txt",
            {
                "quote": quote,
                "customer": customer,
                "number": quote.display_number,
                "accepted": quote.status == Quote.Status.ACCEPTED,
                "is_money": quote.kind == Quote.Kind.MONEY,
                "total": total,
                "who": quote.decided_contact.name if quote.decided_contact else "",
                "when": format_moment(
                    timezone.localtime(quote.decided_at, customer.time_zone_info), language
                ),
                "zone": zone_line(customer.time_zone_info, language, at=quote.decided_at),
                "invoice": quote.invoice.display_number if quote.invoice else "",
                "url": settings.SITE_URL + reverse("quotes:work", kwargs={"pk": quote.pk}),
            },
        )
    message = EmailMessage(
        subject=in_language(*DECIDED_SUBJECT[quote.status], language).format(
            customer=customer.legal_name, number=quote.display_number, ticket=quote.ticket.number
        ),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"X-Creditdesk-Ticket": quote.ticket.number},
    )
    return int(mail_once(message, kind=QUOTE_DECIDED_KIND, about=f"{quote.pk}:{quote.status}"))
