import io
import mailbox
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from sla.models import SlaClock
from tests.tickets.imap_server import ImapTestServer, Mailbox
from tickets.models import Attachment, IntakeAttempt, Ticket
from tickets.services.lifecycle import ticket_agent_reply
from tickets.services.mail_intake import mail_ingest

pytestmark = pytest.mark.django_db
MAIL = Path(__file__).parent / "mail"


def eml(name: str) -> bytes:
    return (MAIL / name).read_bytes()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_mail_from_an_authorized_contact_opens_a_ticket_with_its_attachment(
    funded, tuesday_morning
):
    outcome = mail_ingest(eml("multipart_with_attachment.eml"))

    ticket = Ticket.objects.get()
    assert outcome.action == "opened"
    assert (ticket.channel, ticket.subject) == ("email", "Bloqueo de IP en el firewall")
    opening = ticket.messages.get()
    assert opening.email_message_id == "<multi-1@andino.example>"
    attachment = Attachment.objects.get(message=opening)
    assert attachment.filename == "firewall.log"
    assert attachment.file.read() == b"DROP IN 190.24.10.5 tcp/443\n"


def test_a_reply_carrying_the_number_joins_the_ticket_and_resumes_its_clocks(
    funded, agent, tuesday_morning
):
    ticket = mail_ingest(eml("plain_utf8.eml")).ticket
    ticket_agent_reply(ticket, by=agent, body="¿Desde cuándo?", asks_for_information=True)
    reply = eml("reply_with_ticket_number.eml").replace(b"T-2026-000001", ticket.number.encode())

    outcome = mail_ingest(reply)

    ticket.refresh_from_db()
    assert outcome.action == "replied"
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert SlaClock.objects.get(subject=ticket.clock_subject, kind="resolution").state == "running"
    assert ticket.messages.last().body.startswith("Adjunto la información")
    assert Ticket.objects.count() == 1


def test_the_same_message_delivered_twice_is_handled_once(funded, tuesday_morning):
    mail_ingest(eml("plain_utf8.eml"))

    assert mail_ingest(eml("plain_utf8.eml")).action == "duplicate"
    assert Ticket.objects.count() == 1


def test_an_unknown_sender_gets_a_polite_refusal_and_an_attempt_is_kept(
    contract, tuesday_morning, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = mail_ingest(eml("unknown_sender.eml"))

    assert outcome.action == "refused"
    attempt = IntakeAttempt.objects.get()
    assert (attempt.reason, attempt.requester_address) == (
        "unknown_requester",
        "intruso@otro.example",
    )
    [refusal] = mail.outbox
    assert refusal.to == ["intruso@otro.example"]
    assert "No reconocemos a intruso@otro.example" in refusal.body
    assert not Ticket.objects.exists()


def test_a_maildir_batch_skips_malformed_mail_without_losing_the_rest(
    funded, tmp_path, tuesday_morning
):
    box = mailbox.Maildir(tmp_path / "Maildir")
    for name in [
        "no_from.eml",
        "plain_utf8.eml",
        "garbage_mime.eml",
        "html_only.eml",
        "latin1_encoded_headers.eml",
    ]:
        box.add(eml(name))
    out = io.StringIO()

    call_command("ingest_mail", "--maildir", str(tmp_path / "Maildir"), stdout=out)

    assert "5 messages: opened 2, refused 1, skipped 2" in out.getvalue()
    assert set(Ticket.objects.values_list("subject", flat=True)) == {
        "El servidor web no responde",
        "Restablecer contraseña",
    }
    # jose@ is not a contact: refused, and kept as lost demand.
    assert IntakeAttempt.objects.get().requester_address == "jose@andino.example"
    call_command("ingest_mail", "--maildir", str(tmp_path / "Maildir"), stdout=out)
    assert "0 messages: nothing" in out.getvalue()


def test_stdin_takes_one_message_from_an_mta(funded, monkeypatch, tuesday_morning):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(eml("html_only.eml"))))
    out = io.StringIO()

    call_command("ingest_mail", "--stdin", stdout=out)

    assert "opened 1" in out.getvalue()
    assert Ticket.objects.get().description.startswith("Hola,")


def test_imap_polling_reads_unseen_messages_and_marks_them_seen(
    funded, monkeypatch, tuesday_morning
):
    server_box = Mailbox([eml("plain_utf8.eml"), eml("no_from.eml")], "soporte", "secreto")
    with ImapTestServer(server_box) as server:
        monkeypatch.setenv("IMAP_URL", f"imap://soporte:secreto@127.0.0.1:{server.port}/INBOX")
        out = io.StringIO()
        call_command("ingest_mail", "--imap", stdout=out)

    assert "2 messages: opened 1, skipped 1" in out.getvalue()
    assert server_box.seen == {1, 2}
