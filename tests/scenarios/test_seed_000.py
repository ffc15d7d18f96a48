"""Seed 000, through the public API: one hosting customer in Buenos Aires with the four SLA
service types under one contract. Advice (SLA 1) is answered within 2 business hours
(10:00-17:00, Monday to Friday); error reports and maintenance (SLA 2, 3) within 2 hours
around the clock, through the customer panel only; support is part of the hosting, so
nothing is held, charged or invoiced in credits."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from contracts.models import Contract
from credits.models import CreditHold, LedgerEntry
from tests.api.conftest import client_for
from tests.factories import make_agent
from tests.scenarios.conftest import sign_estudio_pampa
from tickets.clocks import answer_out_of_hours
from tickets.models import Contact, Ticket

pytestmark = pytest.mark.django_db
BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BUENOS_AIRES)


def response_due(body: dict) -> datetime:
    clock = next(clock for clock in body["clocks"] if clock["kind"] == "response")
    return datetime.fromisoformat(clock["due_at"]).astimezone(BUENOS_AIRES)


@pytest.fixture
def signed():
    """The account manager signs Estudio Pampa to hosting with SLA 1 to 4 (one contract)."""
    signed, types = sign_estudio_pampa()
    return signed["client"], types


@time_machine.travel(at(2026, 3, 6, 16), tick=False)
def test_the_customer_sees_the_four_service_types_with_their_policies(signed):
    customer, _types = signed

    listed = {row["code"]: row for row in customer.get("/api/v1/services/").json()["results"]}

    assert listed["sla1-asesoramiento"]["sla_policy"] == "altomarketing-sla-comercial"
    assert listed["sla3-errores"]["sla_policy"] == "altomarketing-sla-24h"
    assert listed["sla3-errores"]["allowed_channels"] == ["portal", "api"]
    assert listed["sla3-errores"]["default_impact"] == "high"


def test_advice_and_an_error_report_under_one_contract_run_on_their_own_hours(signed):
    customer, types = signed

    # Friday 16:00: advice, answered within 2 business hours -> Monday 11:00
    with time_machine.travel(at(2026, 3, 6, 16), tick=False):
        advice = customer.post(
            "/api/v1/tickets/",
            {"subject": "¿Cómo configuro el correo?", "service": types["sla1-asesoramiento"]},
            format="json",
        )
    assert advice.status_code == 201, advice.json()
    assert advice.json()["impact"] == "low"  # the type's default: the customer gave none
    assert response_due(advice.json()) == at(2026, 3, 9, 11)

    # Saturday 23:00: the site is down, reported through the panel -> Sunday 01:00
    with time_machine.travel(at(2026, 3, 7, 23), tick=False):
        outage = customer.post(
            "/api/v1/tickets/",
            {"subject": "El sitio no carga", "service": types["sla3-errores"]},
            format="json",
        )
    assert outage.status_code == 201, outage.json()
    assert outage.json()["impact"] == "high"
    assert response_due(outage.json()) == at(2026, 3, 8, 1)

    # Support is part of the hosting: nothing held or charged, nothing to invoice in credits
    assert not CreditHold.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_an_error_report_by_phone_is_refused_and_says_which_channels_take_it(signed):
    _customer, types = signed
    staff = client_for(make_agent())
    contact = Contact.objects.get(email="lucia@pampa.example")

    with time_machine.travel(at(2026, 3, 7, 23), tick=False):
        called = staff.post(
            "/api/v1/tickets/",
            {
                "subject": "Caída",
                "service": types["sla3-errores"],
                "requester": contact.pk,
                "channel": "phone",
            },
            format="json",
        )

    assert called.status_code == 422, called.json()
    assert called.json()["code"] == "channel_not_allowed"
    assert called.json()["message"] == (
        "Las solicitudes de «SLA 3: Reporte de errores» se reciben solo por Portal, API, "
        "no por Teléfono."
    )


def test_maintenance_that_is_a_usage_question_moves_to_business_hours(signed):
    customer, types = signed
    agent = client_for(make_agent())
    with time_machine.travel(at(2026, 3, 7, 23), tick=False):
        report = customer.post(
            "/api/v1/tickets/",
            {"subject": "No veo las copias", "service": types["sla2-mantenimiento"]},
            format="json",
        ).json()
    assert response_due(report) == at(2026, 3, 8, 1)

    # Sunday 00:30 the agent sees it is a usage question: SLA 1, counted from Monday 10:00
    with time_machine.travel(at(2026, 3, 8, 0, 30), tick=False):
        moved = agent.post(
            f"/api/v1/tickets/{report['id']}/reclassify/",
            {"service": types["sla1-asesoramiento"], "reason": "Consulta de uso: tutorial"},
            format="json",
        )

    assert moved.status_code == 200, moved.json()
    assert moved.json()["service"] == types["sla1-asesoramiento"]
    assert response_due(moved.json()) == at(2026, 3, 9, 12)
    refused = agent.post(
        f"/api/v1/tickets/{report['id']}/reclassify/",
        {"service": types["sla1-asesoramiento"], "reason": "otra vez"},
        format="json",
    )
    assert refused.status_code == 400
    assert "service" in refused.json()["fields"]


def test_an_agent_answering_web_work_outside_business_hours_is_warned(signed, client):
    customer, types = signed
    agent = make_agent()
    with time_machine.travel(at(2026, 3, 6, 16), tick=False):
        opened = customer.post(
            "/api/v1/tickets/",
            {"subject": "Cambiar el banner", "service": types["sla4-diseno-software"]},
            format="json",
        ).json()
    ticket = Ticket.objects.get(pk=opened["id"])
    client.force_login(agent)
    page = f"/workspace/tickets/{ticket.number}/"

    with time_machine.travel(at(2026, 3, 7, 11), tick=False):  # Saturday
        assert answer_out_of_hours(ticket, at=timezone.now())
        assert 'data-testid="out-of-hours"' in client.get(page).text
    with time_machine.travel(at(2026, 3, 9, 11), tick=False):  # Monday, open
        assert 'data-testid="out-of-hours"' not in client.get(page).text

    Contract.objects.filter(pk=ticket.contract_id).update(answers_outside_hours=True)
    ticket.refresh_from_db()
    assert not answer_out_of_hours(ticket, at=at(2026, 3, 7, 11))
