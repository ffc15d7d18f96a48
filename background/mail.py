"""Send a mail once per (kind, what it is about, recipients), however often a task runs, its
subject on one line."""

from django.core.mail import EmailMessage
from django.db.models import QuerySet

from background.models import SentMail
from core.reads import first_row
from core.text import one_line


def recipients_key(addresses: list[str]) -> str:
    return ", ".join(sorted(address.strip().lower() for address in addresses))[:1000]


def _sent(*, kind: str, about: str, recipient: str) -> QuerySet[SentMail]:
    return SentMail.objects.filter(kind=kind, about=about, recipient=recipient)


def mail_once(message: EmailMessage, *, kind: str, about: str | int) -> bool:
    """Send `message` unless it was sent before; True when it was sent now.

    The marker is written after the SMTP server accepted the message: a failed send leaves
    none, so the retry sends. Two copies of one task running at the same instant could both
    send (at least once, never zero); the worker claims each task row once, so only an
    operator's retry of a task that had succeeded can meet a marker.
    """
    key = {"kind": kind, "about": str(about)[:200], "recipient": recipients_key(message.to)}
    # compiled once per connection (core.reads): every mail a worker sends asks it
    if not message.to or first_row("sent_mail", _sent, **key) is not None:
        return False
    # Subjects name customers, products and requests: a line break in any name would make
    # the standard library refuse the mail on every retry.
    message.subject = one_line(str(message.subject))
    message.send()
    # one statement, no transaction of its own: a marker another run wrote meanwhile stays
    SentMail.objects.bulk_create([SentMail(**key)], ignore_conflicts=True)
    return True
