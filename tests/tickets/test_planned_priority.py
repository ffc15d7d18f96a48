"""A priority without time targets (`planned`, seeds 001 and 003) stops a ticket's clocks:
no due time, no warning, no breach, out of compliance; moving back to a priority with
targets restarts them with the business time already used."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from contracts.models import Channel
from sla.calendars import add_business_time
from sla.models import SlaClock
from sla.selectors import calendar_value, sla_compliance
from sla.services.monitor import sla_monitor_run
from tickets.selectors import contract_clocks, ticket_shown
from tickets.services import lifecycle
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(funded, agent, tuesday_morning):
    opened = ticket_open(
        channel=Channel.PORTAL, requester=funded, subject="Informe", impact="low", urgency="low"
    ).ticket
    return lifecycle.ticket_override_priority(
        opened, priority="p4", by=agent, reason="Puede esperar", at=timezone.now()
    )


def clocks(ticket) -> dict[str, SlaClock]:
    return {c.kind: c for c in SlaClock.objects.filter(subject=ticket.clock_subject)}


def test_planned_stops_the_clocks_and_moving_back_restarts_them_from_the_time_used(
    ticket, agent, tuesday_morning
):
    before = clocks(ticket)
    assert {c.target for c in before.values()} == {timedelta(hours=4), timedelta(hours=8)}
    old_due = max(c.due_at for c in before.values())

    tuesday_morning.shift(timedelta(hours=2))  # 09:00 -> 11:00 Bogota, business hours
    ticket = lifecycle.ticket_override_priority(
        ticket, priority="planned", by=agent, reason="Trabajo planificado"
    )
    planned = clocks(ticket)
    for clock in planned.values():
        assert (clock.state, clock.priority, clock.due_at, clock.warn_at) == (
            SlaClock.State.UNTIMED,
            "planned",
            None,
            None,
        )
        assert clock.elapsed == timedelta(hours=2)
    assert ticket_shown(ticket.pk, now=timezone.now()).sla_state == "none"

    # A week later, far past the old P4 due time: the monitor warns and breaches nothing.
    tuesday_morning.shift(timedelta(days=7))
    assert timezone.now() > old_due
    mail.outbox.clear()
    result = sla_monitor_run(now=timezone.now())
    assert (result.warned, result.breached) == (0, 0)
    assert mail.outbox == []
    assert {c.state for c in clocks(ticket).values()} == {SlaClock.State.UNTIMED}
    assert ticket_shown(ticket.pk, now=timezone.now()).sla_state == "none"
    compliance = sla_compliance(clocks=contract_clocks(ticket.contract))
    assert compliance.overall.tickets == 0
    assert compliance.breaches == []

    # Back to P4: due = now + (target - used), in business time, not from zero or the start.
    now = timezone.now()
    ticket = lifecycle.ticket_override_priority(
        ticket, priority="p4", by=agent, reason="El cliente lo necesita ya"
    )
    restarted = clocks(ticket)
    for kind, clock in restarted.items():
        calendar = calendar_value(clock.calendar_version)
        assert clock.state == SlaClock.State.RUNNING
        assert clock.elapsed == timedelta(hours=2)
        assert clock.due_at == add_business_time(
            now, before[kind].target - timedelta(hours=2), calendar
        )
    assert ticket_shown(ticket.pk, now=timezone.now()).sla_state == "running"

    # An hour of business time later the clocks count again from where they were.
    tuesday_morning.shift(timedelta(hours=1))
    assert sla_monitor_run(now=timezone.now()).breached == 0
    response = clocks(ticket)[SlaClock.Kind.RESPONSE]
    # 3 h used of the response's 4 h: past its 75 % warning.
    assert ticket_shown(ticket.pk, now=timezone.now()).sla_state == "warning"
    assert response.warned_at is not None


def test_a_ticket_resolved_while_planned_is_left_out_of_compliance(ticket, agent, tuesday_morning):
    tuesday_morning.shift(timedelta(hours=1))
    lifecycle.ticket_override_priority(
        ticket, priority="planned", by=agent, reason="Trabajo planificado"
    )
    tuesday_morning.shift(timedelta(days=10))
    lifecycle.ticket_start_work(ticket, by=agent)
    lifecycle.ticket_resolve(ticket, by=agent, reason="Entregado según lo acordado")
    ticket.refresh_from_db()

    assert {c.state for c in clocks(ticket).values()} == {SlaClock.State.UNTIMED}
    assert all(c.stopped_at is not None for c in clocks(ticket).values())
    compliance = sla_compliance(clocks=contract_clocks(ticket.contract))
    assert compliance.overall.tickets == 0
    assert compliance.overall.resolution_decided == 0
    assert compliance.breaches == []
    assert ticket_shown(ticket.pk, now=timezone.now()).sla_state == "none"
