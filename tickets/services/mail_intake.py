"""Inbound mail becomes tickets and replies through the same intake as every channel.

A message whose subject carries a ticket number of the sender's customer is added to that
ticket (resuming its clocks); one about a closed ticket opens a linked follow-up; anything
else opens a request. Unknown senders get a polite refusal. Each message is handled in its
own transaction: one bad message is logged and skipped, never losing the others.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from contracts.models import Channel
from contracts.selectors import contact_get_by_email
from creditdesk.errors import CreditdeskError
from tickets.mail import MalformedMail, ParsedMail, parse_message
from tickets.models import Attachment, Message, Ticket
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_customer_reply, ticket_follow_up

logger = logging.getLogger(__name__)

CLOSED = (Ticket.Status.CLOSED, Ticket.Status.ABANDONED)


@dataclass(frozen=True)
class MailOutcome:
    action: str  # opened | replied | refused | duplicate | skipped
    detail: str = ""
    ticket: Ticket | None = None


def mail_ingest(raw: bytes) -> MailOutcome:
    try:
        mail = parse_message(raw)
    except MalformedMail as error:
        logger.warning("inbound mail skipped: %s", error)
        return MailOutcome("skipped", str(error))
    if mail.message_id and Message.objects.filter(email_message_id=mail.message_id).exists():
        return MailOutcome("duplicate", mail.message_id)
    try:
        return _handle(mail)
    except CreditdeskError as error:
        logger.warning("inbound mail %s refused: %s", mail.message_id, error.code)
        return MailOutcome("skipped", error.code)


def _handle(mail: ParsedMail) -> MailOutcome:
    contact = contact_get_by_email(email=mail.from_address)
    existing = None
    if contact is not None and mail.ticket_number:
        existing = Ticket.objects.filter(
            customer_id=contact.customer_id, number=mail.ticket_number
        ).first()
    body = mail.text or mail.subject
    if existing is not None and existing.status not in CLOSED:
        message = ticket_customer_reply(
            existing,
            contact=contact,
            body=body,
            channel=Channel.EMAIL,
            email_message_id=mail.message_id,
        )
        _store_attachments(message, mail)
        return MailOutcome("replied", existing.number, existing)
    if existing is not None:
        result = ticket_follow_up(
            existing,
            requester=contact,
            subject=mail.subject,
            description=body,
            channel=Channel.EMAIL,
        )
    else:
        result = ticket_open(
            channel=Channel.EMAIL,
            requester=contact,
            requester_address=mail.from_address,
            subject=mail.subject or body[:200],
            description=body,
            email_message_id=mail.message_id,
        )
    if not result.accepted:
        _send_refusal(
            mail, result.refusal, language=contact.preferred_language if contact else "es"
        )
        return MailOutcome("refused", result.refusal.code)
    opening = result.ticket.messages.order_by("pk").first()
    _store_attachments(opening, mail)
    return MailOutcome("opened", result.ticket.number, result.ticket)


def _store_attachments(message: Message, mail: ParsedMail) -> None:
    for part in mail.attachments:
        attachment = Attachment(
            message=message,
            filename=part.filename[:255],
            content_type=part.content_type[:120],
            size=len(part.content),
        )
        attachment.file.save(part.filename, ContentFile(part.content), save=True)


def _send_refusal(mail: ParsedMail, refusal: CreditdeskError, *, language: str) -> None:
    with translation.override(language):
        body = render_to_string(
            f"tickets/email/refusal.{language}.txt",
            {"reason": refusal.message(language), "subject": mail.subject},
        )
    subject = (
        "No pudimos registrar su solicitud" if language == "es" else "We could not log your request"
    )
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.from_address],
        headers={"In-Reply-To": mail.message_id} if mail.message_id else {},
    )
    transaction.on_commit(message.send)
