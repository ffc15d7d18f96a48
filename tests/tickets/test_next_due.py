"""`Ticket.next_due_at`, the queue's order: the earliest due time of the ticket's open clocks,
written by the database on every clock write (tickets migration 0013), whoever writes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from contracts.models import Channel
from sla.choices import Priority
from sla.models import SlaClock
from sla.services import clocks_reapply, clocks_start
from sla.services.clocks import clock_retarget, clock_stop
from sla.services.setup import TargetSpec, policy_publish
from tests.threads import run_while_held
from tickets.models import Ticket
from tickets.services import lifecycle
from tickets.services.intake import ticket_open


def earliest_open_due(ticket: Ticket):
    """What the queue orders by, asked of the clocks themselves."""
    clocks = SlaClock.objects.filter(subject=ticket.clock_subject)
    return min(
        (clock.due_at for clock in clocks if clock.stopped_at is None and clock.due_at),
        default=None,
    )


def stored_due(ticket: Ticket):
    return Ticket.objects.values_list("next_due_at", flat=True).get(pk=ticket.pk)


def open_ticket(requester, subject: str = "Correo caído") -> Ticket:
    return ticket_open(channel=Channel.PORTAL, requester=requester, subject=subject).ticket


@pytest.mark.django_db
def test_it_follows_the_clocks_through_a_tickets_life(funded, agent, tuesday_morning):
    ticket = open_ticket(funded)
    due_times = []

    def check() -> None:
        assert stored_due(ticket) == earliest_open_due(ticket)
        due_times.append(stored_due(ticket))

    check()
    tuesday_morning.shift(timedelta(minutes=10))
    lifecycle.ticket_agent_reply(ticket, by=agent, body="Revisamos el servidor.")  # response met
    check()
    tuesday_morning.shift(timedelta(minutes=10))
    lifecycle.ticket_transition(ticket, to_status=Ticket.Status.WAITING_ON_CUSTOMER, by=agent)
    check()
    tuesday_morning.shift(timedelta(hours=2))
    lifecycle.ticket_customer_reply(ticket, contact=funded, body="Ya reinicié.")  # resumes
    check()
    lifecycle.ticket_resolve(ticket, by=agent, reason="Listo")
    check()
    tuesday_morning.shift(timedelta(minutes=5))
    lifecycle.ticket_reopen(ticket, by=agent, reason="Volvió a fallar")
    check()

    opened, replied, waiting, resumed, resolved, reopened = due_times
    assert opened < replied  # the response clock stopped: the resolution's due time is next
    assert waiting == replied  # a paused clock keeps its due time until it resumes
    assert resumed == replied + timedelta(hours=2)  # moved by the business time spent paused
    assert resolved is None
    assert reopened is not None


@pytest.mark.django_db
def test_a_policy_reapplied_straight_through_sla_moves_it(funded, sla_policy, tuesday_morning):
    ticket = open_ticket(funded)
    before = stored_due(ticket)
    current = sla_policy.versions.order_by("-number").first()
    tuesday_morning.shift(timedelta(minutes=5))  # the policy is revised after the request
    policy_publish(
        slug=sla_policy.slug,
        name=sla_policy.name,
        calendar=current.calendar,
        targets={  # every time longer than the first version's
            target.priority: TargetSpec(timedelta(hours=6), timedelta(hours=12))
            for target in current.targets.all()
        },
    )

    clocks_reapply(at=timezone.now(), policies=[sla_policy])

    assert stored_due(ticket) == earliest_open_due(ticket) > before


@pytest.mark.django_db
def test_deleted_clocks_and_other_subjects_are_accounted_for(funded, sla_policy, tuesday_morning):
    ticket = open_ticket(funded)
    version = sla_policy.versions.order_by("-number").first()
    # Another owner's clocks carrying the ticket's number are not the ticket's.
    other = f"other:{ticket.pk}"
    clocks_start(subject=other, policy=version, priority=Priority.P1, started_at=ticket.opened_at)
    assert stored_due(ticket) == earliest_open_due(ticket)

    SlaClock.objects.filter(subject=ticket.clock_subject, kind=SlaClock.Kind.RESPONSE).delete()
    assert stored_due(ticket) == earliest_open_due(ticket)
    SlaClock.objects.filter(subject=ticket.clock_subject).delete()
    assert stored_due(ticket) is None


@pytest.mark.django_db
def test_saving_a_ticket_read_earlier_keeps_the_databases_due_time(funded, agent, tuesday_morning):
    ticket = open_ticket(funded)
    stale = Ticket.objects.get(pk=ticket.pk)
    lifecycle.ticket_agent_reply(ticket, by=agent, body="Revisamos el servidor.")

    stale.subject = "Correo caído en la sede norte"
    stale.save()

    assert stored_due(ticket) == earliest_open_due(ticket)
    assert Ticket.objects.get(pk=ticket.pk).subject == "Correo caído en la sede norte"


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_it_in_for_the_clocks_already_there(funded, agent, tuesday_morning):
    waiting, answered = open_ticket(funded, "Uno"), open_ticket(funded, "Dos")
    lifecycle.ticket_agent_reply(answered, by=agent, body="Revisamos.")
    expected = {ticket.pk: earliest_open_due(ticket) for ticket in (waiting, answered)}
    executor = MigrationExecutor(connection)
    executor.migrate([("tickets", "0012_ticket_open_index")])

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert dict(Ticket.objects.values_list("pk", "next_due_at")) == expected
    assert None not in expected.values()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clocks_of_one_ticket_moved_at_once_leave_the_later_writer_right(
    funded, sla_policy, tuesday_morning
):
    """One transaction stops the response clock and holds on; another moves the resolution
    clock (as `sla_reapply` does, without the ticket's lock). The second trigger waits for
    the ticket row and only then reads the clocks, so it sees the stopped response clock:
    read first, it would store the stopped clock's due time."""
    ticket = open_ticket(funded)
    response, resolution = (
        SlaClock.objects.get(subject=ticket.clock_subject, kind=kind)
        for kind in (SlaClock.Kind.RESPONSE, SlaClock.Kind.RESOLUTION)
    )
    assert response.due_at < resolution.due_at
    # a priority with another resolution target, so the resolution clock's due time moves
    other_priority = Priority.P1 if resolution.priority == Priority.P4 else Priority.P4
    retargeted = run_while_held(
        lambda: clock_stop(clock=response, at=timezone.now()),
        lambda: clock_retarget(clock=resolution, at=timezone.now(), priority=other_priority),
    )

    assert not isinstance(retargeted, Exception), retargeted
    assert stored_due(ticket) == earliest_open_due(ticket)
    moved = SlaClock.objects.get(pk=resolution.pk).due_at
    assert moved != resolution.due_at
    assert stored_due(ticket) == moved
