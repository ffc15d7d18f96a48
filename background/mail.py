"""Send a mail once per (kind, what it is about, recipients), however often a task runs, its
subject on one line, over a connection to the mail server that the process's mail shares."""

import contextlib
import threading
import time
from smtplib import SMTPException

from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.signals import setting_changed
from django.db.models import QuerySet
from django.dispatch import receiver

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
    _deliver(message)
    # one statement, no transaction of its own: a marker another run wrote meanwhile stays
    SentMail.objects.bulk_create([SentMail(**key)], ignore_conflicts=True)
    return True


# A worker sends mail after mail: one connection serves them, instead of a connection, a
# greeting and (on a TLS relay) a handshake per message. A connection idle longer than this
# is not trusted: servers may drop it after five minutes (RFC 5321, 4.5.3.2.7), and a
# firewall sooner.
REUSE_WITHIN_SECONDS = 60.0


class _Relay(threading.local):
    backend: BaseEmailBackend | None = None
    used_at = 0.0


_relay = _Relay()


def _deliver(message: EmailMessage) -> None:
    """Send on this thread's open connection, or on a new one when there is none or it sat
    idle too long. A used connection that fails (the server closed it meanwhile) is replaced
    once; a new one that fails raises, for the task to retry."""
    reused = (
        _relay.backend is not None and time.monotonic() - _relay.used_at <= REUSE_WITHIN_SECONDS
    )
    if not reused:
        _forget_connection()
    try:
        _send_on_connection(message)
    except (SMTPException, OSError):
        if not reused:
            raise
        _send_on_connection(message)


def _send_on_connection(message: EmailMessage) -> None:
    if _relay.backend is None:
        backend = mailers.default
        backend.open()  # kept open: send_messages closes only what it opened itself
        _relay.backend = backend
    try:
        _relay.backend.send_messages([message])
    except (SMTPException, OSError):
        _forget_connection()
        raise
    _relay.used_at = time.monotonic()


def _forget_connection() -> None:
    backend, _relay.backend = _relay.backend, None
    if backend is not None:
        # a connection the server dropped has nothing left to close
        with contextlib.suppress(SMTPException, OSError):
            backend.close()


@receiver(setting_changed)
def _mail_server_changed(*, setting: str, **kwargs: object) -> None:
    if setting == "MAILERS":
        _forget_connection()
