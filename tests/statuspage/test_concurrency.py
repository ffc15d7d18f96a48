"""Real threads on PostgreSQL: the same update sent to the linked tickets by several staff
members at once tells each ticket once, and updates racing on one incident queue on its row,
so its state is always its last update's."""

import pytest
from django.core import mail

from contracts.models import Channel
from statuspage import services
from statuspage.models import Impact, Incident, IncidentUpdateMessage, State
from tests.threads import run_together
from tests.web.conftest import top_up
from tickets.models import Message
from tickets.services.intake import ticket_open

WORKERS = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_one_update_tell_each_ticket_once(catalogue, shop):
    top_up(shop.customer, "20")
    tickets = [
        ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject=f"Caso {n}").ticket
        for n in range(4)
    ]
    incident = services.incident_open(
        title="Correo caído",
        body="Investigamos.",
        impact=Impact.MAJOR,
        components=[catalogue.mail_component],
    )
    for ticket in tickets:
        services.incident_ticket_link(incident, ticket, by=shop.agent)
    update = incident.updates.get()
    mail.outbox.clear()

    results = run_together(
        lambda i: services.incident_update_send(update, by=shop.agent), threads=WORKERS
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(len(sent) for sent in results) == len(tickets)
    assert IncidentUpdateMessage.objects.filter(update=update).count() == len(tickets)
    for ticket in tickets:
        assert Message.objects.filter(ticket=ticket, body__contains="Correo caído").count() == 1
    assert len(mail.outbox) == len(tickets)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_updates_leave_the_incident_in_its_last_updates_state(catalogue):
    incident = services.incident_open(
        title="Hosting lento",
        body="Investigamos.",
        impact=Impact.DEGRADED,
        components=[catalogue.hosting_component],
    )
    states = [State.IDENTIFIED, State.MONITORING, State.RESOLVED] * 2

    results = run_together(
        lambda i: services.incident_update_post(incident, state=states[i], body=f"Nota {i}"),
        threads=len(states),
    )

    refused = [r for r in results if isinstance(r, Exception)]
    assert all(getattr(r, "code", None) == "incident_resolved" for r in refused), refused
    incident = Incident.objects.get(pk=incident.pk)
    last = incident.updates.order_by("at", "pk").last()
    assert incident.state == last.state == State.RESOLVED
    assert incident.resolved_at == last.at
    # nothing was posted after the resolution
    assert incident.updates.filter(at__gt=incident.resolved_at).count() == 0
    assert incident.updates.filter(state=State.RESOLVED).count() == 1
