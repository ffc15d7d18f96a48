"""Inbound mail becomes tickets and replies through the same intake as every channel.

A message whose subject carries a ticket number of the sender's customer is added to that
ticket (resuming its clocks); one about a closed ticket opens a linked follow-up; anything
else opens a request. Unknown senders get a polite refusal, at most one an hour per
subject, and none when a machine sent the mail (RFC 3834); an out-of-office answer or a
bounce is skipped, not taken for the customer's answer. With `MAIL_AUTHSERV_ID` set, mail
its sender's domain did not authenticate (SPF, DKIM, DMARC, as the operator's mail servers
found them) is refused: neither a request nor a reply. Mail has no form to show an error
in, so what a page would refuse is fitted instead: a long subject or body is shortened,
attachments beyond the portal's limits are named in the message rather than kept.

Each message is one unit: the ticket or reply, its credit hold, its attachments and the
`InboundMail` row that marks it handled commit together or not at all (attachment files
written before a rollback are deleted). `InboundMail.fingerprint` (the Message-ID, or the
bytes of a message without one) makes a second delivery a duplicate. A message that still
fails is rolled back, logged and reported as `failed`, so the caller can move it aside and
go on with the rest.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from background.queue import enqueue_on_commit
from contracts.models import Channel, Contact
from contracts.selectors import contact_get_by_email, service_for_mailbox
from core.errors import CreditdeskError
from core.storage import private_storage
from core.text import one_line, without_control_characters
from credits.exceptions import CreditsError
from tickets import tasks
from tickets.attachments import sniff
from tickets.exceptions import TicketFinished, UnauthenticatedSender, UnauthorizedRequester
from tickets.mail import (
    MalformedMail,
    ParsedAttachment,
    ParsedMail,
    authentication_by,
    mail_fingerprint,
    parse_message,
    sender_authenticated,
    stated_priority,
)
from tickets.models import TEXT_LIMIT, Attachment, InboundMail, Message, Ticket
from tickets.services.attachments import attachment_limits, size_text
from tickets.services.intake import intake_refusal_record, ticket_open
from tickets.services.lifecycle import ticket_customer_reply, ticket_follow_up

logger = logging.getLogger(__name__)

SUBJECT_LIMIT = Ticket._meta.get_field("subject").max_length or 200
NAMED_AT_MOST = 10  # attachments left out, named in the message


@dataclass(frozen=True)
class MailOutcome:
    action: str  # opened | replied | refused | duplicate | skipped | failed
    detail: str = ""
    ticket: Ticket | None = None


def mail_ingest(raw: bytes) -> MailOutcome:
    """Handle one raw message once (see module); never raises for a bad message."""
    try:
        mail = parse_message(raw)
    except MalformedMail as error:
        logger.warning("inbound mail skipped: %s", error)
        return MailOutcome("skipped", str(error))
    except Exception:  # the standard library's parser failing on what it was given
        logger.exception("inbound mail unreadable")
        return MailOutcome("failed", mail_fingerprint(raw, ""))
    fingerprint = mail_fingerprint(raw, mail.message_id)
    if _already_handled(mail, fingerprint):
        return MailOutcome("duplicate", mail.message_id or fingerprint)
    our_servers = settings.MAIL_AUTHSERV_IDS
    if our_servers and authentication_by(mail, our_servers) is None:
        # Not the sender's doing: the setting names other servers than the one that
        # received this mail. Set aside unhandled, it is read again once the setting is right.
        logger.error(
            "inbound mail %s has no Authentication-Results of %s: does MAIL_AUTHSERV_ID name "
            "the authserv-id of every server that receives support mail?",
            mail.message_id or fingerprint,
            ", ".join(our_servers),
        )
        return MailOutcome("failed", mail.message_id or fingerprint)
    vouched = not our_servers or sender_authenticated(mail, our_servers)
    written: list[str] = []
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():  # a refusal keeps none of its partial writes
                    outcome = _handle(mail, written, vouched=vouched)
            except CreditdeskError as error:
                _delete_files(written)
                logger.warning("inbound mail %s refused: %s", mail.message_id, error.code)
                outcome = MailOutcome("skipped", error.code)
            InboundMail.objects.create(
                fingerprint=fingerprint,
                message_id=mail.message_id[:255],
                outcome=outcome.action,
                ticket=outcome.ticket,
            )
    except IntegrityError:
        _delete_files(written)
        if _already_handled(mail, fingerprint):  # a concurrent run took it first
            return MailOutcome("duplicate", mail.message_id or fingerprint)
        logger.exception("inbound mail %s failed", mail.message_id or fingerprint)
        return MailOutcome("failed", mail.message_id or fingerprint)
    except Exception:
        _delete_files(written)
        logger.exception("inbound mail %s failed", mail.message_id or fingerprint)
        return MailOutcome("failed", mail.message_id or fingerprint)
    return outcome


def _already_handled(mail: ParsedMail, fingerprint: str) -> bool:
    if InboundMail.objects.filter(fingerprint=fingerprint).exists():
        return True
    return bool(mail.message_id) and (
        Message.objects.filter(email_message_id=mail.message_id).exists()
    )


def _delete_files(names: list[str]) -> None:
    storage = private_storage()
    for name in names:
        storage.delete(name)


def _fitted(text: str, note: str = "") -> str:
    """The body, then `note`: a body that would pass TEXT_LIMIT is kept up to the limit and
    says so, in both languages, rather than refused and lost."""
    if len(text) + len(note) <= TEXT_LIMIT:
        return text + note
    marker = (
        f"\n\n[…] Mensaje recortado a {TEXT_LIMIT} caracteres. "
        f"Message cut at {TEXT_LIMIT} characters."
    )
    return text[: TEXT_LIMIT - len(marker) - len(note)] + marker + note


def _subject(mail: ParsedMail) -> str:
    """The request's subject: the mail's, else its text's first line, else its attachments'
    names (a scanner sends a file alone); shortened to the column, as a forwarded chain's
    "RV: RE: RV: ..." can run past it. "" for an empty mail."""
    first_line = mail.text.strip().split("\n", 1)[0]
    names = ", ".join(part.filename for part in mail.attachments)
    # cleaned as the headers are (`tickets.mail`): what no one typed is left out, so the
    # mail opens its request rather than being refused for it
    subject = one_line(without_control_characters(mail.subject or first_line or names))
    if len(subject) > SUBJECT_LIMIT:
        subject = subject[: SUBJECT_LIMIT - 1].rstrip() + "…"
    return subject


def _within_limits(mail: ParsedMail) -> tuple[list[ParsedAttachment], str]:
    """The attachments kept (the portal's limits: at most ATTACHMENT_MAX_COUNT, each not
    empty and of at most ATTACHMENT_MAX_BYTES), and a note naming the others, in both
    languages, for the message ("" when all are kept)."""
    limit, count = attachment_limits()
    kept: list[ParsedAttachment] = []
    left: list[str] = []
    for part in mail.attachments:
        if 0 < len(part.content) <= limit and len(kept) < count:
            kept.append(part)
        else:
            left.append(part.filename)
    if not left:
        return kept, ""
    names = ", ".join(left[:NAMED_AT_MOST]) + (" …" if len(left) > NAMED_AT_MOST else "")
    size = size_text(limit)
    return kept, (
        f"\n\n[{len(left)}] Adjuntos no guardados (hasta {count} de {size} cada uno, no "
        f"vacíos). Attachments not kept (up to {count} of {size} each, not empty): {names}"
    )


def _handle(mail: ParsedMail, written: list[str], *, vouched: bool) -> MailOutcome:
    if mail.auto_reply:
        return MailOutcome("skipped", "auto_reply")
    contact = contact_get_by_email(email=mail.from_address)
    if not vouched:
        # Neither a request nor a reply: a forged From would spend the customer's credits,
        # or answer for them and restart their clocks. Only a contact hears of it (their
        # mail provider may not authenticate it); an unknown sender's is most likely forged,
        # and a refusal would go to whoever was impersonated.
        refusal = UnauthenticatedSender(requester=mail.from_address)
        return _refused(mail, refusal, contact, forged=True)
    existing = None
    if contact is not None and mail.ticket_number:
        existing = Ticket.objects.filter(
            customer_id=contact.customer_id, number=mail.ticket_number
        ).first()
    attachments, left_out = _within_limits(mail)
    # A page refuses a control character; mail leaves it out (its text keeps tabs and lines)
    body = _fitted(without_control_characters(mail.text or mail.subject), left_out)
    subject = _subject(mail)
    if existing is not None and existing.status not in Ticket.FINISHED_STATUSES:
        try:
            message = ticket_customer_reply(
                existing,
                contact=contact,
                body=body,
                channel=Channel.EMAIL,
                email_message_id=mail.message_id,
            )
        except TicketFinished:
            existing.refresh_from_db()  # closed since it was read: the mail follows it up
        except (CreditsError, UnauthorizedRequester) as refusal:
            # A reply reopens a resolved ticket, and the customer (or this contact of theirs)
            # may not ask for support now.
            return _refused(mail, refusal, contact)
        else:
            _store_attachments(message, attachments, written)
            return MailOutcome("replied", existing.number, existing)
    if existing is not None:
        result = ticket_follow_up(
            existing,
            requester=contact,
            subject=subject,
            description=body,
            channel=Channel.EMAIL,
            email_message_id=mail.message_id,
        )
    else:
        impact, suggested_priority = stated_priority(body)
        result = ticket_open(
            channel=Channel.EMAIL,
            requester=contact,
            requester_address=mail.from_address,
            subject=subject,
            description=body,
            service=service_for_mailbox(mail.recipients),
            impact=impact,
            suggested_priority=suggested_priority or "",
            email_message_id=mail.message_id,
        )
    if not result.accepted:
        _send_refusal(
            mail, result.refusal, language=contact.preferred_language if contact else "es"
        )
        return MailOutcome("refused", result.refusal.code)
    opening = result.ticket.messages.order_by("pk").first()
    _store_attachments(opening, attachments, written)
    return MailOutcome("opened", result.ticket.number, result.ticket)


def _refused(
    mail: ParsedMail, refusal: CreditdeskError, contact: Contact | None, *, forged: bool = False
) -> MailOutcome:
    """A refusal mail intake decides itself (intake records its own): kept as a refused
    attempt (`ticket.refused`) and answered, to a contact only."""
    intake_refusal_record(
        refusal,
        channel=Channel.EMAIL,
        subject=_subject(mail),
        requester=contact,
        requester_address=mail.from_address,
        at=timezone.now(),
    )
    if contact is not None:
        _send_refusal(mail, refusal, language=contact.preferred_language, forged=forged)
    return MailOutcome("refused", refusal.code)


def _store_attachments(
    message: Message, attachments: list[ParsedAttachment], written: list[str]
) -> None:
    """Files under their sanitized names (`tickets.mail.attachment_filename`), in private
    storage; each name written goes into `written`, so a rollback can delete it. Mail keeps
    every type it is sent (the downloads always save, never display, what is not an
    image)."""
    for part in attachments:
        attachment = Attachment(
            message=message,
            filename=part.filename[:255],
            # what the content is, not what the sender's mail client said: a preview is
            # drawn only for real images (`tickets.attachments.sniff`)
            content_type=sniff(part.content) or "application/octet-stream",
            size=len(part.content),
        )
        attachment.file.save(part.filename, ContentFile(part.content), save=False)
        written.append(attachment.file.name)
        attachment.save()


def _send_refusal(
    mail: ParsedMail, refusal: CreditdeskError, *, language: str, forged: bool = False
) -> None:
    """Answer the sender after commit (`tickets.tasks`): never a machine (RFC 3834), and at
    most once an hour per address and subject (the task sends once per `about`): a robot that
    answers each refusal with a new message under one subject gets one an hour, not one per
    message, and a person who sends two requests hears about both. Mail that may be `forged`
    is answered at most once a day per address, without its subject: whoever forged it
    would otherwise choose what we send the real owner, and how often."""
    if mail.automated:
        return
    subject = "" if forged else mail.subject
    window = f"{timezone.now():%Y-%m-%d}" if forged else f"{timezone.now():%Y-%m-%dT%H}"
    enqueue_on_commit(
        tasks.send_mail_refusal,
        to=mail.from_address,
        subject=subject,
        reason=refusal.message(language),
        language=language,
        in_reply_to="" if forged else mail.message_id,
        about=hashlib.sha256(f"{mail.from_address}\n{subject}\n{window}".encode()).hexdigest(),
    )
