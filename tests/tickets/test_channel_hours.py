"""Channels open only in business hours (seed 002: Nivel 2 "chat y teléfono en horario
hábil"): outside them intake refuses, saying when the channel opens again and which channels
are open now; inside them the request is taken."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation

from contracts.models import Channel, Plan
from contracts.services import plan_update
from core.errors import InvalidInput
from core.formatting import zone_label
from tests.api.conftest import client_for
from tests.factories import make_agent, make_contact, make_contract, make_customer
from tickets.exceptions import ChannelClosed
from tickets.models import IntakeAttempt
from tickets.services.intake import intake_evaluate, ticket_open

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
    assert "23 Nov 2026" in english  # Monday (the pages' short date format)
    assert "8" in english.split("opens again on")[1].split("(")[0]
    assert "Portal, API, Email" in english
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


SATURDAY = datetime(2026, 11, 21, 10, tzinfo=BOGOTA)
MONDAY_OPENING = datetime(2026, 11, 23, 8, tzinfo=BOGOTA)


def test_the_refusal_names_the_channel_the_opening_in_the_customers_zone_and_what_is_open(
    nivel_2,
):
    # The portal's preview asks about now, with no `at`. The trip is given in UTC: a zoned
    # destination would also set the process's local zone to Bogotá's, and a refusal shown
    # in the server's zone instead of the customer's would pass unseen.
    now = SATURDAY.astimezone(UTC)
    with time_machine.travel(now, tick=False), pytest.raises(ChannelClosed) as closed:
        intake_evaluate(requester=nivel_2, channel=Channel.CHAT)

    params = closed.value.params
    assert params["channel"] == Channel.CHAT.label
    assert params["opens_at"] == MONDAY_OPENING
    assert params["opens_at"].utcoffset() == timedelta(hours=-5)  # shown in Bogotá's time
    assert params["zone"] == zone_label("America/Bogota")
    with translation.override("es"):  # labels, each read in the message's language
        assert str(params["open_channels"]) == "Portal, API, Correo"


def test_the_moment_asked_about_decides_not_the_clock(nivel_2):
    with time_machine.travel(MONDAY_OPENING + timedelta(hours=1), tick=False):
        with pytest.raises(ChannelClosed):
            intake_evaluate(requester=nivel_2, channel=Channel.CHAT, at=SATURDAY)
        intake_evaluate(requester=nivel_2, channel=Channel.CHAT)  # open now: no refusal


def test_a_plan_whose_every_channel_keeps_hours_says_none_is_open(nivel_2):
    plan = nivel_2.customer.contracts.get().plan
    plan_update(
        plan,
        allowed_channels=[Channel.CHAT, Channel.PHONE],
        business_hours_channels=[Channel.CHAT, Channel.PHONE],
    )
    with time_machine.travel(SATURDAY, tick=False), pytest.raises(ChannelClosed) as closed:
        intake_evaluate(requester=nivel_2, channel=Channel.CHAT)

    assert closed.value.params["open_channels"] == "—"
