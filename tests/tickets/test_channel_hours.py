"""Channels open only in business hours (seed 002: Nivel 2 "chat y teléfono en horario
hábil"): outside them intake refuses, saying when the channel opens again and which channels
are open now; inside them the request is taken."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from contracts.models import Channel, Plan
from contracts.services import plan_update
from core.errors import InvalidInput
from tests.api.conftest import client_for
from tests.factories import make_agent, make_contact, make_contract, make_customer
from tickets.models import IntakeAttempt
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db
BOGOTA = ZoneInfo("America/Bogota")


@pytest.fixture
def nivel_2():
    call_command("load_presets", "support-tiers", stdout=io.StringIO())
    customer = make_customer(time_zone="America/Bogota")
    make_contract(customer, Plan.objects.get(code="soporte-nivel-2"))
    return make_contact(customer)


def test_a_chat_on_saturday_is_refused_with_when_it_opens_and_what_is_open(nivel_2):
    agent = make_agent()
    with time_machine.travel(datetime(2026, 11, 21, 10, tzinfo=BOGOTA), tick=False):
        result = ticket_open(channel=Channel.CHAT, requester=nivel_2, subject="Duda", by=agent)

    assert result.refusal.code == "channel_closed"
    assert result.refusal.field == "channel"
    english = result.refusal.message("en")
    assert "11/23/2026" in english  # Monday (the pages' short date format)
    assert "8" in english.split("opens again on")[1].split("(")[0]
    assert "portal, api, email" in english
    assert "23/11/2026 08:00" in result.refusal.message("es")
    assert IntakeAttempt.objects.get().reason == "channel_closed"


def test_a_chat_in_business_hours_and_a_ticket_at_night_are_taken(nivel_2):
    agent = make_agent()
    with time_machine.travel(datetime(2026, 11, 23, 9, tzinfo=BOGOTA), tick=False):
        chat = ticket_open(channel=Channel.CHAT, requester=nivel_2, subject="Duda", by=agent)
    with time_machine.travel(datetime(2026, 11, 21, 23, tzinfo=BOGOTA), tick=False):
        portal = ticket_open(channel=Channel.PORTAL, requester=nivel_2, subject="Caída")

    assert chat.accepted, chat.refusal
    assert portal.accepted, portal.refusal


def test_the_api_answers_422_naming_the_channel(nivel_2):
    staff = client_for(make_agent())
    with time_machine.travel(datetime(2026, 11, 21, 10, tzinfo=BOGOTA), tick=False):
        called = staff.post(
            "/api/v1/tickets/",
            {"subject": "Llamada", "requester": nivel_2.pk, "channel": "phone"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert called.status_code == 422
    assert called.json()["code"] == "channel_closed"
    assert "opens again" in called.json()["fields"]["channel"][0]


def test_only_channels_the_plan_takes_may_keep_business_hours(nivel_2):
    plan = Plan.objects.get(code="soporte-nivel-1")
    with pytest.raises(InvalidInput) as refused:
        plan_update(plan, business_hours_channels=[Channel.WHATSAPP])

    assert "business_hours_channels" in refused.value.fields
