"""A reopen asks for support again: only a customer who may ask now reopens (seed 003, II and
T&C 1), through every door (service, API, portal, the resolution notice's link, a mail reply),
and a customer's reply to a resolved ticket reopens it instead of vanishing on it."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from contracts.models import Channel
from contracts.services import contract_suspend
from credits.exceptions import ContractSuspended, InsufficientCredits
from credits.models import CreditAccount
from credits.services import credits_adjust
from tests.api.conftest import client_for
from tests.factories import make_portal_user
from tests.tickets.test_mail_intake import reply_to
from tickets import reopen_links
from tickets.models import IntakeAttempt, Ticket
from tickets.services import lifecycle
from tickets.services.intake import ticket_open
from tickets.services.mail_intake import mail_ingest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def resolved(funded, agent, tuesday_morning):
    ticket = ticket_open(channel=Channel.PORTAL, requester=funded, subject="DNS caído").ticket
    lifecycle.ticket_start_work(ticket, by=agent)
    lifecycle.ticket_resolve(ticket, by=agent)
    ticket.refresh_from_db()
    return ticket


def _spend_everything(customer, manager) -> CreditAccount:
    account = CreditAccount.objects.get(customer=customer)
    credits_adjust(account=account, credits=-account.available, reason="Saldo usado", by=manager)
    account.refresh_from_db()
    assert account.available == Decimal("0.00")
    return account


def _unchanged(ticket: Ticket) -> None:
    status = ticket.status
    ticket.refresh_from_db()
    assert ticket.status == status == Ticket.Status.RESOLVED


def test_a_customer_without_the_credits_of_a_request_cannot_reopen(resolved, agent, manager):
    _spend_everything(resolved.customer, manager)

    with pytest.raises(InsufficientCredits) as refused:
        lifecycle.ticket_reopen(resolved, by=agent, reason="Volvió a fallar")

    assert refused.value.code == "insufficient_credits"
    assert "créditos disponibles" in refused.value.message("es")
    assert "available credits" in refused.value.message("en")
    _unchanged(resolved)
    assert not resolved.events.filter(to_value=Ticket.Status.REOPENED).exists()


def test_a_suspended_contract_cannot_reopen(resolved, agent, manager):
    contract_suspend(resolved.contract, by=manager, reason="Factura vencida")

    with pytest.raises(ContractSuspended):
        lifecycle.ticket_reopen(resolved, by=agent, reason="Volvió a fallar")

    _unchanged(resolved)


def test_a_solvent_customer_reopens_and_the_ticket_goes_back_to_work(resolved, agent):
    lifecycle.ticket_reopen(resolved, by=agent, reason="Volvió a fallar")

    resolved.refresh_from_db()
    assert resolved.status == Ticket.Status.IN_PROGRESS
    assert resolved.outcome == ""


@pytest.mark.parametrize(
    ("language", "words"), [("es", "créditos disponibles"), ("en", "available credits")]
)
def test_the_api_refuses_the_reopen_with_the_solvency_code_in_the_readers_language(
    resolved, manager, language, words
):
    _spend_everything(resolved.customer, manager)
    user = make_portal_user(resolved.requester)

    answer = client_for(user).post(
        f"/api/v1/tickets/{resolved.pk}/transitions/",
        {"to_status": "reopened", "reason": "Sigue fallando"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert answer.status_code == 402
    assert answer.json()["code"] == "insufficient_credits"
    assert words in answer.json()["message"]
    _unchanged(resolved)


def test_the_portal_shows_the_refusal_on_the_reopen_form(resolved, manager):
    _spend_everything(resolved.customer, manager)
    browser = Client()
    browser.force_login(make_portal_user(resolved.requester))

    page = browser.post(
        f"/portal/tickets/{resolved.number}/reopen/",
        {"reason": "Sigue fallando"},
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert page.status_code == 200
    assert "créditos disponibles" in page.content.decode()
    _unchanged(resolved)


def test_the_resolution_notices_link_shows_the_refusal(resolved, manager):
    _spend_everything(resolved.customer, manager)
    resolution = reopen_links.resolution_event(resolved)
    url = f"/reopen/{reopen_links.reopen_token(resolved, resolution)}/"

    page = Client().post(url, {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    assert "available credits" in page.content.decode()
    _unchanged(resolved)


def test_a_mail_reply_to_a_resolved_ticket_reopens_it_with_the_reply(resolved):
    outcome = mail_ingest(reply_to(resolved))

    resolved.refresh_from_db()
    assert outcome.action == "replied"
    assert resolved.status == Ticket.Status.IN_PROGRESS
    assert resolved.messages.last().body.startswith("Adjunto la información")
    assert resolved.events.filter(to_value=Ticket.Status.REOPENED).exists()
    assert Ticket.objects.count() == 1


def test_a_mail_reply_from_an_insolvent_customer_is_refused_and_answered(
    resolved, manager, django_capture_on_commit_callbacks
):
    _spend_everything(resolved.customer, manager)
    messages = resolved.messages.count()

    with django_capture_on_commit_callbacks(execute=True):
        outcome = mail_ingest(reply_to(resolved))

    assert (outcome.action, outcome.detail) == ("refused", "insufficient_credits")
    _unchanged(resolved)
    assert resolved.messages.count() == messages
    attempt = IntakeAttempt.objects.get()
    assert (attempt.reason, attempt.contact) == ("insufficient_credits", resolved.requester)
    [refusal] = [sent for sent in mail.outbox if sent.to == [resolved.requester.email]]
    assert "créditos disponibles" in refusal.body


def test_a_contacts_api_message_on_a_resolved_ticket_reopens_it(resolved):
    user = make_portal_user(resolved.requester)

    answer = client_for(user).post(
        f"/api/v1/tickets/{resolved.pk}/messages/", {"body": "Sigue sin resolver"}, format="json"
    )

    assert answer.status_code == 201
    resolved.refresh_from_db()
    assert resolved.status == Ticket.Status.IN_PROGRESS


def test_a_reopen_holds_the_minimum_again_and_the_next_resolution_gives_it_back(resolved, agent):
    account = CreditAccount.objects.get(customer=resolved.customer)
    available = account.available

    lifecycle.ticket_reopen(resolved, by=agent, reason="Volvió a fallar")

    resolved.refresh_from_db()
    account.refresh_from_db()
    assert resolved.hold.is_active
    assert account.available == available - resolved.hold.credits
    lifecycle.ticket_resolve(resolved, by=agent)
    account.refresh_from_db()
    resolved.hold.refresh_from_db()
    assert not resolved.hold.is_active
    assert account.available == available
