"""Seed 000's "Estado del Servicio": an incident is published, linked and resolved.

The provider's technicians watch the servers; a problem is published on the status page,
where customers follow its resolution ("Si encuentran un servidor con problemas, pueden
monitorearlo desde allí"). A hosting customer whose site is down sees the incident on the
request form before writing, writes anyway; the agent links the request to the incident,
and each update reaches the request as a message; the resolution closes the story on the
page, in the feed and in the 90-day history. A customer whose contract covers only advice
(SLA 1) is not warned about the servers."""

import io
import json
import xml.etree.ElementTree as ET
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client

from contracts.models import Contact, Service
from statuspage.models import Component
from tests.api.conftest import client_for
from tests.factories import make_account_manager, make_agent
from tests.scenarios.conftest import sign_through_api
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BUENOS_AIRES)


def _customer(manager, manager_user, name, email, services):
    return sign_through_api(
        manager,
        manager_user,
        plan="altomarketing-hosting",
        customer={
            "legal_name": name,
            "tax_id": f"30-{abs(hash(name)) % 10**8:08d}-1",
            "country": "AR",
            "currency": "ARS",
            "time_zone": "America/Argentina/Buenos_Aires",
            "billing_email": f"admin@{email.split('@')[1]}",
        },
        contact={"name": name.split()[0], "email": email},
        services=services,
        starts_on="2026-03-01",
    )


@pytest.fixture
def provider():
    """Seed 000's catalogue (SLA 1 to 4) and the status page's components over it: the
    servers carry error reports and maintenance (SLA 2, 3); the customer panel, everything."""
    call_command("load_presets", "sla-service-types", stdout=io.StringIO())
    types = {s.code: s for s in Service.objects.filter(code__startswith="sla")}
    servers = Component.objects.create(
        code="servidores", name="Servidores de hosting", name_en="Hosting servers", position=1
    )
    servers.services.set([types["sla2-mantenimiento"], types["sla3-errores"]])
    Component.objects.create(
        code="panel", name="Panel de cliente", name_en="Customer panel", position=2
    )
    manager_user = make_account_manager()
    manager = client_for(manager_user)
    hosting = _customer(
        manager,
        manager_user,
        "Estudio Pampa S.R.L.",
        "lucia@pampa.example",
        sorted(t.pk for t in types.values()),
    )
    advice_only = _customer(
        manager,
        manager_user,
        "Consultora Sur S.A.",
        "tomas@sur.example",
        [types["sla1-asesoramiento"].pk],
    )
    return {"types": types, "hosting": hosting, "advice_only": advice_only}


def _portal(email: str) -> Client:
    browser = Client()
    browser.force_login(Contact.objects.get(email=email).user)
    return browser


def test_an_incident_is_published_linked_and_resolved(provider, django_capture_on_commit_callbacks):
    agent = client_for(make_agent())
    customer = provider["hosting"]["client"]
    types = provider["types"]

    # Saturday 22:40: the technicians see the web servers failing and publish it
    with time_machine.travel(at(2026, 3, 7, 22, 40), tick=False):
        published = agent.post(
            "/api/v1/status/incidents/",
            {
                "title": "Servidores web sin respuesta",
                "title_en": "Web servers not responding",
                "impact": "major_outage",
                "components": ["servidores"],
                "body": "Varios sitios no cargan. Estamos investigando.",
                "body_en": "Several sites do not load. We are investigating.",
            },
            format="json",
        )
    assert published.status_code == 201, published.json()
    incident = published.json()

    # 23:00: Lucía opens the request form; before she writes, it names the incident
    with time_machine.travel(at(2026, 3, 7, 23), tick=False):
        form = _portal("lucia@pampa.example").get("/portal/tickets/new/").content.decode()
        other = _portal("tomas@sur.example").get("/portal/tickets/new/").content.decode()
        public = json.loads(Client().get("/status.json").content)
    assert "Antes de escribir:" in form
    assert "Servidores web sin respuesta" in form
    assert "Servidores web sin respuesta" not in other  # advice only: not his servers
    servers = next(c for c in public["components"] if c["code"] == "servidores")
    assert servers["status"] == "major_outage"
    assert public["incidents"][0]["id"] == incident["id"]

    # she reports it anyway, through the panel (SLA 3, around the clock)
    with time_machine.travel(at(2026, 3, 7, 23, 5), tick=False):
        report = customer.post(
            "/api/v1/tickets/",
            {"subject": "El sitio no carga", "service": types["sla3-errores"].pk},
            format="json",
        )
    assert report.status_code == 201, report.json()
    ticket = report.json()

    # the agent links the request to the incident and sends the next update to it
    url = f"/api/v1/status/incidents/{incident['id']}/"
    mail.outbox.clear()
    with (
        time_machine.travel(at(2026, 3, 7, 23, 20), tick=False),
        django_capture_on_commit_callbacks(execute=True),  # the mail task runs on commit
    ):
        linked = agent.post(url + "link-ticket/", {"ticket": ticket["id"]})
        assert linked.json()["linked_tickets"] == [ticket["number"]]
        identified = agent.post(
            url + "updates/",
            {
                "state": "identified",
                "body": "Un disco del servidor falló; lo estamos reemplazando.",
                "send_to_tickets": True,
            },
            format="json",
        )
    assert identified.status_code == 201, identified.json()
    messages = customer.get(f"/api/v1/tickets/{ticket['id']}/messages/").json()["results"]
    told = [m for m in messages if "Un disco del servidor falló" in m["body"]]
    assert len(told) == 1
    assert "Servidores web sin respuesta" in told[0]["body"]
    assert [m.to for m in mail.outbox] == [["lucia@pampa.example"]]

    # 00:10: resolved, and the request hears it too
    with time_machine.travel(at(2026, 3, 8, 0, 10), tick=False):
        resolved = agent.post(
            url + "updates/",
            {
                "state": "resolved",
                "body": "Disco reemplazado; los sitios cargan con normalidad.",
                "body_en": "Disk replaced; sites load normally.",
                "send_to_tickets": True,
            },
            format="json",
        )
    assert resolved.json()["state"] == "resolved"
    assert resolved.json()["resolved_at"] == "2026-03-08T03:10:00Z"
    messages = customer.get(f"/api/v1/tickets/{ticket['id']}/messages/").json()["results"]
    assert any("Disco reemplazado" in m["body"] for m in messages)
    assert Ticket.objects.get(pk=ticket["id"]).first_response_at is not None

    # the page, the feed and the history tell the story afterwards
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        page = Client().get("/status/?tz=America/Argentina/Buenos_Aires").content.decode()
        feed = ET.fromstring(Client().get("/status/feed.atom").content)  # noqa: S314  (ours)
        public = json.loads(Client().get("/status.json").content)
        form = _portal("lucia@pampa.example").get("/portal/tickets/new/").content.decode()
    assert "Todos los servicios funcionan con normalidad." in page
    assert "Servidores web sin respuesta" in page  # among the resolved ones
    titles = [e.findtext("a:title", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)]
    assert titles == [
        "Servidores web sin respuesta: Resuelto",
        "Servidores web sin respuesta: Identificado",
        "Servidores web sin respuesta: Investigando",
    ]
    servers = next(c for c in public["components"] if c["code"] == "servidores")
    bad_days = {
        day["date"]: day["status"] for day in servers["history"] if day["status"] != "operational"
    }
    assert bad_days == {"2026-03-08": "major_outage"}  # UTC days: 01:40 to 03:10 on the 8th
    assert servers["uptime"] != "100.00"
    panel = next(c for c in public["components"] if c["code"] == "panel")
    assert panel["uptime"] == "100.00"
    assert "Antes de escribir:" not in form
