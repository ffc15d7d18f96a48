"""The mail a process sends shares one connection to the mail server, which a real SMTP server
on loopback (aiosmtpd) counts: one connection for many messages, a new one when the server
dropped the old or it sat idle too long, and none kept across a change of mail server."""

import time

import pytest
from django.core.mail import EmailMessage

from background import mail as background_mail
from background.mail import mail_once

pytestmark = pytest.mark.django_db


def send(about: int, to: str = "ana@hotel.example") -> bool:
    message = EmailMessage(subject=f"Aviso {about}", body=f"Cuerpo {about}", to=[to])
    return mail_once(message, kind="test", about=about)


def test_the_messages_of_a_process_share_one_connection(smtp_server):
    server = smtp_server()

    assert all(send(about) for about in range(3))

    assert server.connections() == 1
    assert [body.rsplit("Cuerpo ", 1)[1].strip() for _, body in server.received] == [
        "0",
        "1",
        "2",
    ]


def test_a_connection_the_server_dropped_is_replaced_and_the_message_sent_once(smtp_server):
    server = smtp_server()
    server.drop_after_message = True
    assert send(1)
    time.sleep(0.3)  # the server has closed the connection the client still holds

    assert send(2)

    assert server.connections() == 2
    assert [body.count("Cuerpo 2") for _, body in server.received] == [0, 1]


def test_a_connection_idle_too_long_is_not_used_again(smtp_server, monkeypatch):
    server = smtp_server()
    monkeypatch.setattr(background_mail, "REUSE_WITHIN_SECONDS", -1.0)

    assert send(1)
    assert send(2)

    assert server.connections() == 2


def test_a_new_mail_server_gets_the_next_message(smtp_server):
    first = smtp_server()
    assert send(1)

    second = smtp_server()
    assert send(2)

    assert [len(first.received), len(second.received)] == [1, 1]


def test_a_refused_first_connection_raises_for_the_task_to_retry(dead_smtp):
    with pytest.raises(ConnectionRefusedError):
        send(1)
    assert not background_mail.SentMail.objects.exists()
