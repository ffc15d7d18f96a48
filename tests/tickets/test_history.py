"""A ticket's history as people read it, in their language: machine reasons (the intake
channel, an agent's reply) and charge explanations are not shown as stored codes or in the
language of whoever wrote them."""

import pytest
from django.utils import timezone, translation

from contracts.models import Channel
from tests.factories import log_finished_work
from tickets.selectors import ticket_history
from tickets.services import lifecycle
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(funded, agent, tuesday_morning):
    ticket = ticket_open(channel=Channel.PORTAL, requester=funded, subject="Correo lento").ticket
    lifecycle.ticket_agent_reply(ticket, by=agent, body="Lo revisamos.")
    log_finished_work(ticket, by=agent, started_at=timezone.now(), minutes=70)
    lifecycle.ticket_resolve(ticket, by=agent)
    return ticket


def reasons(ticket, language: str) -> list[tuple[str, str]]:
    with translation.override(language):
        return [(str(row["kind"]), str(row["reason"])) for row in ticket_history(ticket)]


def test_the_history_reads_in_spanish(resolved):
    shown = reasons(resolved, "es")

    assert shown[0] == ("Estado", "recibida por Portal")
    assert ("Estado", "respuesta del agente") in shown
    assert shown[-1] == ("Cargo", resolved.charge_explanation)
    assert "2 créditos" in shown[-1][1]


def test_the_history_reads_in_english(resolved):
    shown = reasons(resolved, "en")

    assert shown[0] == ("Status", "received through Portal")
    assert ("Status", "agent reply") in shown
    assert shown[-1] == ("Charge", resolved.charge_explanation_en)
    assert "2 credits" in shown[-1][1]


def test_a_reason_someone_typed_is_shown_as_typed(funded, agent, tuesday_morning):
    ticket = ticket_open(channel=Channel.EMAIL, requester=funded, subject="Correo lento").ticket
    lifecycle.ticket_transition(
        ticket, to_status="in_progress", by=agent, reason="reply sin respuesta del cliente"
    )

    assert reasons(ticket, "en")[-1][1] == "reply sin respuesta del cliente"


def test_a_regional_english_reads_the_charge_in_english(resolved):
    # "en-us" is English wherever Creditdesk picks a language (core.languages)
    shown = reasons(resolved, "en-us")

    assert shown[-1] == ("Charge", resolved.charge_explanation_en)


@pytest.mark.parametrize(
    ("language", "charged"), [("es", ("0,00", "2,00")), ("en", ("0.00", "2.00"))]
)
def test_a_charges_credits_are_written_as_the_reader_writes_them(resolved, language, charged):
    with translation.override(language):
        last = ticket_history(resolved)[-1]
    assert (last["from_value"], last["to_value"]) == charged
