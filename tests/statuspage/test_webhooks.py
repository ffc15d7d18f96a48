"""Incident webhooks: announced after commit to every subscribed endpoint (also one
registered for a single customer: an incident is public), with the incident as the API shows
it and without the linked tickets, which belong to customers."""

import json

import pytest

from contracts.models import Channel
from statuspage import services
from statuspage.models import Impact, State
from tests.factories import make_staff_user
from tests.web.conftest import top_up
from tests.webhooks.conftest import receiver  # noqa: F401  (fixture)
from tickets.services.intake import ticket_open
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_incident_events_reach_every_subscribed_endpoint_without_linked_tickets(
    catalogue,
    shop,
    receiver,  # noqa: F811
):
    webhook_endpoint_create(
        owner=shop.manager,
        url=receiver.url,
        events=["incident.created", "incident.resolved"],
        customer=shop.customer,
        may_cover_all=False,
    )
    webhook_endpoint_create(
        owner=make_staff_user(username="raiz"),
        url=receiver.url + "/all",
        events=["incident.updated", "ticket.created"],
        may_cover_all=True,
    )
    top_up(shop.customer, "5")
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Caso").ticket
    incident = services.incident_open(
        title="Correo caído",
        body="Investigamos.",
        impact=Impact.MAJOR,
        components=[catalogue.mail_component],
    )
    services.incident_ticket_link(incident, ticket)
    services.incident_update_post(incident, state=State.IDENTIFIED, body="Disco lleno.")
    services.incident_update_post(incident, state=State.RESOLVED, body="Listo.")

    events = {
        delivery.event_type: delivery
        for delivery in WebhookDelivery.objects.exclude(event_type="ticket.created")
    }
    assert set(events) == {"incident.created", "incident.updated", "incident.resolved"}
    assert all(d.status == WebhookDelivery.Status.DELIVERED for d in events.values())
    resolved = json.loads(events["incident.resolved"].body)["data"]
    assert resolved["state"] == "resolved"
    assert resolved["components"] == ["correo"]
    assert resolved["linked_tickets"] == []
    assert [u["state"] for u in resolved["updates"]] == ["investigating", "identified", "resolved"]
    assert events["incident.updated"].endpoint.customer_id is None
