"""Refusals word statuses, channels and file types with their labels in the reader's
language, never with the codes stored in the database ("acknowledged", "phone")."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone, translation

from contracts.models import Channel, Plan
from tests.api.conftest import client_for
from tests.factories import make_agent, make_contact, make_contract, make_customer, make_service
from tickets.attachments import NAMES
from tickets.exceptions import (
    AttachmentTypeMismatch,
    ChannelClosed,
    ChannelNotAllowed,
    IllegalTicketTransition,
    ServiceChannelNotAllowed,
    SessionNotScheduled,
)
from tickets.services import charging, lifecycle
from tickets.services.attachments import attachments_check
from tickets.services.intake import intake_evaluate, ticket_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(funded, tuesday_morning):
    return ticket_open(channel=Channel.PORTAL, requester=funded, subject="DNS caído").ticket


def test_an_illegal_transition_names_both_statuses_by_their_labels_and_the_to_status_field(
    ticket,
):
    with pytest.raises(IllegalTicketTransition) as refused:
        lifecycle.ticket_transition(ticket, to_status="closed")

    assert refused.value.message("es") == (
        "Una solicitud en estado Recibido no puede pasar a Cerrado."
    )
    assert refused.value.message("en") == "A ticket in state Received cannot move to Closed."
    assert refused.value.field == "to_status"


def test_the_api_names_the_field_of_the_request_and_labels_in_its_language(ticket):
    url = f"/api/v1/tickets/{ticket.pk}/transitions/"
    agent = make_agent()
    answers = {
        language: client_for(agent).post(
            url, {"to_status": "closed"}, format="json", HTTP_ACCEPT_LANGUAGE=language
        )
        for language in ("es", "en")
    }

    for answer in answers.values():
        assert answer.status_code == 409
        assert answer.json()["code"] == "illegal_transition"
    spanish, english = answers["es"].json(), answers["en"].json()
    assert spanish["message"] == "Una solicitud en estado Recibido no puede pasar a Cerrado."
    assert english["message"] == "A ticket in state Received cannot move to Closed."
    assert english["fields"] == {"to_status": [english["message"]]}


def test_a_channel_the_plan_does_not_take_is_named_by_its_label(funded, plan):
    with pytest.raises(ChannelNotAllowed) as refused:
        intake_evaluate(requester=funded, channel=Channel.PHONE)

    assert refused.value.message("es") == (
        f"El plan {plan.name} no recibe solicitudes por Teléfono."
    )
    assert refused.value.message("en") == f"The {plan.name} plan does not take requests by Phone."


def test_a_services_channels_are_named_by_their_labels(funded, contract):
    service = make_service(name="Hosting", allowed_channels=[Channel.PORTAL, Channel.PHONE])
    contract.services.set([service])

    with pytest.raises(ServiceChannelNotAllowed) as refused:
        intake_evaluate(requester=funded, channel=Channel.EMAIL, service=service)

    assert refused.value.message("es") == (
        "Las solicitudes de «Hosting» se reciben solo por Portal, Teléfono, no por Correo."
    )
    assert refused.value.message("en") == (
        "Requests about “Hosting” are taken only by Portal, Phone, not by Email."
    )


def test_a_closed_channel_and_the_open_ones_are_named_by_their_labels():
    call_command("load_presets", "support-tiers", stdout=io.StringIO())
    customer = make_customer(time_zone="America/Bogota")
    make_contract(customer, Plan.objects.get(code="soporte-nivel-2"))
    contact = make_contact(customer)
    saturday = datetime(2026, 11, 21, 10, tzinfo=ZoneInfo("America/Bogota"))
    with time_machine.travel(saturday, tick=False):
        result = ticket_open(
            channel=Channel.PHONE, requester=contact, subject="Llamada", by=make_agent()
        )

    assert isinstance(result.refusal, ChannelClosed)
    spanish, english = result.refusal.message("es"), result.refusal.message("en")
    assert spanish.startswith("El canal Teléfono atiende en horario hábil")
    assert spanish.endswith("Ahora puede escribir por: Portal, API, Correo.")
    assert english.startswith("The Phone channel works in business hours")
    assert english.endswith("Right now you can write through: Portal, API, Email.")


def test_a_session_no_longer_scheduled_is_named_by_its_status_label(ticket, agent):
    session = charging.session_schedule(
        ticket, by=agent, starts_at=timezone.now() + timedelta(days=1)
    )
    charging.session_cancel(session)

    with pytest.raises(SessionNotScheduled) as refused:
        charging.session_cancel(session)

    assert refused.value.message("es") == "La sesión no está programada (estado Cancelada)."
    assert refused.value.message("en") == "The session is not scheduled (state Cancelled)."


def test_text_is_named_in_the_readers_language_alone():
    with translation.override("es"):
        assert str(NAMES["text/plain"]) == "texto"
    with translation.override("en"):
        assert str(NAMES["text/plain"]) == "text"

    page = SimpleUploadedFile("pagina.html", b"<p>hola</p>", content_type="text/html")
    with pytest.raises(AttachmentTypeMismatch) as refused:
        attachments_check([page])

    assert refused.value.message("es") == (
        "«pagina.html» tiene contenido texto, que no corresponde a su extensión."
    )
    assert refused.value.message("en") == (
        "«pagina.html» contains text, which does not match its extension."
    )
