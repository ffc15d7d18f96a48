"""Seed 003, "Condiciones del servicio" d.: a request by e-mail describes "el impacto de su
solicitud para el negocio y prioridad sugerida", and the provider "verifica el nivel de
prioridad" (V.b). A mail's "Impacto:" line sets the ticket's impact, as a portal request's
choice does; its "Prioridad sugerida:" line is kept for staff to verify, and never decides
the priority on its own (`tickets.mail.stated_priority`)."""

import pytest

from sla.choices import Impact, Priority
from tests.api.conftest import client_for
from tests.factories import make_agent
from tickets.mail import stated_priority
from tickets.models import Ticket
from tickets.services.mail_intake import mail_ingest

pytestmark = pytest.mark.django_db

HEADERS = (
    "From: Ana Gómez <ana@andino.example>\r\n"
    "To: soporte@creditdesk.example\r\n"
    "Subject: El servidor web no responde\r\n"
    "Message-ID: <{id}@andino.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\n"
)


def raw(body: str, message_id: str = "prio-1") -> bytes:
    return (HEADERS.format(id=message_id) + body).encode()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_mail_states_its_impact_and_suggests_a_priority(funded, tuesday_morning):
    body = (
        "Desde las 14:30 el sitio devuelve error 502 y no podemos facturar.\n\n"
        "Impacto: alto\n"
        "Prioridad sugerida: 1 (crítica)\n"
    )

    ticket = mail_ingest(raw(body)).ticket

    assert ticket.impact == Impact.HIGH
    assert ticket.suggested_priority == Priority.P1
    # The matrix still decides: the suggestion waits for staff to verify it.
    unsuggested = mail_ingest(raw("Impacto: alto\n", message_id="prio-2")).ticket
    assert ticket.priority == unsuggested.priority
    assert ticket.priority_override_reason == ""


def test_a_mail_without_those_lines_keeps_the_defaults(funded, tuesday_morning):
    ticket = mail_ingest(raw("El sitio devuelve error 502.\n")).ticket

    assert ticket.impact == Impact.MEDIUM
    assert ticket.suggested_priority == ""


def test_quoted_lines_and_unknown_values_are_not_read(funded, tuesday_morning):
    body = "Prioridad sugerida: cuanto antes\n\n> Impacto: alto\n> Prioridad: 1\n"

    ticket = mail_ingest(raw(body)).ticket

    assert (ticket.impact, ticket.suggested_priority) == (Impact.MEDIUM, "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Impacto: Alto\nPrioridad sugerida: P2", (Impact.HIGH, Priority.P2)),
        ("impacto para el negocio = medio\nprioridad: media", (Impact.MEDIUM, Priority.P3)),
        ("Impact: low\nSuggested priority: Priority 4 (Low)", (Impact.LOW, Priority.P4)),
        ("  - Impacto: bajo\n  - Prioridad sugerida: Crítica", (Impact.LOW, Priority.P1)),
        ("Prioridad sugerida: alta", (None, Priority.P2)),
        ("Prioridad sugerida: convenida", (None, Priority.PLANNED)),
        ("Prioridad sugerida: 5", (None, None)),
        ("Impacto: enorme", (None, None)),
        ("La prioridad: no la sé", (None, None)),
        # The first statement counts; a later one (a signature, a forwarded mail) does not.
        ("Impacto: bajo\nImpacto: alto", (Impact.LOW, None)),
    ],
)
def test_stated_priority_reads_spanish_and_english_labels(text, expected):
    assert stated_priority(text) == expected


def test_the_suggestion_is_shown_to_staff_until_they_verify_it(funded, tuesday_morning, client):
    ticket = mail_ingest(raw("Impacto: bajo\nPrioridad sugerida: 1\n")).ticket
    client.force_login(make_agent())

    page = client.get(f"/workspace/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="suggested-priority"' in page
    assert "P1 Crítica" in page

    answer = client.post(
        f"/workspace/tickets/{ticket.number}/priority/",
        {"priority": Priority.P1, "reason": "Verificada: sin facturación, impacto real alto"},
    )

    ticket.refresh_from_db()
    assert answer.status_code == 302
    assert ticket.priority == Priority.P1
    assert ticket.priority_override_reason.startswith("Verificada")
    page = client.get(f"/workspace/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="suggested-priority"' not in page


def test_the_priority_form_names_its_refusals(funded, tuesday_morning, client):
    ticket = mail_ingest(raw("Prioridad sugerida: 1\n")).ticket
    client.force_login(make_agent())

    answer = client.post(
        f"/workspace/tickets/{ticket.number}/priority/", {"priority": Priority.P1, "reason": ""}
    )

    ticket.refresh_from_db()
    assert answer.status_code == 200
    assert "Motivo del cambio de prioridad" in answer.content.decode()
    assert ticket.priority != Priority.P1


def test_only_signed_in_staff_change_the_priority(funded, tuesday_morning, client):
    ticket = mail_ingest(raw("Prioridad sugerida: 1\n")).ticket

    answer = client.post(
        f"/workspace/tickets/{ticket.number}/priority/", {"priority": "p1", "reason": "x"}
    )

    assert answer.status_code == 302
    assert "/login" in answer["Location"] or "login" in answer["Location"]
    assert Ticket.objects.get().priority == ticket.priority


def test_the_api_takes_and_shows_a_suggested_priority(funded, tuesday_morning):
    client = client_for(make_agent())
    asked = {"subject": "Caída", "requester": funded.pk, "impact": "high"}

    created = client.post("/api/v1/tickets/", asked | {"suggested_priority": "p1"}, format="json")
    refused = client.post("/api/v1/tickets/", asked | {"suggested_priority": "p9"}, format="json")

    assert created.status_code == 201
    assert created.json()["suggested_priority"] == "p1"
    assert refused.status_code == 400
    assert "suggested_priority" in refused.json()["fields"]


def test_a_finished_ticket_keeps_its_priority(funded, tuesday_morning):
    from core.errors import InvalidInput
    from tickets.services import lifecycle

    agent = make_agent()
    ticket = mail_ingest(raw("Prioridad sugerida: 1\n")).ticket
    lifecycle.ticket_start_work(ticket, by=agent)
    lifecycle.ticket_resolve(ticket, by=agent)
    lifecycle.ticket_close(ticket, by=agent)

    with pytest.raises(InvalidInput) as refusal:
        lifecycle.ticket_override_priority(ticket, priority="p1", by=agent, reason="tarde")

    assert "priority" in refusal.value.fields


def test_the_ticket_page_gives_each_field_its_own_id(funded, tuesday_morning, client):
    """Several forms share the page, most with a "reason": a label that named a shared id
    focused the status form's reason from the priority form's label."""
    import collections
    import re

    ticket = mail_ingest(raw("Prioridad sugerida: 1\n")).ticket
    client.force_login(make_agent())

    page = client.get(f"/workspace/tickets/{ticket.number}/").content.decode()

    ids = collections.Counter(re.findall(r'\bid="([^"]+)"', page))
    assert [name for name, count in ids.items() if count > 1] == []
