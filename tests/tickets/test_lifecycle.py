from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from contracts.models import Channel
from core.errors import InvalidInput
from sla.models import SlaClock
from tests.factories import make_contact
from tickets.exceptions import FollowUpNotAllowed, IllegalTicketTransition, TicketFinished
from tickets.models import Message, Ticket, TicketEvent
from tickets.services import charging, lifecycle
from tickets.services.intake import ticket_open
from tickets.transitions import ALLOWED

pytestmark = pytest.mark.django_db
Status = Ticket.Status


@pytest.fixture
def ticket(funded, tuesday_morning):
    return ticket_open(channel=Channel.PORTAL, requester=funded, subject="DNS caído").ticket


def clock_states(ticket):
    return {c.kind: c.state for c in SlaClock.objects.filter(subject=ticket.clock_subject)}


def later(traveller, **delta):
    traveller.shift(timedelta(**delta))
    return timezone.now()


def in_both_languages(refused):
    """The refusal's field messages as a Spanish and an English reader see them."""
    return refused.value.fields_in("es"), refused.value.fields_in("en")


def test_every_move_outside_the_table_is_refused(ticket):
    reachable = {Status.NEW, *{s for targets in ALLOWED.values() for s in targets}}
    assert reachable == set(Status.values)

    for to_status in set(Status.values) - ALLOWED[Status.ACKNOWLEDGED]:
        with pytest.raises(IllegalTicketTransition):
            lifecycle.ticket_transition(ticket, to_status=to_status)
    ticket.refresh_from_db()
    assert ticket.status == Status.ACKNOWLEDGED


def test_the_main_path_records_who_when_and_why(ticket, agent, tuesday_morning):
    lifecycle.ticket_start_work(ticket, by=agent)
    lifecycle.ticket_resolve(ticket, by=agent, reason="Se corrigió el registro A")
    lifecycle.ticket_close(ticket, by=agent)

    events = ticket.events.filter(kind=TicketEvent.Kind.STATUS)
    assert [(e.from_value, e.to_value) for e in events] == [
        ("new", "acknowledged"),
        ("acknowledged", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
    ]
    assert events.get(to_value="resolved").reason == "Se corrigió el registro A"
    assert events.get(to_value="closed").by == agent
    assert ticket.closed_at is not None


def test_first_public_reply_stops_the_response_clock_but_a_note_does_not(
    ticket, agent, tuesday_morning
):
    lifecycle.ticket_agent_reply(ticket, by=agent, body="Nota interna", public=False)
    assert clock_states(ticket)["response"] == "running"
    assert ticket.first_response_at is None

    lifecycle.ticket_agent_reply(ticket, by=agent, body="Estamos revisando.")

    ticket.refresh_from_db()
    assert clock_states(ticket) == {"response": "met", "resolution": "running"}
    assert ticket.first_response_at == timezone.now()
    assert ticket.status == Status.IN_PROGRESS


def test_asking_for_information_pauses_and_a_reply_resumes_with_the_due_time_moved(
    ticket, agent, funded, tuesday_morning
):
    resolution = SlaClock.objects.get(subject=ticket.clock_subject, kind="resolution")
    due_before = resolution.due_at

    lifecycle.ticket_agent_reply(ticket, by=agent, body="¿Qué dominio?", asks_for_information=True)
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    assert clock_states(ticket)["resolution"] == "paused"

    later(tuesday_morning, hours=1)
    lifecycle.ticket_customer_reply(ticket, contact=funded, body="andino.example")

    ticket.refresh_from_db()
    resolution.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.unanswered_info_requests == 0
    assert resolution.state == "running"
    assert resolution.due_at == due_before + timedelta(hours=1)
    assert [m.direction for m in ticket.messages.all()] == ["inbound", "outbound", "inbound"]


def test_escalation_is_recorded(ticket, agent):
    lifecycle.ticket_escalate(ticket, to_level=2, by=agent, reason="Requiere especialista")

    event = ticket.events.get(kind=TicketEvent.Kind.ESCALATION)
    assert (event.from_value, event.to_value, event.by) == ("1", "2", agent)
    assert ticket.resolution_level == 2


def test_reopen_resumes_the_resolution_clock_with_its_time(ticket, agent, tuesday_morning):
    lifecycle.ticket_start_work(ticket, by=agent)
    later(tuesday_morning, minutes=30)
    lifecycle.ticket_resolve(ticket, by=agent)
    later(tuesday_morning, hours=2)

    lifecycle.ticket_reopen(ticket, by=agent, reason="Volvió a fallar")

    clock = SlaClock.objects.get(subject=ticket.clock_subject, kind="resolution")
    assert ticket.status == Status.IN_PROGRESS
    assert clock.state == "running"
    assert clock.cycle == 2
    assert clock.elapsed == timedelta(minutes=30)


def test_a_follow_up_on_a_closed_ticket_is_a_new_linked_ticket(ticket, agent, funded):
    with pytest.raises(FollowUpNotAllowed):
        lifecycle.ticket_follow_up(ticket, requester=funded, subject="x", channel=Channel.PORTAL)
    lifecycle.ticket_start_work(ticket, by=agent)
    lifecycle.ticket_resolve(ticket, by=agent)
    lifecycle.ticket_close(ticket, by=agent)

    result = lifecycle.ticket_follow_up(
        ticket, requester=funded, subject="Otra vez el DNS", channel=Channel.PORTAL
    )

    assert result.accepted
    assert result.ticket.follows_up == ticket
    assert result.ticket.number != ticket.number


def test_nothing_more_is_recorded_on_a_closed_request(ticket, agent, funded, tuesday_morning):
    # The customer's reply, an escalation and a session on a closed request would be neither
    # answered nor charged: a follow-up request continues it instead.
    lifecycle.ticket_start_work(ticket, by=agent)
    lifecycle.ticket_resolve(ticket, by=agent)
    lifecycle.ticket_close(ticket, by=agent)
    messages = ticket.messages.count()

    attempts = [
        lambda: lifecycle.ticket_customer_reply(ticket, contact=funded, body="¿Sigue?"),
        lambda: lifecycle.ticket_escalate(ticket, to_level=2, by=agent, reason="x"),
        lambda: charging.session_schedule(
            ticket, by=agent, starts_at=timezone.now() + timedelta(days=1)
        ),
    ]
    for attempt in attempts:
        with pytest.raises(TicketFinished) as refused:
            attempt()
        assert refused.value.message("es").startswith(f"La solicitud {ticket.number} ya terminó")

    ticket.refresh_from_db()
    assert (ticket.messages.count(), ticket.resolution_level) == (messages, 1)
    assert not ticket.sessions.exists()


def test_two_unanswered_information_requests_abandon_the_ticket(
    ticket, agent, tuesday_morning, django_capture_on_commit_callbacks
):
    lifecycle.ticket_agent_reply(ticket, by=agent, body="¿Qué dominio?", asks_for_information=True)
    # Tuesday 09:00 Bogota: two business days end Thursday 16:30.
    later(tuesday_morning, days=2, hours=7)
    assert lifecycle.tickets_chase_unanswered() == {"reminded": 0, "abandoned": 0}

    later(tuesday_morning, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.tickets_chase_unanswered() == {"reminded": 1, "abandoned": 0}
    ticket.refresh_from_db()
    assert ticket.unanswered_info_requests == 2
    assert "Seguimos esperando" in mail.outbox[-1].body
    assert lifecycle.tickets_chase_unanswered() == {"reminded": 0, "abandoned": 0}

    later(tuesday_morning, days=4)
    call_command("chase_unanswered")

    ticket.refresh_from_db()
    assert ticket.status == Status.ABANDONED
    assert clock_states(ticket)["resolution"] in {"met", "breached"}
    assert ticket.hold.status == "released"
    assert lifecycle.tickets_chase_unanswered() == {"reminded": 0, "abandoned": 0}


def test_a_customer_answer_resets_the_count(ticket, agent, funded, tuesday_morning):
    lifecycle.ticket_agent_reply(ticket, by=agent, body="¿Dominio?", asks_for_information=True)
    later(tuesday_morning, days=3)
    lifecycle.tickets_chase_unanswered()
    lifecycle.ticket_customer_reply(ticket, contact=funded, body="andino.example")
    lifecycle.ticket_agent_reply(ticket, by=agent, body="¿Registro?", asks_for_information=True)
    later(tuesday_morning, days=7)

    assert lifecycle.tickets_chase_unanswered() == {"reminded": 1, "abandoned": 0}
    assert Message.objects.filter(ticket=ticket, asks_for_information=True).count() == 4


def test_staff_override_priority_with_a_reason_and_the_clocks_follow(
    ticket, agent, tuesday_morning
):
    from core.errors import CreditdeskError

    response = SlaClock.objects.get(subject=ticket.clock_subject, kind="response")
    assert (ticket.priority, response.target) == ("p3", timedelta(hours=2))

    with pytest.raises(CreditdeskError) as refused:
        lifecycle.ticket_override_priority(ticket, priority="p1", by=agent, reason=" ")
    assert refused.value.field == "reason"

    later(tuesday_morning, minutes=10)
    lifecycle.ticket_override_priority(
        ticket, priority="p2", by=agent, reason="Afecta la facturación del cliente"
    )

    response.refresh_from_db()
    assert ticket.priority == "p2"
    assert ticket.priority_override_reason == "Afecta la facturación del cliente"
    assert response.target == timedelta(hours=1)
    assert response.elapsed == timedelta(minutes=10)
    event = ticket.events.get(kind=TicketEvent.Kind.PRIORITY)
    assert (event.from_value, event.to_value, event.by) == ("p3", "p2", agent)


@pytest.mark.parametrize("body", ["", "   "])
def test_an_empty_message_is_refused_in_both_languages_and_nothing_is_written(
    ticket, agent, funded, body
):
    with pytest.raises(InvalidInput) as by_agent:
        lifecycle.ticket_agent_reply(ticket, by=agent, body=body)
    with pytest.raises(InvalidInput) as by_customer:
        lifecycle.ticket_customer_reply(ticket, contact=funded, body=body)

    for refused in (by_agent, by_customer):
        assert in_both_languages(refused) == (
            {"body": ["Escriba el mensaje."]},
            {"body": ["Write the message."]},
        )
    assert ticket.messages.count() == 1  # only the opening message


def test_an_internal_note_cannot_ask_for_information(ticket, agent):
    with pytest.raises(InvalidInput) as refused:
        lifecycle.ticket_agent_reply(
            ticket, by=agent, body="¿Qué dominio?", public=False, asks_for_information=True
        )

    assert in_both_languages(refused) == (
        {"asks_for_information": ["Una nota interna no pide información."]},
        {"asks_for_information": ["An internal note cannot ask for information."]},
    )
    ticket.refresh_from_db()
    assert ticket.messages.count() == 1
    assert ticket.status == Status.ACKNOWLEDGED
    assert ticket.unanswered_info_requests == 0


def test_a_reply_from_another_customers_contact_is_refused(ticket):
    stranger = make_contact(email="otro@otro.example")

    with pytest.raises(InvalidInput) as refused:
        lifecycle.ticket_customer_reply(ticket, contact=stranger, body="Hola")

    assert in_both_languages(refused) == (
        {"contact": ["El contacto no pertenece al cliente de la solicitud."]},
        {"contact": ["The contact does not belong to the ticket's customer."]},
    )
    assert ticket.messages.count() == 1


@pytest.mark.parametrize(
    ("to_level", "reason", "spanish", "english"),
    [
        (
            4,
            "Requiere especialista",
            {"to_level": ["Los niveles de resolución de esta solicitud son 1, 2, 3."]},
            {"to_level": ["The resolution levels of this request are 1, 2, 3."]},
        ),
        (
            2,
            "  ",
            {"reason": ["Indique el motivo del escalamiento."]},
            {"reason": ["Enter the reason for the escalation."]},
        ),
        (
            1,
            "Requiere especialista",
            {"to_level": ["La solicitud ya está en ese nivel."]},
            {"to_level": ["The ticket is already at that level."]},
        ),
    ],
)
def test_a_bad_escalation_is_refused_in_both_languages(
    ticket, agent, to_level, reason, spanish, english
):
    with pytest.raises(InvalidInput) as refused:
        lifecycle.ticket_escalate(ticket, to_level=to_level, by=agent, reason=reason)

    assert in_both_languages(refused) == (spanish, english)
    ticket.refresh_from_db()
    assert ticket.resolution_level == 1
    assert not ticket.events.filter(kind=TicketEvent.Kind.ESCALATION).exists()


def test_an_unknown_priority_is_refused_naming_it_in_both_languages(ticket, agent):
    with pytest.raises(InvalidInput) as refused:
        lifecycle.ticket_override_priority(ticket, priority="p9", by=agent, reason="Urgente")

    assert in_both_languages(refused) == (
        {"priority": ["«p9» no es una prioridad conocida."]},
        {"priority": ["“p9” is not a known priority."]},
    )
    assert refused.value.as_dict("en") == {
        "code": "invalid_input",
        "message": "The input is not valid: priority: “p9” is not a known priority.",
        "fields": {"priority": ["“p9” is not a known priority."]},
    }
    ticket.refresh_from_db()
    assert ticket.priority == "p3"
    assert ticket.priority_override_reason == ""
    assert not ticket.events.filter(kind=TicketEvent.Kind.PRIORITY).exists()
