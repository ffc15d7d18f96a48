"""Resolution levels with their own time and the escalation ladder (seed 001): level 1 "en
las dos primeras horas", level 2 "durante las primeras cuatro horas de manifestado el
incidente", level 3 beyond that with a vendor or the committee, counted on the ticket's
resolution clock in business hours; a policy's rungs notify, reassign or raise the level,
each once per ticket and level."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from contracts.models import Channel, Plan
from core.errors import InvalidInput
from sla.models import EscalationStep
from sla.services.setup import StepSpec
from tests.factories import make_contact, make_contract, make_customer, make_plan, make_user
from tests.tickets.conftest import LEVELS_OF_SEED_001
from tests.tickets.conftest import publish_with_levels as publish
from tickets import clocks
from tickets.models import Ticket, TicketEscalation, TicketEvent
from tickets.services import lifecycle
from tickets.services.escalation import escalations_run
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db


def in_both_languages(refused):
    return refused.value.fields_in("es"), refused.value.fields_in("en")


BOGOTA = ZoneInfo("America/Bogota")
# Tuesday 17 November 2026 in Bogotá; business hours 08:00-12:00 and 13:00-16:30
TUESDAY = datetime(2026, 11, 17, tzinfo=BOGOTA)


def at(hour: int, minute: int = 0) -> datetime:
    return TUESDAY.replace(hour=hour, minute=minute)


@pytest.fixture
def included_plan(sla_policy):
    return make_plan(
        sla_policy=sla_policy,
        allowed_channels=[Channel.PORTAL, Channel.API],
        support_model=Plan.SupportModel.INCLUDED,
    )


@pytest.fixture
def requester(included_plan, manager):
    customer = make_customer(account_manager=manager)
    make_contract(customer=customer, plan=included_plan)
    return make_contact(customer=customer, email="ana@andino.example")


def open_at(requester, moment: datetime, **fields) -> Ticket:
    with time_machine.travel(moment, tick=False):
        return ticket_open(
            channel=Channel.PORTAL, requester=requester, subject="Servidor lento", **fields
        ).ticket


def run_at(moment: datetime, capture) -> dict[str, int]:
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return dict(escalations_run().acted)


def test_a_level_counts_its_own_time_on_the_resolution_clock(sla_policy, requester):
    publish(sla_policy)
    ticket = open_at(requester, at(9))  # P3: 4 h to resolve, level 1 has 2 h

    status = clocks.level_status(ticket, now=at(10, 30))
    assert (status.level.number, status.used, status.late) == (1, timedelta(minutes=90), False)
    assert status.due_at == at(11)

    # over lunch no business time passes: level 2's 4 hours end at 14:00
    with time_machine.travel(at(11, 30), tick=False):
        lifecycle.ticket_escalate(ticket, to_level=2, by=make_user(is_staff=True), reason="Remoto")
    status = clocks.level_status(ticket, now=at(11, 30))
    assert (status.level.number, status.due_at) == (2, at(14))
    assert clocks.level_status(ticket, now=at(14, 1)).late


def test_waiting_on_the_customer_does_not_count_against_the_level(sla_policy, requester):
    publish(sla_policy)
    ticket = open_at(requester, at(9))
    with time_machine.travel(at(9, 30), tick=False):
        lifecycle.ticket_agent_reply(
            ticket, by=make_user(is_staff=True), body="¿Qué URL?", asks_for_information=True
        )
    with time_machine.travel(at(10, 30), tick=False):
        lifecycle.ticket_customer_reply(ticket, contact=requester, body="/tienda")

    assert clocks.level_status(ticket, now=at(11)).used == timedelta(hours=1)
    assert clocks.level_status(ticket, now=at(11)).due_at == at(12)


def test_the_level_worked_by_a_vendor_or_committee_needs_its_name(sla_policy, requester):
    publish(sla_policy)
    ticket = open_at(requester, at(9))
    agent = make_user(is_staff=True)

    with pytest.raises(InvalidInput) as refused:
        lifecycle.ticket_escalate(ticket, to_level=3, by=agent, reason="Falla del fabricante")
    assert in_both_languages(refused) == (
        {"referred_to": ["Indique el proveedor, fabricante o comité que lo atiende."]},
        {"referred_to": ["State the provider, manufacturer or committee handling it."]},
    )
    ticket.refresh_from_db()
    assert ticket.resolution_level == 1

    lifecycle.ticket_escalate(
        ticket, to_level=3, by=agent, reason="Falla del fabricante", referred_to="Dell EMC"
    )
    ticket.refresh_from_db()
    assert (ticket.resolution_level, ticket.referred_to) == (3, "Dell EMC")
    event = ticket.events.get(kind=TicketEvent.Kind.ESCALATION)
    assert (event.from_value, event.to_value) == ("1", "3")
    assert event.reason == "Falla del fabricante → Dell EMC"


def test_only_the_policys_levels_exist(sla_policy, requester):
    publish(sla_policy, levels=LEVELS_OF_SEED_001[:2])
    ticket = open_at(requester, at(9))

    with pytest.raises(InvalidInput) as refused:
        lifecycle.ticket_escalate(ticket, to_level=3, by=make_user(is_staff=True), reason="x")
    assert in_both_languages(refused)[0] == {
        "to_level": ["Los niveles de resolución de esta solicitud son 1, 2."]
    }


def test_the_ladder_raises_the_level_when_its_time_runs_out_once(
    sla_policy, requester, manager, django_capture_on_commit_callbacks
):
    publish(sla_policy, ladder=[StepSpec("level", 100, "raise_level")])
    ticket = open_at(requester, at(9))

    assert run_at(at(10, 59), django_capture_on_commit_callbacks) == {}
    assert run_at(at(11), django_capture_on_commit_callbacks) == {"raise_level": 1}
    assert run_at(at(11, 5), django_capture_on_commit_callbacks) == {}
    ticket.refresh_from_db()
    assert ticket.resolution_level == 2
    raised = ticket.events.get(kind=TicketEvent.Kind.ESCALATION)
    assert (raised.from_value, raised.to_value, raised.by) == ("1", "2", None)
    [notice] = [m for m in mail.outbox if "Escalamiento" in m.subject]
    assert notice.to == [manager.email]
    assert "Subir de nivel (nivel 2)" in notice.body

    # level 2 ends at 14:00 (lunch does not count); level 3 needs a person to name the
    # vendor or committee, so the rung acts once more, by telling, without moving the level
    assert run_at(at(14), django_capture_on_commit_callbacks) == {"raise_level": 1}
    ticket.refresh_from_db()
    assert ticket.resolution_level == 2
    last = TicketEscalation.objects.filter(ticket=ticket).order_by("-pk").first()
    assert (last.level, last.outcome) == (
        2,
        "el nivel 3 necesita que una persona indique a quién se deriva",
    )
    assert len([m for m in mail.outbox if "Escalamiento" in m.subject]) == 2
    assert run_at(at(16), django_capture_on_commit_callbacks) == {}


def test_a_rung_reassigns_for_its_priorities_only(
    sla_policy, requester, django_capture_on_commit_callbacks
):
    senior = make_user(is_staff=True, email="senior@proveedor.example")
    publish(
        sla_policy,
        ladder=[StepSpec("resolution", 50, "reassign", priorities=("p1",), assign_to=senior.pk)],
    )
    urgent = open_at(requester, at(9), impact="high", urgency="high")
    routine = open_at(requester, at(9))

    assert run_at(at(11), django_capture_on_commit_callbacks) == {"reassign": 1}
    urgent.refresh_from_db()
    routine.refresh_from_db()
    assert (urgent.assignee, routine.assignee) == (senior, None)
    assert senior.email in clocks.clocks_of(urgent).first().notify_emails
    ladder = urgent.events.get(kind=TicketEvent.Kind.LADDER)
    assert ladder.from_value == "reassign"


def test_a_notice_goes_to_the_rungs_own_address_too_and_answered_tickets_are_left(
    sla_policy, requester, manager, django_capture_on_commit_callbacks
):
    publish(
        sla_policy,
        ladder=[StepSpec("response", 100, "notify", notify_email="jefe@proveedor.example")],
    )
    late = open_at(requester, at(9))
    answered = open_at(requester, at(9))
    with time_machine.travel(at(9, 30), tick=False):
        lifecycle.ticket_agent_reply(answered, by=make_user(is_staff=True), body="Revisamos.")

    assert run_at(at(11), django_capture_on_commit_callbacks) == {"notify": 1}
    [notice] = [m for m in mail.outbox if "Escalamiento" in m.subject]
    assert notice.subject == f"[{late.number}] Escalamiento: Servidor lento"
    assert notice.to == sorted(["jefe@proveedor.example", manager.email])
    assert "Primera respuesta al 100 %: Avisar" in notice.body


def test_publishing_levels_and_ladder_is_idempotent_and_checked(sla_policy):
    ladder = [StepSpec("level", 100, "raise_level")]
    first = publish(sla_policy, ladder=ladder)
    assert publish(sla_policy, ladder=ladder) == first
    assert publish(sla_policy, ladder=[StepSpec("level", 75, "raise_level")]).number == (
        first.number + 1
    )

    refusals = [
        {"levels": LEVELS_OF_SEED_001[1:]},
        {"levels": (), "ladder": [StepSpec("level", 100, "notify")]},
        {"ladder": [StepSpec("resolution", 50, "reassign")]},
        {"ladder": [StepSpec("resolution", 50, "notify", priorities=("p9",))]},
    ]
    for fields in refusals:
        with pytest.raises(InvalidInput):
            publish(sla_policy, **fields)
    assert sla_policy.versions.count() == first.number + 1


def test_no_level_status_without_levels(sla_policy, requester):
    ticket = open_at(requester, at(9))
    assert clocks.level_status(ticket, now=timezone.now()) is None
    assert set(clocks.levels_for(ticket)) == {1, 2, 3}
    assert EscalationStep.objects.count() == 0
