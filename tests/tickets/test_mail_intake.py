import io
import mailbox
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from credits.models import CreditHold
from sla.models import SlaClock
from tests.threads import run_while_held
from tests.tickets.imap_server import ImapTestServer, Mailbox
from tickets.mail import attachment_filename
from tickets.models import Attachment, InboundMail, IntakeAttempt, Ticket
from tickets.services import lifecycle
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
    lifecycle.ticket_agent_reply(ticket, by=agent, body="¿Desde cuándo?", asks_for_information=True)
    outcome = mail_ingest(reply_to(ticket))

    ticket.refresh_from_db()
    assert outcome.action == "replied"
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert SlaClock.objects.get(subject=ticket.clock_subject, kind="resolution").state == "running"
    assert ticket.messages.last().body.startswith("Adjunto la información")
    assert Ticket.objects.count() == 1


def resolve(ticket, agent) -> None:
    lifecycle.ticket_start_work(ticket, by=agent)
    lifecycle.ticket_resolve(ticket, by=agent)


def reply_to(ticket) -> bytes:
    return eml("reply_with_ticket_number.eml").replace(b"T-2026-000001", ticket.number.encode())


def test_a_reply_to_a_closed_request_opens_a_follow_up(funded, agent, tuesday_morning):
    ticket = mail_ingest(eml("plain_utf8.eml")).ticket
    resolve(ticket, agent)
    lifecycle.ticket_close(ticket, by=agent)
    messages = ticket.messages.count()

    outcome = mail_ingest(reply_to(ticket))

    assert outcome.action == "opened"
    assert outcome.ticket.follows_up == ticket
    assert outcome.ticket.description.startswith("Adjunto la información")
    assert outcome.ticket.messages.get().email_message_id == "<reply-1@andino.example>"
    assert ticket.messages.count() == messages


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reply_read_while_its_request_closes_opens_a_follow_up(funded, agent, tuesday_morning):
    # The mail reads the request as resolved, then waits for its row while the close commits:
    # the reply is refused as finished and the mail becomes a follow-up, not a lost message.
    ticket = mail_ingest(eml("plain_utf8.eml")).ticket
    resolve(ticket, agent)
    messages = ticket.messages.count()

    outcome = run_while_held(
        lambda: lifecycle.ticket_close(ticket, by=agent), lambda: mail_ingest(reply_to(ticket))
    )

    assert outcome.action == "opened", outcome
    assert outcome.ticket.follows_up == ticket
    assert ticket.messages.count() == messages
    assert InboundMail.objects.get(message_id="<reply-1@andino.example>").outcome == "opened"


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


def test_an_attachment_named_with_path_parts_is_stored_under_a_safe_name_once(
    funded, tmp_path, settings, tuesday_morning
):
    # given a message without Message-ID whose attachment is named ../../evil.txt
    raw = eml("traversal_attachment_no_id.eml")
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(raw)

    # when it is read from the Maildir, then delivered again
    call_command("ingest_mail", "--maildir", str(tmp_path / "Maildir"), stdout=io.StringIO())
    again = mail_ingest(raw)

    # then one ticket, one hold, and the file inside the ticket's attachment folder
    assert again.action == "duplicate"
    ticket = Ticket.objects.get()
    assert CreditHold.objects.count() == 1
    attachment = Attachment.objects.get()
    assert attachment.filename == "evil.txt"
    # the storage may add a suffix when another test left a file of that name
    assert re.fullmatch(rf"attachments/{ticket.pk}/evil(_\w+)?\.txt", attachment.file.name)
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve() / "attachments")
    assert stored.read_bytes() == b"payload\n"
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../evil.txt", "evil.txt"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("/etc/passwd", "passwd"),
        ("in\x00for\rme\n.pdf", "informe.pdf"),
        (".htaccess", "htaccess"),
        ("..", "adjunto"),
        ("", "adjunto"),
        (None, "adjunto"),
        ("a" * 300 + ".pdf", "a" * 96 + ".pdf"),
        ("Informe de marzo.xlsx", "Informe de marzo.xlsx"),
    ],
)
def test_attachment_names_lose_path_parts_and_control_characters(name, safe):
    assert attachment_filename(name) == safe


@pytest.fixture
def unwritable_media(settings, tmp_path):
    """PRIVATE_MEDIA_ROOT (attachments' storage) is a plain file: writing any attachment
    fails with a real OSError."""
    media = tmp_path / "media-is-a-file"
    media.write_text("")
    settings.PRIVATE_MEDIA_ROOT = media
    return media


def test_a_failing_message_is_moved_aside_and_valid_mail_behind_it_is_read(
    funded, tmp_path, unwritable_media, tuesday_morning, caplog
):
    # given a message whose attachment cannot be written, before a valid message
    path = tmp_path / "Maildir"
    box = mailbox.Maildir(path)
    box.add(eml("multipart_with_attachment.eml"))
    box.add(eml("plain_utf8.eml"))
    out = io.StringIO()

    # when the Maildir is read twice
    call_command("ingest_mail", "--maildir", str(path), stdout=out)
    call_command("ingest_mail", "--maildir", str(path), stdout=out)

    # then the valid message opened its ticket; the failing one left nothing and was moved
    assert "2 messages: failed 1, opened 1" in out.getvalue()
    assert "0 messages: nothing" in out.getvalue()
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["El servidor web no responde"]
    assert CreditHold.objects.count() == 1
    assert not Attachment.objects.exists()
    failed = mailbox.Maildir(path, create=False).get_folder("failed")
    [moved] = [failed.get_bytes(key) for key in failed.iterkeys()]
    assert b"<multi-1@andino.example>" in moved
    assert len(mailbox.Maildir(path, create=False)) == 1
    assert "inbound mail <multi-1@andino.example> failed" in caplog.text


def test_a_failing_message_on_imap_is_flagged_and_the_rest_is_read(
    funded, monkeypatch, unwritable_media, tuesday_morning
):
    server_box = Mailbox(
        [eml("multipart_with_attachment.eml"), eml("plain_utf8.eml")], "soporte", "secreto"
    )
    with ImapTestServer(server_box) as server:
        monkeypatch.setenv("IMAP_URL", f"imap://soporte:secreto@127.0.0.1:{server.port}/INBOX")
        out = io.StringIO()
        call_command("ingest_mail", "--imap", stdout=out)
        call_command("ingest_mail", "--imap", stdout=out)

    assert "2 messages: failed 1, opened 1" in out.getvalue()
    assert "0 messages: nothing" in out.getvalue()
    assert server_box.flags == {1: {"\\Seen", "\\Flagged"}, 2: {"\\Seen"}}
    assert Ticket.objects.get().subject == "El servidor web no responde"


def test_a_failing_message_from_stdin_exits_75_so_the_mta_retries(
    funded, monkeypatch, unwritable_media, tuesday_morning
):
    raw = eml("multipart_with_attachment.eml")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))

    with pytest.raises(SystemExit) as exit_:
        call_command("ingest_mail", "--stdin", stdout=io.StringIO())

    assert exit_.value.code == 75
    assert not Ticket.objects.exists()
    assert not CreditHold.objects.exists()
    assert not InboundMail.objects.exists()


def test_a_refused_message_without_message_id_is_refused_once(
    contract, tuesday_morning, django_capture_on_commit_callbacks
):
    raw = eml("unknown_sender.eml").replace(b"Message-ID:", b"X-Old-Message-ID:")
    with django_capture_on_commit_callbacks(execute=True):
        assert mail_ingest(raw).action == "refused"
        assert mail_ingest(raw).action == "duplicate"

    assert IntakeAttempt.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_mail_without_a_subject_whose_first_line_holds_a_control_character_opens(
    funded, tuesday_morning
):
    # the first line stands in for the subject; a terminal's colour code pasted into it is
    # left out, as from a header, not a reason to drop the customer's mail
    raw = eml("plain_utf8.eml").replace(b"Subject: El servidor web no responde\n", b"")
    raw = raw.replace(b"Desde las 14:30", b"\x1b[31mDesde las 14:30")

    outcome = mail_ingest(raw)

    assert outcome.action == "opened"
    assert outcome.ticket.subject.startswith("[31mDesde las 14:30 el sitio")
