"""One SLA state per ticket: a clock paused at 25 % is paused everywhere, never breached."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.models import Channel
from sla.models import SlaClock
from sla.services.clocks import clock_pause
from sla.services.monitor import sla_monitor_run
from tests.web.conftest import top_up
from tests.web.test_pages import login
from tickets.selectors import ticket_sla_state
from tickets.services.intake import ticket_open


def test_a_paused_clock_is_paused_on_queue_dashboard_and_api(client, shop, time_machine):
    top_up(shop.customer, "20")
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="Pausa", impact="low", urgency="low"
    ).ticket
    clocks = list(SlaClock.objects.filter(subject=f"ticket:{ticket.pk}"))
    assert clocks
    resolution = max(clocks, key=lambda c: c.target)
    time_machine.move_to(ticket.opened_at + resolution.target / 4, tick=False)
    for clock in clocks:
        if clock.stopped_at is None:
            clock_pause(clock=clock, at=ticket.opened_at + resolution.target / 4)
    # Long after the original due time the clocks are still paused, not breached.
    time_machine.move_to(ticket.opened_at + resolution.target * 3 + timedelta(days=30), tick=False)

    login(client, shop.agent)
    queue = client.get(reverse("web:queue")).text
    assert "SLA en pausa" in queue
    assert "SLA incumplido" not in queue
    client.logout()
    login(client, shop.contact.user)
    dashboard = client.get(reverse("web:dashboard")).text
    # The portal's SLA column is the countdown (core.formatting.sla_countdown).
    assert '<span class="badge paused countdown">pausado</span>' in dashboard
    assert "vencido" not in dashboard

    api = APIClient()
    api.force_authenticate(shop.agent)
    assert api.get("/api/v1/tickets/", {"sla_state": "paused"}).json()["count"] == 1
    assert api.get("/api/v1/tickets/", {"sla_state": "breached"}).json()["count"] == 0
    assert api.get(f"/api/v1/tickets/{ticket.pk}/").json()["sla_state"] == "paused"

    # The monitor and the object-level selector agree.
    assert sla_monitor_run(now=timezone.now()).breached == 0
    assert ticket_sla_state(ticket, timezone.now()) == "paused"
