"""Feed inbound support mail into the intake: from an MTA pipe, a Maildir, or IMAP.

A message whose handling failed (`failed`, already rolled back and logged by `mail_ingest`)
is moved aside so it is not read again, and the rest go on: in a Maildir into the `.failed`
folder; on IMAP flagged \\Seen \\Flagged; from --stdin the exit status is 75 (EX_TEMPFAIL),
so the MTA keeps the message and retries.
"""

import imaplib
import logging
import mailbox
import sys

import environ
from django.core.management.base import BaseCommand, CommandError

from tickets.services.mail_intake import mail_ingest

logger = logging.getLogger(__name__)

EX_TEMPFAIL = 75
FAILED_FOLDER = "failed"


class Command(BaseCommand):
    help = "Turn inbound email into tickets and replies (--stdin, --maildir PATH or --imap)."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--stdin", action="store_true", help="One message piped by an MTA.")
        source.add_argument("--maildir", metavar="PATH", help="Every new message of a Maildir.")
        source.add_argument(
            "--imap",
            action="store_true",
            help="Unseen messages of IMAP_URL's folder (imaps://user:password@host:993/INBOX).",
        )

    def handle(self, *args, stdin: bool, maildir: str | None, imap: bool, **options):
        if stdin:
            outcome = mail_ingest(sys.stdin.buffer.read())
            self._report([outcome])
            if outcome.action == "failed":
                sys.exit(EX_TEMPFAIL)
        elif maildir:
            self._report(self._from_maildir(maildir))
        else:
            self._report(self._from_imap())

    def _from_maildir(self, path: str):
        box = mailbox.Maildir(path, factory=None, create=False)
        outcomes = []
        for key in list(box.iterkeys()):
            message = box.get_message(key)
            if message.get_subdir() == "cur" and "S" in message.get_flags():
                continue
            outcome = mail_ingest(box.get_bytes(key))
            outcomes.append(outcome)
            if outcome.action == "failed":
                self._move_aside(box, key)
                continue
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message
        return outcomes

    def _from_imap(self):
        url = environ.Env().url("IMAP_URL", default="")
        if not url or not url.hostname:
            raise CommandError("Set IMAP_URL, e.g. imaps://soporte:secret@mail.example.com/INBOX")
        client_class = imaplib.IMAP4_SSL if url.scheme == "imaps" else imaplib.IMAP4
        outcomes = []
        with client_class(
            url.hostname, url.port or (993 if url.scheme == "imaps" else 143)
        ) as client:
            client.login(url.username, url.password)
            client.select(url.path.strip("/") or "INBOX")
            _, found = client.search(None, "UNSEEN")
            for number in found[0].split():
                _, data = client.fetch(number, "(RFC822)")
                outcome = mail_ingest(data[0][1])
                outcomes.append(outcome)
                if outcome.action == "failed":
                    client.store(number, "+FLAGS", "(\\Seen \\Flagged)")
                    logger.error("inbound mail %s flagged on IMAP", outcome.detail)
                else:
                    client.store(number, "+FLAGS", "\\Seen")
        return outcomes

    def _move_aside(self, box: mailbox.Maildir, key: str) -> None:
        try:
            failed = box.get_folder(FAILED_FOLDER)
        except mailbox.NoSuchMailboxError:
            failed = box.add_folder(FAILED_FOLDER)
        new_key = failed.add(box.get_message(key))
        box.remove(key)
        logger.error("inbound mail %s moved to the .%s folder as %s", key, FAILED_FOLDER, new_key)

    def _report(self, outcomes):
        counts: dict[str, int] = {}
        for outcome in outcomes:
            counts[outcome.action] = counts.get(outcome.action, 0) + 1
            self.stdout.write(f"{outcome.action}: {outcome.detail}")
        summary = ", ".join(f"{action} {n}" for action, n in sorted(counts.items())) or "nothing"
        self.stdout.write(f"{len(outcomes)} messages: {summary}")
