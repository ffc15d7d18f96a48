"""How long a customer has to answer an information request, and how many unanswered ones
abandon a ticket, are the plan's: seed 001 gives 8 working hours, seed 003 two attempts
(two business days each, on its Caracas calendar: a Friday request does not run out on
Sunday)."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from contracts.models import Channel, Plan
from contracts.services import plan_create
from core.errors import InvalidInput
from tests.factories import make_agent, make_contact, make_contract, make_customer
from tickets.models import Ticket
from tickets.services import lifecycle
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db
BOGOTA = ZoneInfo("America/Bogota")
CARACAS = ZoneInfo("America/Caracas")


def waiting_ticket(plan_code: str, asked_at: datetime, *, credits: str = "0") -> Ticket:
    """A request under the preset plan, answered at once with a question."""
    from tests.tickets.conftest import top_up

    call_command("load_presets", stdout=io.StringIO())
    customer = make_customer()
    make_contract(customer, Plan.objects.get(code=plan_code))
    contact = make_contact(customer)
    if credits != "0":
        top_up(customer, credits)
    with time_machine.travel(asked_at, tick=False):
        ticket = ticket_open(channel=Channel.PORTAL, requester=contact, subject="Correo").ticket
        lifecycle.ticket_agent_reply(
            ticket, by=make_agent(), body="¿Qué buzón?", asks_for_information=True
        )
    return ticket


def chase_at(moment: datetime) -> dict[str, int]:
    with time_machine.travel(moment, tick=False):
        return lifecycle.tickets_chase_unanswered()


def test_seed_001_customer_has_eight_working_hours_to_answer():
    # Friday 15:00 in Bogotá: 1.5 h left on Friday (until 16:30), 6.5 h from Monday 08:00
    ticket = waiting_ticket("tecnolinux-membresia", datetime(2026, 11, 20, 15, tzinfo=BOGOTA))

    assert chase_at(datetime(2026, 11, 23, 14, 29, tzinfo=BOGOTA)) == {
        "reminded": 0,
        "abandoned": 0,
    }
    assert chase_at(datetime(2026, 11, 23, 14, 30, tzinfo=BOGOTA)) == {
        "reminded": 1,
        "abandoned": 0,
    }
    ticket.refresh_from_db()
    assert ticket.unanswered_info_requests == 2


def test_seed_003_two_business_days_on_its_calendar_then_two_attempts_abandon():
    # Friday 10:00 in Caracas: two business days end Tuesday 17:00 (not Sunday)
    ticket = waiting_ticket(
        "smartcloud-dedicado", datetime(2026, 11, 20, 10, tzinfo=CARACAS), credits="5"
    )

    assert chase_at(datetime(2026, 11, 22, 12, tzinfo=CARACAS))["reminded"] == 0
    assert chase_at(datetime(2026, 11, 24, 16, 59, tzinfo=CARACAS))["reminded"] == 0
    assert chase_at(datetime(2026, 11, 24, 17, tzinfo=CARACAS))["reminded"] == 1
    # the reminder is the second attempt: two business days later it is abandoned
    assert chase_at(datetime(2026, 11, 26, 17, tzinfo=CARACAS))["abandoned"] == 1
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.ABANDONED


def test_a_window_in_hours_and_in_days_at_once_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as refused:
        plan_create(code="doble", name="Doble", currency="COP", answer_hours=8, answer_days=2)

    assert "answer_hours" in refused.value.fields
    assert not Plan.objects.filter(code="doble").exists()
