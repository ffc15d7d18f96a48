"""An incident's update reaches, from whoever sends it, only the linked tickets the sender may
see: an account manager writes on their own customers' requests, never on another
customer's (nor learns their numbers); an agent's send reaches the rest later. The API and
the workspace page alike."""

import pytest
from django.test import Client

from statuspage import services
from statuspage.models import Component, Impact, IncidentUpdateMessage
from tests.api.conftest import client_for, world  # noqa: F401  (fixture)
from tickets.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(world):  # noqa: F811
    component = Component.objects.create(code="web", name="Hosting web", name_en="Web hosting")
    incident = services.incident_open(
        title="Hosting caído",
        body="Investigamos.",
        impact=Impact.MAJOR,
        components=[component],
        by=world.agent,
    )
    services.incident_ticket_link(incident, world.a.ticket, by=world.agent)
    services.incident_ticket_link(incident, world.b.ticket, by=world.agent)
    return incident


def _told(ticket) -> int:
    return IncidentUpdateMessage.objects.filter(ticket=ticket).count()


def test_a_managers_send_through_the_api_reaches_only_their_customers_tickets(world, incident):  # noqa: F811
    update = incident.updates.get()
    url = f"/api/v1/status/incidents/{incident.pk}/send-update/"
    b_messages = Message.objects.filter(ticket=world.b.ticket).count()

    sent = client_for(world.a.manager).post(url, {"update": update.pk})

    assert sent.status_code == 200
    assert sent.json() == {"sent_to": [world.a.ticket.number]}
    assert (_told(world.a.ticket), _told(world.b.ticket)) == (1, 0)
    assert Message.objects.filter(ticket=world.b.ticket).count() == b_messages

    rest = client_for(world.agent).post(url, {"update": update.pk})
    assert rest.json() == {"sent_to": [world.b.ticket.number]}


def test_a_managers_send_from_the_workspace_reaches_only_their_customers_tickets(world, incident):  # noqa: F811
    update = incident.updates.get()
    client = Client()
    client.force_login(world.a.manager)

    page = client.get(f"/workspace/status/incidents/{incident.pk}/")
    assert "1 solicitud vinculada abierta." in page.content.decode()
    answer = client.post(f"/workspace/status/updates/{update.pk}/send/", follow=True)

    assert answer.status_code == 200
    assert "Actualización enviada a 1 solicitudes." in answer.content.decode()
    assert (_told(world.a.ticket), _told(world.b.ticket)) == (1, 0)


def test_a_managers_update_posted_with_send_to_tickets_reaches_only_their_customers(
    world,  # noqa: F811
    incident,
):
    answer = client_for(world.a.manager).post(
        f"/api/v1/status/incidents/{incident.pk}/updates/",
        {"state": "identified", "body": "Disco.", "send_to_tickets": True},
        format="json",
    )

    assert answer.status_code == 201
    assert (_told(world.a.ticket), _told(world.b.ticket)) == (1, 0)


def test_a_manager_counts_only_their_customers_linked_and_told_tickets(world, incident):  # noqa: F811
    update = incident.updates.get()
    services.incident_update_send(update, by=world.agent)  # both customers' tickets told
    client = Client()
    client.force_login(world.a.manager)

    listing = client.get("/workspace/status/").content.decode()
    page = client.get(f"/workspace/status/incidents/{incident.pk}/").content.decode()

    assert '<td class="num">1</td>' in listing
    assert '<td class="num">2</td>' not in listing
    assert "Enviada a 1 solicitud." in page
    assert "Enviada a 2 solicitudes." not in page
