from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import OnsiteCharge
from contracts.models import Channel
from core.errors import InvalidInput
from credits.models import CreditAccount, CreditHold
from credits.selectors import ledger_verify
from sla.services.setup import StepSpec
from tests.factories import make_agent
from tests.threads import run_together, run_while_held
from tests.tickets.conftest import publish_with_levels, top_up
from tickets.exceptions import TicketFinished
from tickets.models import IntakeAttempt, Ticket, TicketEscalation, TicketEvent, WorkLog
from tickets.services.charging import worklog_add
from tickets.services.escalation import escalations_run
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import (
    ticket_close,
    ticket_escalate,
    ticket_reopen,
    ticket_resolve,
    ticket_start_work,
)

WORKERS = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_never_share_the_last_credits(requester, tuesday_morning):
    # given 2 available credits, a minimum of 2 to accept and a hold of 1 per request
    top_up(requester.customer, 2)

    # when ten requests arrive at once
    outcomes = run_together(
        lambda i: ticket_open(channel=Channel.PORTAL, requester=requester, subject="Caído"),
        threads=WORKERS,
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    results = [o for o in outcomes if not isinstance(o, Exception)]

    # then exactly one is accepted: after it only 1 credit is available, below the minimum
    assert errors == []
    accepted = [r for r in results if r.accepted]
    assert len(accepted) == 1
    assert {r.refusal.code for r in results if not r.accepted} == {"insufficient_credits"}
    assert Ticket.objects.count() == 1
    assert IntakeAttempt.objects.count() == WORKERS - 1
    account = CreditAccount.objects.get(customer=requester.customer)
    assert (account.balance, account.held) == (Decimal("2.00"), Decimal("1.00"))
    assert CreditHold.objects.filter(status="active").count() == 1
    assert ledger_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reopens_racing_a_new_request_never_share_the_last_credits(requester, tuesday_morning):
    # given two resolved tickets, each charged its minimum of 1, and then 2 available
    # credits: the minimum to ask, of which each ask holds 1
    top_up(requester.customer, 4)
    agent = make_agent()
    resolved = []
    for subject in ("Correo caído", "DNS caído"):
        ticket = ticket_open(channel=Channel.PORTAL, requester=requester, subject=subject).ticket
        ticket_start_work(ticket, by=agent)
        resolved.append(ticket_resolve(ticket, by=agent))
    assert CreditAccount.objects.get(customer=requester.customer).available == Decimal("2.00")

    # when both are reopened while a new request arrives
    def work(i: int):
        if i < 2:
            return ticket_reopen(resolved[i], by=agent, reason="Volvió a fallar")
        return ticket_open(channel=Channel.PORTAL, requester=requester, subject="Web caída")

    outcomes = run_together(work, threads=3)

    # then exactly one of the three asks succeeds: after its hold 1 credit is available
    reopened = [o for o in outcomes[:2] if isinstance(o, Ticket)]
    refused = [o for o in outcomes[:2] if isinstance(o, Exception)]
    opened = outcomes[2].accepted
    assert len(reopened) + int(opened) == 1
    assert {error.code for error in refused} <= {"insufficient_credits"}
    account = CreditAccount.objects.get(customer=requester.customer)
    assert (account.balance, account.held) == (Decimal("2.00"), Decimal("1.00"))
    assert CreditHold.objects.filter(status="active").count() == 1
    assert ledger_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ladder_runs_racing_an_agents_escalation_act_once_on_the_ticket_as_it_is(
    requester, sla_policy, tuesday_morning
):
    publish_with_levels(sla_policy, ladder=[StepSpec("level", 100, "raise_level")])
    top_up(requester.customer, 2)
    ticket = ticket_open(channel=Channel.PORTAL, requester=requester, subject="Caído").ticket
    agent = make_agent()
    tuesday_morning.shift(timedelta(hours=2))  # level 1's two hours are used

    def work(i: int):
        if i == 0:
            try:
                return ticket_escalate(ticket, to_level=2, by=agent, reason="Remoto")
            except InvalidInput as refused:  # the ladder got there first
                return refused.fields_in("en")
        return escalations_run(now=timezone.now()).total

    outcomes = run_together(work, threads=WORKERS)

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert outcomes[0] in (ticket, {"to_level": ["The ticket is already at that level."]})
    ticket.refresh_from_db()
    # whoever came first moved it to level 2; nothing moved it twice or to level 3
    assert ticket.resolution_level == 2
    raises = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.ESCALATION)
    assert [(e.from_value, e.to_value) for e in raises] == [("1", "2")]
    assert TicketEscalation.objects.filter(ticket=ticket).count() <= 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_work_logged_while_the_request_closes_waits_for_it_and_is_refused(
    requester, tuesday_morning
):
    # Read without the ticket's lock, the log would see the request still resolved and be
    # recorded on it after the close: work on a closed request is never charged.
    top_up(requester.customer, 5)
    ticket = ticket_open(channel=Channel.PORTAL, requester=requester, subject="Caído").ticket
    agent = make_agent()
    ticket_start_work(ticket, by=agent)
    ticket_resolve(ticket, by=agent)
    tuesday_morning.shift(timedelta(minutes=30))  # the work the agent logs late is done

    outcome = run_while_held(
        lambda: ticket_close(ticket, by=agent),
        lambda: worklog_add(ticket, by=agent, started_at=ticket.opened_at, minutes=30, onsite=True),
    )

    assert isinstance(outcome, TicketFinished), outcome
    assert not WorkLog.objects.filter(ticket=ticket).exists()
    assert not OnsiteCharge.objects.exists()
