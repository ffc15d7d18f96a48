"""Telling the customer (seed 001: "se comunica con el cliente para notificar la solución"):
on resolution one mail with the solution, the time worked, the charge where credits apply,
and a link that reopens the request in one click without signing in."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from contracts.models import Channel, Plan
from tests.factories import log_finished_work
from tests.tickets.conftest import top_up
from tickets import notifications
from tickets.models import Ticket
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_agent_reply, ticket_reopen, ticket_resolve

pytestmark = pytest.mark.django_db


def resolved(requester, agent, capture, *, minutes=70) -> Ticket:
    with capture(execute=True):
        ticket = ticket_open(channel=Channel.PORTAL, requester=requester, subject="DNS").ticket
        ticket_agent_reply(ticket, by=agent, body="Revisamos la zona.")
        log_finished_work(ticket, by=agent, started_at=timezone.now(), minutes=minutes, note="Zona")
        ticket_resolve(ticket, by=agent, reason="Registro MX corregido en la zona DNS.")
    return ticket


def notices(ticket: Ticket) -> list:
    return [m for m in mail.outbox if m.subject == f"[{ticket.number}] DNS" and "Resolv" in m.body]


def reopen_url(message) -> str:
    return re.search(r"http://testserver(/reopen/\S+/)", message.body).group(1)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver"


def test_the_notice_tells_the_solution_the_time_and_the_charge(
    requester, agent, django_capture_on_commit_callbacks
):
    top_up(requester.customer, 5)

    ticket = resolved(requester, agent, django_capture_on_commit_callbacks)

    [notice] = notices(ticket)
    assert notice.to == [requester.email]
    assert "Registro MX corregido en la zona DNS." in notice.body
    assert "Tiempo trabajado: 70 min." in notice.body
    assert f"Cargo: {Ticket.objects.get(pk=ticket.pk).charge_explanation}" in notice.body


def test_with_support_included_the_notice_speaks_of_no_charge(
    requester, agent, django_capture_on_commit_callbacks
):
    Plan.objects.update(support_model=Plan.SupportModel.INCLUDED)

    ticket = resolved(requester, agent, django_capture_on_commit_callbacks)

    [notice] = notices(ticket)
    assert "Tiempo trabajado: 70 min." in notice.body
    assert "Cargo" not in notice.body
    assert "crédito" not in notice.body


def test_with_included_hours_the_notice_says_what_came_from_them(
    requester, agent, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from djmoney.money import Money

    Plan.objects.update(
        support_model=Plan.SupportModel.INCLUDED,
        included_hours=Decimal("1"),
        overage=Plan.Overage.MONEY,
        overage_hour_price=Money("80000", "COP"),
    )

    ticket = resolved(requester, agent, django_capture_on_commit_callbacks)

    [notice] = notices(ticket)
    explanation = Ticket.objects.get(pk=ticket.pk).charge_explanation
    assert "horas incluidas" in explanation
    assert f"Horas incluidas: {explanation}" in notice.body
    assert "crédito" not in notice.body


def test_the_notice_is_sent_once_however_often_the_task_runs(
    requester, agent, django_capture_on_commit_callbacks
):
    top_up(requester.customer, 5)
    ticket = resolved(requester, agent, django_capture_on_commit_callbacks)

    notifications.send_resolution(ticket.pk)
    notifications.send_resolution(ticket.pk)

    assert len(notices(ticket)) == 1


def test_the_link_reopens_with_one_click_and_only_once(
    requester, agent, django_capture_on_commit_callbacks
):
    top_up(requester.customer, 5)
    ticket = resolved(requester, agent, django_capture_on_commit_callbacks)
    url = reopen_url(notices(ticket)[0])
    browser = Client()

    shown = browser.get(url)  # a mail scanner following the link changes nothing
    assert shown.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.RESOLVED
    assert "Reabrir la solicitud" in shown.text

    clicked = browser.post(url, {"reason": ""})

    assert "La reabrimos" in clicked.text
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.IN_PROGRESS
    again = browser.post(url, {"reason": ""})
    assert "ya no reabre" in again.text
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.IN_PROGRESS


def test_a_second_resolution_sends_a_new_link_and_the_old_one_is_spent(
    requester, agent, django_capture_on_commit_callbacks
):
    top_up(requester.customer, 5)
    ticket = resolved(requester, agent, django_capture_on_commit_callbacks)
    first = reopen_url(notices(ticket)[0])
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reopen(ticket, reason="sigue fallando")
        ticket_resolve(ticket, by=agent, reason="TTL reducido y caché vaciada.")

    first_link, second_link = (reopen_url(m) for m in notices(ticket))

    assert first_link == first
    assert "ya no reabre" in Client().get(first).text
    assert "Reabrir la solicitud" in Client().get(second_link).text


def test_a_tampered_link_is_not_found(requester, agent, django_capture_on_commit_callbacks):
    top_up(requester.customer, 5)
    ticket = resolved(requester, agent, django_capture_on_commit_callbacks)
    url = reopen_url(notices(ticket)[0])

    assert Client().get(url[:-3] + "xx/").status_code == 404


def test_customer_mail_is_plain_text_not_html_escaped(
    requester, agent, django_capture_on_commit_callbacks
):
    top_up(requester.customer, 5)
    subject = 'Correo "ventas" & <DNS>'
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_open(channel=Channel.PORTAL, requester=requester, subject=subject).ticket
        ticket_agent_reply(ticket, by=agent, body="Revisamos <MX> & SPF.")
        ticket_resolve(ticket, by=agent, reason="Listo: 'MX' & SPF")

    bodies = [m.body for m in mail.outbox if m.subject == f"[{ticket.number}] {subject}"]
    assert len(bodies) == 3  # acknowledgement, answer and resolution
    assert "Revisamos <MX> & SPF." in bodies[1]
    assert subject in bodies[0]
    assert subject in bodies[2]
    assert "Listo: 'MX' & SPF" in bodies[2]
