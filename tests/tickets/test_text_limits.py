"""Descriptions, messages and notes hold at most 20,000 characters: refused with a clear
error naming the field, nothing written, through the service, the API and the portal; mail,
which has no form to answer, keeps the first 20,000 and says it was cut."""

import pytest
from django.test import Client

from contracts.models import Channel
from core.errors import InvalidInput
from tickets.models import TEXT_LIMIT, IntakeAttempt, Message, Ticket
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_customer_reply

TOO_LONG = "x" * (TEXT_LIMIT + 1)


def test_a_description_over_the_limit_is_refused_and_nothing_is_written(funded):
    with pytest.raises(InvalidInput) as refused:
        ticket_open(channel=Channel.PORTAL, requester=funded, subject="Log", description=TOO_LONG)
    assert "description" in refused.value.fields
    assert "20000" in " ".join(refused.value.fields["description"])
    assert not Ticket.objects.exists()
    assert not IntakeAttempt.objects.exists()
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=funded, subject="Log", description="x" * TEXT_LIMIT
    ).ticket
    assert ticket is not None


def test_a_reply_over_the_limit_is_refused(funded):
    ticket = ticket_open(channel=Channel.PORTAL, requester=funded, subject="Caída").ticket
    messages = Message.objects.count()
    with pytest.raises(InvalidInput) as refused:
        ticket_customer_reply(ticket, contact=funded, body=TOO_LONG)
    assert "body" in refused.value.fields
    assert Message.objects.count() == messages


def test_the_portal_form_shows_the_error(funded, client: Client):
    from tests.factories import make_portal_user

    client.force_login(make_portal_user(funded, username="largo"))
    page = client.post(
        "/portal/tickets/new/",
        {"subject": "Log", "description": TOO_LONG, "impact": "medium", "urgency": "medium"},
    )
    assert page.status_code == 200
    assert "Admite hasta 20000 caracteres" in page.content.decode()
    assert not Ticket.objects.exists()


def test_the_api_names_the_field(funded):
    from tests.api.conftest import client_for
    from tests.factories import make_portal_user

    api = client_for(make_portal_user(funded, username="largo"))
    answer = api.post(
        "/api/v1/tickets/", {"subject": "Log", "description": TOO_LONG}, format="json"
    )
    assert answer.status_code == 400
    assert "description" in answer.json()["fields"]
    assert not Ticket.objects.exists()
