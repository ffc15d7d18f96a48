"""Mail as it arrives, not as it should: headers the standard library cannot read, control
characters and NUL, forwarded chains with long subjects, a scanner's attachment alone, too
many or too large attachments, out-of-office answers, bounces and robots that answer every
answer. Nothing stops the batch, nothing is lost that a person wrote, and no robot gets an
endless exchange of mails."""

import io
import mailbox

import pytest
from django.core import mail
from django.core.management import call_command

from tests.factories import make_contact
from tests.tickets.conftest import top_up
from tickets.models import Attachment, InboundMail, IntakeAttempt, Ticket
from tickets.services import lifecycle
from tickets.services.mail_intake import mail_ingest

pytestmark = pytest.mark.django_db

ANA = "Ana Gómez <ana@andino.example>"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def plain(
    subject: str | None = "El servidor web no responde",
    body: str = "Desde las 14:30 error 502.",
    *,
    sender: str = ANA,
    message_id: str | None = "<p-1@andino.example>",
    headers: str = "",
) -> bytes:
    head = f"From: {sender}\r\nTo: soporte@creditdesk.example\r\n"
    if subject is not None:
        head += f"Subject: {subject}\r\n"
    if message_id is not None:
        head += f"Message-ID: {message_id}\r\n"
    head += headers + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    return head.encode() + body.encode() + b"\r\n"


def with_attachments(parts: list[tuple[str, bytes]], *, text: str = "adjunto logs") -> bytes:
    raw = (
        b"From: ana@andino.example\r\nTo: soporte@creditdesk.example\r\n"
        b"Message-ID: <many-1@andino.example>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=b\r\n"
    )
    if text:
        raw += b"Subject: logs\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n" + text.encode()
    else:
        raw += b"\r\n"
    for name, content in parts:
        raw += (
            b"\r\n--b\r\nContent-Type: application/octet-stream\r\n"
            b'Content-Disposition: attachment; filename="' + name.encode() + b'"\r\n\r\n' + content
        )
    return raw + b"\r\n--b--\r\n"


# Headers the standard library cannot read, and control characters.


@pytest.mark.parametrize("message_id", ["<>", "<", "<@>"])
def test_a_message_id_the_parser_cannot_read_counts_as_none(funded, tuesday_morning, message_id):
    # Python's parser raises IndexError on these: it used to stop the whole batch
    assert mail_ingest(plain(message_id=message_id)).action == "opened"
    assert mail_ingest(plain(message_id=message_id)).action == "duplicate"  # known by its bytes


def test_an_unreadable_message_id_does_not_stop_the_maildir_batch(
    funded, tmp_path, tuesday_morning
):
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(plain(message_id="<>", subject="primero"))
    for number in range(3):
        box.add(plain(message_id=f"<ok-{number}@andino.example>", subject=f"valido {number}"))

    call_command("ingest_mail", "--maildir", str(tmp_path / "Maildir"), stdout=io.StringIO())

    assert Ticket.objects.count() == 4


def test_a_line_break_encoded_in_the_subject_becomes_a_space(
    funded, tuesday_morning, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = mail_ingest(plain(subject="=?utf-8?q?Caida=0D=0ABcc=3A_x=40evil.example?="))

    assert outcome.ticket.subject == "Caida Bcc: x@evil.example"
    # the acknowledgement's subject line takes it: a line break there failed every notice
    [acknowledgement] = mail.outbox
    assert acknowledgement.to == ["ana@andino.example"]
    assert acknowledgement.extra_headers["Auto-Submitted"] == "auto-replied"


def test_nul_in_the_body_or_an_encoded_subject_is_dropped(funded, tuesday_morning):
    # PostgreSQL's text refuses NUL: the message failed for good
    ticket = mail_ingest(plain(subject="=?utf-8?q?Caida=00_del_servidor?=", body="a\x00b")).ticket

    assert (ticket.subject, ticket.description) == ("Caida del servidor", "ab")


def test_a_message_id_longer_than_its_column_counts_as_none(funded, tuesday_morning):
    raw = plain(message_id="<" + "x" * 300 + "@andino.example>")

    assert mail_ingest(raw).action == "opened"
    assert mail_ingest(raw).action == "duplicate"
    assert Ticket.objects.get().messages.get().email_message_id == ""


# What a person wrote is not lost.


def test_a_forwarded_chains_long_subject_is_shortened_not_refused(funded, tuesday_morning):
    subject = "RV: RE: " + "Caída del servicio de correo " * 8

    outcome = mail_ingest(plain(subject=subject))

    assert outcome.action == "opened"
    assert len(outcome.ticket.subject) == 200
    assert outcome.ticket.subject.endswith("…")
    assert outcome.ticket.subject.startswith("RV: RE: Caída del servicio")


def test_a_scanners_attachment_alone_opens_a_request_named_after_it(funded, tuesday_morning):
    outcome = mail_ingest(with_attachments([("scan.pdf", b"%PDF-1.4\n")], text=""))

    assert outcome.action == "opened"
    assert outcome.ticket.subject == "scan.pdf"
    assert Attachment.objects.get().filename == "scan.pdf"


def test_an_empty_mail_opens_nothing(funded, tuesday_morning):
    assert mail_ingest(plain(subject=None, body="")).action == "skipped"
    assert not Ticket.objects.exists()


def test_attachments_beyond_the_portals_limits_are_named_not_kept(
    funded, tuesday_morning, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1000
    parts = [("vacio.txt", b""), ("enorme.bin", b"x" * 1001)]
    parts += [(f"log{number}.txt", b"linea") for number in range(6)]

    ticket = mail_ingest(with_attachments(parts)).ticket

    assert sorted(Attachment.objects.values_list("filename", flat=True)) == [
        f"log{number}.txt" for number in range(5)
    ]
    body = ticket.messages.get().body
    assert body.startswith("adjunto logs\n\n[3] Adjuntos no guardados (hasta 5 de 1000 B cada")
    assert body.endswith(": vacio.txt, enorme.bin, log5.txt")


# Robots.

OUT_OF_OFFICE = "Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n"


@pytest.mark.parametrize(
    ("sender", "headers"),
    [
        (ANA, OUT_OF_OFFICE),
        (ANA, "Precedence: auto_reply\r\n"),
        (ANA, "X-Autorespond: yes\r\n"),
        ("Mail Delivery System <MAILER-DAEMON@mx.andino.example>", "Return-Path: <>\r\n"),
    ],
)
def test_an_out_of_office_answer_or_a_bounce_is_not_the_customers_answer(
    funded, agent, tuesday_morning, sender, headers
):
    ticket = mail_ingest(plain()).ticket
    lifecycle.ticket_agent_reply(ticket, by=agent, body="¿Desde cuándo?", asks_for_information=True)
    auto = plain(
        subject=f"Respuesta automática: [{ticket.number}] El servidor web no responde",
        body="Estoy fuera de la oficina hasta el lunes.",
        sender=sender,
        message_id="<ooo-1@andino.example>",
        headers=headers,
    )

    outcome = mail_ingest(auto)

    assert (outcome.action, outcome.detail) == ("skipped", "auto_reply")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING_ON_CUSTOMER
    assert InboundMail.objects.get(message_id="<ooo-1@andino.example>").outcome == "skipped"


def test_a_robot_is_never_answered_with_a_refusal(
    contract, tuesday_morning, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            outcome = mail_ingest(
                plain(
                    sender="robot@otro.example",
                    message_id=f"<auto-{number}@otro.example>",
                    headers="Auto-Submitted: auto-generated\r\n",
                )
            )
            assert outcome.action == "refused"

    assert mail.outbox == []
    assert IntakeAttempt.objects.count() == 3  # kept as lost demand all the same


def test_an_unknown_sender_gets_one_refusal_an_hour_per_subject(
    contract, tuesday_morning, django_capture_on_commit_callbacks
):
    # a robot that does not say so, answering each refusal with a new message
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            mail_ingest(plain(sender="jose@otro.example", message_id=f"<j-{number}@otro.example>"))
    [refusal] = mail.outbox
    assert refusal.extra_headers["Auto-Submitted"] == "auto-replied"

    # a person's second request, under its own subject, hears about it too
    with django_capture_on_commit_callbacks(execute=True):
        mail_ingest(
            plain(
                subject="Otra consulta",
                sender="jose@otro.example",
                message_id="<j-other@otro.example>",
            )
        )
    assert len(mail.outbox) == 2

    tuesday_morning.shift(3601)
    with django_capture_on_commit_callbacks(execute=True):
        mail_ingest(plain(sender="jose@otro.example", message_id="<j-later@otro.example>"))
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    "headers",
    [
        "X-Autoreply: no\r\n",  # says it is not one
        "Precedence: list\r\n",  # a person writing through a mailing list
        "Auto-Submitted: no\r\n",
    ],
)
def test_a_person_is_not_taken_for_a_robot(funded, agent, tuesday_morning, headers):
    ticket = mail_ingest(plain()).ticket
    lifecycle.ticket_agent_reply(ticket, by=agent, body="¿Desde cuándo?", asks_for_information=True)
    reply = plain(
        subject=f"RE: [{ticket.number}] El servidor web no responde",
        body="Desde ayer.",
        message_id="<answer-1@andino.example>",
        headers=headers,
    )

    assert mail_ingest(reply).action == "replied"
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS


def test_postmaster_of_a_customer_is_a_person(contract, tuesday_morning):
    make_contact(customer=contract.customer, name="TI", email="postmaster@andino.example")
    top_up(contract.customer, 5)

    outcome = mail_ingest(plain(sender="TI <postmaster@andino.example>"))

    assert outcome.action == "opened"
