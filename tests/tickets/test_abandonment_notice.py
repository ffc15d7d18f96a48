"""Seed 003 VIII.b: a request whose information requests go unanswered is closed as
abandoned, and the customer hears it, with what the work done on it was charged."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from contracts.models import Channel
from credits.models import CreditAccount
from tickets import tasks
from tickets.models import Ticket
from tickets.services import charging, lifecycle
from tickets.services.intake import ticket_open
from tickets.services.mail_intake import mail_ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(funded, agent, tuesday_morning):
    ticket = ticket_open(channel=Channel.PORTAL, requester=funded, subject="DNS caído").ticket
    lifecycle.ticket_agent_reply(ticket, by=agent, body="¿Qué dominio?", asks_for_information=True)
    return ticket


def _abandon(ticket, traveller, callbacks) -> Ticket:
    for _ in range(2):
        traveller.shift(timedelta(days=4))
        with callbacks(execute=True):
            lifecycle.tickets_chase_unanswered()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.ABANDONED
    return ticket


def _notices(ticket) -> list:
    return [sent for sent in mail.outbox if "Cerramos su solicitud" in sent.body]


def test_the_customer_hears_the_request_closed_and_the_work_it_was_charged(
    waiting, agent, tuesday_morning, django_capture_on_commit_callbacks
):
    tuesday_morning.shift(timedelta(hours=2))
    charging.worklog_add(
        waiting, by=agent, started_at=timezone.now() - timedelta(minutes=70), minutes=70
    )
    balance = CreditAccount.objects.get(customer=waiting.customer).balance

    ticket = _abandon(waiting, tuesday_morning, django_capture_on_commit_callbacks)

    [notice] = _notices(ticket)
    assert notice.to == [ticket.requester.email]
    assert notice.subject == f"[{ticket.number}] DNS caído"
    assert notice.extra_headers["Auto-Submitted"] == "auto-replied"
    assert "no recibimos la información que le pedimos" in notice.body
    assert f"Cargo por el trabajo realizado: {ticket.charge_explanation}" in notice.body
    assert CreditAccount.objects.get(customer=ticket.customer).balance == balance - Decimal("2")


def test_without_work_the_notice_names_no_charge_and_speaks_the_customers_language(
    waiting, tuesday_morning, django_capture_on_commit_callbacks
):
    waiting.requester.language = "en"
    waiting.requester.save(update_fields=["language"])

    ticket = _abandon(waiting, tuesday_morning, django_capture_on_commit_callbacks)

    [notice] = [sent for sent in mail.outbox if "We closed your request" in sent.body]
    assert "did not receive the information we asked for" in notice.body
    assert "Charge" not in notice.body
    assert ticket.hold.status == "released"


def test_the_notice_is_sent_once_however_often_its_task_runs(
    waiting, tuesday_morning, django_capture_on_commit_callbacks
):
    ticket = _abandon(waiting, tuesday_morning, django_capture_on_commit_callbacks)

    tasks.send_abandonment.call(ticket.pk)

    assert len(_notices(ticket)) == 1


def test_a_reply_to_the_notice_opens_a_follow_up(
    waiting, tuesday_morning, django_capture_on_commit_callbacks
):
    ticket = _abandon(waiting, tuesday_morning, django_capture_on_commit_callbacks)
    [notice] = _notices(ticket)
    reply = (
        f"From: {ticket.requester.email}\r\nTo: soporte@proveedor.example\r\n"
        f"Subject: Re: {notice.subject}\r\nMessage-ID: <re-abandono@andino.example>\r\n"
        "\r\nEl dominio es andino.example.\r\n"
    ).encode()

    outcome = mail_ingest(reply)

    assert outcome.action == "opened"
    assert outcome.ticket.follows_up == ticket
