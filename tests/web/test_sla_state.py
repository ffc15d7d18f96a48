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
from tickets.selectors import ticket_list, ticket_shown, tickets_with_sla_state
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
    assert ticket_shown(ticket.pk, now=timezone.now()).sla_state == "paused"


def test_one_compiled_read_follows_each_moment_it_is_asked_about(shop):
    top_up(shop.customer, "20")
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Momentos").ticket
    due = min(c.due_at for c in SlaClock.objects.filter(subject=f"ticket:{ticket.pk}"))
    for now, state in (
        (ticket.opened_at, "running"),
        (due - timedelta(seconds=1), "warning"),
        (due + timedelta(seconds=1), "breached"),
    ):
        shown = ticket_shown(ticket.pk, now=now)
        orm = tickets_with_sla_state(ticket_list(), now).get(pk=ticket.pk)
        assert (shown.sla_state, shown.next_due_at) == (state, orm.next_due_at)
        assert orm.sla_state == state
        assert shown.customer == ticket.customer  # and its related rows
        assert shown.contract.plan == ticket.contract.plan


def test_subject_clocks_are_the_orms_with_events_and_pauses_read_beforehand(shop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sla.selectors import subject_clocks
    from sla.services.clocks import clock_resume

    top_up(shop.customer, "20")
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Pausas").ticket
    for clock in SlaClock.objects.filter(subject=ticket.clock_subject):
        clock_pause(clock=clock, at=ticket.opened_at + timedelta(minutes=5))
        clock_resume(clock=clock, at=ticket.opened_at + timedelta(minutes=9))
    orm = list(
        SlaClock.objects.filter(subject=ticket.clock_subject)
        .select_related("calendar_version")
        .prefetch_related("events", "pauses")
        .order_by("-kind")
    )

    read = subject_clocks(ticket.clock_subject)

    assert [c.kind for c in read] == [c.kind for c in orm] == ["response", "resolution"]
    with CaptureQueriesContext(connection) as queries:
        for mine, theirs in zip(read, orm, strict=True):
            assert mine == theirs
            assert mine.calendar_version == theirs.calendar_version
            assert list(mine.events.all()) == sorted(theirs.events.all(), key=lambda e: e.pk)
            assert list(mine.pauses.all()) == list(theirs.pauses.all())
            assert len(mine.pauses.all()) == 1
            assert len(mine.events.all()) == 3
            assert all(event.clock is mine for event in mine.events.all())
    assert len(queries) == 0
