"""The status pages through Django's test client: the public page, its JSON and an
incident's page without signing in, in Spanish and English; the portal's banners; the
workspace's authoring by role; a ticket's incident links."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from contracts.models import Channel
from statuspage import services
from statuspage.models import (
    Impact,
    Incident,
    IncidentUpdate,
    IncidentUpdateMessage,
    Maintenance,
    State,
)
from tests.factories import make_finance_user, make_portal_user
from tests.web.conftest import top_up
from tickets.models import Message
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def incident(catalogue, shop):
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        return services.incident_open(
            title="Correo caído",
            title_en="Email down",
            body="Investigamos fallas de envío.",
            body_en="We are looking into failed sends.",
            impact=Impact.MAJOR,
            components=[catalogue.mail_component],
            by=shop.agent,
        )


def _client(user=None, language="es") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def _text(answer) -> str:
    return re.sub(r"\s+", " ", answer.content.decode())


def _open_ticket(shop):
    """A request of the shop's contact, with the credits intake needs."""
    top_up(shop.customer, "5")
    return ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Sin correo").ticket


@time_machine.travel(NOW, tick=False)
def test_the_public_page_needs_no_login_and_shows_the_incident(incident):
    answer = _client().get("/status/")

    assert answer.status_code == 200
    page = _text(answer)
    assert "Estado del servicio" in page
    assert "Hay servicios interrumpidos." in page
    assert "Correo caído" in page
    assert "Investigamos fallas de envío." in page
    assert "Interrupción total" in page
    assert page.count('data-testid="component"') == 4
    assert 'type="application/atom+xml"' in page
    assert "Horas en UTC" in page


@time_machine.travel(NOW, tick=False)
def test_the_public_page_in_english_shows_the_english_texts(incident):
    client = _client(language="en")
    client.cookies["django_language"] = "en"

    page = _text(client.get("/status/"))

    assert '<html lang="en">' in page
    assert "Email down" in page
    assert "We are looking into failed sends." in page
    assert "Customer panel" in page


@time_machine.travel(NOW, tick=False)
def test_the_readers_zone_shows_the_times_and_an_unknown_one_is_ignored(incident):
    bogota = _text(_client().get("/status/?tz=America/Bogota"))
    unknown = _client().get("/status/?tz=../../etc/passwd")

    assert "09/03/2026 09:00" in bogota or "9/03/2026 09:00" in bogota or "09:00" in bogota
    assert "Bogotá (UTC-05:00)" in bogota
    assert unknown.status_code == 200
    assert "Horas en UTC" in _text(unknown)


@time_machine.travel(NOW, tick=False)
def test_a_signed_in_contact_reads_it_in_the_customers_zone(incident, shop):
    page = _text(_client(shop.user).get("/status/"))

    assert "Bogotá (UTC-05:00)" in page


@time_machine.travel(NOW, tick=False)
def test_the_incident_page_lists_every_update(incident, shop):
    services.incident_update_post(
        incident, state=State.IDENTIFIED, body="Disco lleno en el servidor.", by=shop.agent
    )

    answer = _client().get(f"/status/incidents/{incident.pk}/")

    page = _text(answer)
    assert answer.status_code == 200
    assert page.index("Disco lleno") < page.index("Investigamos fallas")  # newest first
    assert _client().get("/status/incidents/987654/").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_the_json_endpoint_is_the_api_document(incident, catalogue):
    answer = _client(language="en").get("/status.json")

    assert answer.status_code == 200
    assert answer["Access-Control-Allow-Origin"] == "*"
    body = json.loads(answer.content)
    assert body["status"] == "major_outage"
    assert body["time_zone"] == "UTC"
    mail = next(c for c in body["components"] if c["code"] == "correo")
    assert mail["status"] == "major_outage"
    assert mail["name"] == "Email"
    assert len(mail["history"]) == 90
    assert mail["history"][-1] == {"date": "2026-03-10", "status": "major_outage"}
    [open_incident] = body["incidents"]
    assert open_incident["title"] == "Email down"
    assert open_incident["title_es"] == "Correo caído"
    assert open_incident["linked_tickets"] == []
    assert open_incident["url"] == f"http://testserver/status/incidents/{incident.pk}/"
    assert open_incident["updates"][0]["body"] == "We are looking into failed sends."


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_and_the_request_form_warn_of_an_incident_on_the_customers_services(
    incident, shop, catalogue
):
    services.incident_open(
        title="VPS lentos",
        body="Revisamos.",
        impact=Impact.DEGRADED,
        components=[catalogue.vps_component],
    )
    client = _client(shop.user)

    dashboard = _text(client.get("/portal/"))
    form = _text(client.get("/portal/tickets/new/"))

    assert 'data-testid="status-notice"' in dashboard
    assert "Correo caído" in dashboard
    assert "VPS lentos" not in dashboard  # not a service of theirs
    assert "Antes de escribir:" in form
    assert "Correo caído" in form
    assert f'href="/status/incidents/{incident.pk}/"' in form


@time_machine.travel(NOW, tick=False)
def test_no_banner_without_an_incident_on_the_customers_services(catalogue, shop):
    services.incident_open(
        title="VPS lentos",
        body="Revisamos.",
        impact=Impact.DEGRADED,
        components=[catalogue.vps_component],
    )

    assert 'data-testid="status-notice"' not in _text(_client(shop.user).get("/portal/"))


@time_machine.travel(NOW, tick=False)
def test_maintenance_alone_is_announced_as_maintenance_not_as_a_problem(catalogue, shop):
    services.maintenance_schedule(
        title="Cambio de discos",
        components=[catalogue.mail_component],
        starts_at=NOW + timedelta(hours=30),
        ends_at=NOW + timedelta(hours=31),
    )
    client = _client(shop.user)

    dashboard = _text(client.get("/portal/"))
    form = _text(client.get("/portal/tickets/new/"))

    assert "Cambio de discos" in dashboard
    assert "Cambio de discos" in form
    assert "Problemas en sus servicios" not in dashboard
    assert "Mantenimiento en sus servicios" in dashboard
    assert "hay un problema en curso" not in form
    assert "hay un mantenimiento programado o en curso en sus servicios" in form


@time_machine.travel(NOW, tick=False)
def test_the_navigation_offers_the_status_page(catalogue, shop):
    assert 'href="/status/"' in _text(_client(shop.user).get("/portal/"))
    assert 'href="/workspace/status/"' in _text(_client(shop.agent).get("/workspace/"))


def test_staff_publish_an_incident_and_a_refusal_lands_on_the_form(catalogue, shop):
    client = _client(shop.agent)

    refused = client.post(
        "/workspace/status/incidents/",
        {
            "title": "Hosting lento",
            "impact": Impact.DEGRADED,
            "state": State.INVESTIGATING,
            "components": [catalogue.hosting_component.pk],
            "body": "Revisamos.",
            "started_at": "2020-01-01T10:00",
        },
    )
    assert refused.status_code == 200
    assert "La hora debe estar entre" in _text(refused)
    assert not Incident.objects.exists()

    answer = client.post(
        "/workspace/status/incidents/?tz=America/Bogota",
        {
            "title": "Hosting lento",
            "impact": Impact.DEGRADED,
            "state": State.INVESTIGATING,
            "components": [catalogue.hosting_component.pk],
            "body": "Revisamos.",
            "tz": "America/Bogota",
        },
    )
    incident = Incident.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/workspace/status/incidents/{incident.pk}/?tz=America/Bogota"
    assert incident.opened_by == shop.agent


def test_a_typed_start_is_read_in_the_pages_zone(catalogue, shop):
    with time_machine.travel(NOW, tick=False):
        _client(shop.agent).post(
            "/workspace/status/incidents/",
            {
                "title": "Hosting lento",
                "impact": Impact.DEGRADED,
                "state": State.INVESTIGATING,
                "components": [catalogue.hosting_component.pk],
                "body": "Revisamos.",
                "started_at": "2026-03-10T08:30",
                "tz": "America/Bogota",
            },
        )
    assert Incident.objects.get().started_at == datetime(2026, 3, 10, 13, 30, tzinfo=UTC)


def test_an_update_is_posted_and_sent_to_the_linked_tickets_from_the_incident_page(
    incident, shop, django_capture_on_commit_callbacks
):
    ticket = _open_ticket(shop)
    client = _client(shop.agent)

    linked = client.post(f"/workspace/tickets/{ticket.number}/incident/", {"incident": incident.pk})
    assert linked.status_code == 302
    assert list(incident.tickets.all()) == [ticket]
    work = _text(client.get(f"/workspace/tickets/{ticket.number}/"))
    assert 'data-testid="ticket-incidents"' in work
    assert "Correo caído" in work

    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(
            f"/workspace/status/incidents/{incident.pk}/updates/",
            {
                "state": State.IDENTIFIED,
                "body": "Reiniciamos el servidor.",
                "send_to_tickets": "on",
            },
        )
    assert posted.status_code == 302
    update = incident.updates.get(state=State.IDENTIFIED)
    assert IncidentUpdateMessage.objects.filter(update=update, ticket=ticket).exists()
    assert Message.objects.filter(ticket=ticket, body__contains="Reiniciamos el servidor.").exists()

    page = _text(client.get(f"/workspace/status/incidents/{incident.pk}/"))
    assert "Enviada a 1 solicitud." in page
    assert ticket.number in page

    again = client.post(f"/workspace/status/updates/{update.pk}/send/", follow=True)
    assert "ya la tenían" in _text(again)
    assert IncidentUpdateMessage.objects.filter(update=update).count() == 1

    unlinked = client.post(
        f"/workspace/tickets/{ticket.number}/incident/", {"incident": incident.pk, "unlink": "1"}
    )
    assert unlinked.status_code == 302
    assert not incident.tickets.exists()


def test_an_update_with_a_control_character_written_before_it_was_refused_is_sent(incident, shop):
    # A ticket's message refuses control characters; older rows may hold one: the send
    # leaves it out (as the feed does) instead of failing.
    ticket = _open_ticket(shop)
    services.incident_ticket_link(incident, ticket, by=shop.agent)
    Incident.objects.filter(pk=incident.pk).update(title="Correo\x0c caído")
    IncidentUpdate.objects.filter(incident=incident).update(body="Caída\x0bparcial\x01.")
    update = incident.updates.get()

    answer = _client(shop.agent).post(f"/workspace/status/updates/{update.pk}/send/")

    assert answer.status_code == 302
    [sent] = IncidentUpdateMessage.objects.filter(update=update, ticket=ticket)
    body = Message.objects.get(pk=sent.message_id).body
    assert "Correo caído" in body
    assert "Caídaparcial." in body


def test_a_refused_update_is_shown_on_the_form(incident, shop):
    services.incident_update_post(incident, state=State.RESOLVED, body="Listo.")
    client = _client(shop.agent)

    answer = client.post(
        f"/workspace/status/incidents/{incident.pk}/updates/",
        {"state": State.MONITORING, "body": "Vuelve."},
    )

    assert answer.status_code == 200
    assert "ya está resuelto" in _text(answer)


def test_linking_needs_an_open_incident_from_the_list(incident, shop):
    ticket = _open_ticket(shop)
    services.incident_update_post(incident, state=State.RESOLVED, body="Listo.")

    answer = _client(shop.agent).post(
        f"/workspace/tickets/{ticket.number}/incident/", {"incident": incident.pk}, follow=True
    )

    assert "Elija uno de los incidentes de la lista." in _text(answer)
    assert not incident.tickets.exists()


def test_maintenance_is_scheduled_and_cancelled_in_the_workspace(catalogue, shop):
    client = _client(shop.agent)
    with time_machine.travel(NOW, tick=False):
        refused = client.post(
            "/workspace/status/maintenance/",
            {
                "title": "Discos",
                "components": [catalogue.hosting_component.pk],
                "starts_at": "2026-03-12T10:00",
                "ends_at": "2026-03-12T09:00",
            },
        )
        assert "debe terminar después de empezar" in _text(refused)
        client.post(
            "/workspace/status/maintenance/",
            {
                "title": "Discos",
                "components": [catalogue.hosting_component.pk],
                "starts_at": "2026-03-12T10:00",
                "ends_at": "2026-03-12T12:00",
                "tz": "America/Bogota",
            },
        )
        maintenance = Maintenance.objects.get()
        assert maintenance.starts_at == datetime(2026, 3, 12, 15, tzinfo=UTC)
        assert "Discos" in _text(client.get("/status/"))
        client.post(f"/workspace/status/maintenance/{maintenance.pk}/cancel/")
    maintenance.refresh_from_db()
    assert maintenance.cancelled_at == NOW


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [("contact", 403, 403), ("finance", 200, 403), ("agent", 200, 302), ("manager", 200, 302)],
)
def test_workspace_pages_answer_by_role(incident, shop, catalogue, role, read, write):
    users = {
        "contact": shop.user,
        "finance": make_finance_user(username="finanzas"),
        "agent": shop.agent,
        "manager": shop.manager,
    }
    client = _client(users[role])
    update = incident.updates.get()

    assert client.get("/workspace/status/").status_code == read
    assert client.get(f"/workspace/status/incidents/{incident.pk}/").status_code == read
    assert client.post(f"/workspace/status/updates/{update.pk}/send/").status_code == write
    assert (
        client.post(
            f"/workspace/status/incidents/{incident.pk}/updates/",
            {"state": State.MONITORING, "body": "Observamos."},
        ).status_code
        == write
    )


def test_anonymous_workspace_requests_go_to_the_login(incident):
    answer = _client().get("/workspace/status/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")


def test_a_manager_links_only_their_customers_tickets(incident, shop):
    from tests.factories import make_account_manager, make_contact, make_contract, make_customer

    other_manager = make_account_manager(username="otro")
    other = make_customer(legal_name="Otro S.A.S.", account_manager=other_manager)
    make_contract(other, shop.contract.plan)
    contact = make_contact(other, email="x@otro.example")
    make_portal_user(contact, username="otro-contacto")
    top_up(other, "5")
    ticket = ticket_open(channel=Channel.PORTAL, requester=contact, subject="Caso").ticket

    answer = _client(shop.manager).post(
        f"/workspace/tickets/{ticket.number}/incident/", {"incident": incident.pk}
    )

    assert answer.status_code == 404
    assert not incident.tickets.exists()


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _incidents(catalogue, count: int) -> None:
    for n in range(count):
        incident = services.incident_open(
            title=f"Falla {n}",
            body="Investigamos.",
            impact=Impact.PARTIAL,
            components=[catalogue.mail_component, catalogue.panel],
        )
        services.incident_update_post(incident, state=State.IDENTIFIED, body="Causa hallada.")
        if n % 2:
            services.incident_update_post(incident, state=State.RESOLVED, body="Listo.")


def test_the_pages_cost_the_same_queries_for_2_and_20_incidents(catalogue, shop):
    urls = [
        (Client(), "/status/"),
        (Client(), "/status.json"),
        (Client(), "/status/feed.atom"),
        (_client(shop.user), "/portal/"),
        (_client(shop.user), "/portal/tickets/new/"),
        (_client(shop.agent), "/workspace/status/"),
    ]
    _incidents(catalogue, 2)
    few = [_queries(client, url) for client, url in urls]
    _incidents(catalogue, 18)
    many = [_queries(client, url) for client, url in urls]

    assert few == many


def test_only_the_latest_update_offers_the_send_and_an_older_one_is_refused(incident, shop):
    ticket = _open_ticket(shop)
    services.incident_ticket_link(incident, ticket, by=shop.agent)
    investigating = incident.updates.get()
    resolved = services.incident_update_post(incident, state=State.RESOLVED, body="Listo.")
    client = _client(shop.agent)

    page = _text(client.get(f"/workspace/status/incidents/{incident.pk}/"))
    refused = client.post(f"/workspace/status/updates/{investigating.pk}/send/", follow=True)

    assert f"/workspace/status/updates/{resolved.pk}/send/" in page
    assert f"/workspace/status/updates/{investigating.pk}/send/" not in page
    assert refused.status_code == 200
    assert "última actualización" in _text(refused)
    assert not IncidentUpdateMessage.objects.exists()


def test_an_update_takes_the_time_of_the_change_typed_in_the_pages_zone(catalogue, shop):
    with time_machine.travel(NOW, tick=False):
        incident = services.incident_open(
            title="Hosting lento",
            body="Revisamos.",
            impact=Impact.DEGRADED,
            components=[catalogue.hosting_component],
            started_at=NOW - timedelta(days=3),
        )
        client = _client(shop.agent)
        form = _text(client.get(f"/workspace/status/incidents/{incident.pk}/"))
        url = f"/workspace/status/incidents/{incident.pk}/updates/"
        fields = {"state": State.RESOLVED, "body": "Listo.", "tz": "America/Bogota"}
        before = client.post(url, fields | {"at": "2026-03-01T08:00"})
        resolved = client.post(url, fields | {"at": "2026-03-07T12:30"})

    assert "Hora del cambio" in form
    assert before.status_code == 200
    assert "La hora debe estar entre" in _text(before)
    assert resolved.status_code == 302
    incident.refresh_from_db()
    assert incident.resolved_at == datetime(2026, 3, 7, 17, 30, tzinfo=UTC)
