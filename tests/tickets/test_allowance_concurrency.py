"""Real threads on PostgreSQL: resolutions drawing from one contract's monthly allowance at
once queue on its month row, so the included minutes are never drawn twice."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from contracts.models import Channel, Plan
from credits.models import AllowanceDraw, AllowanceMonth, LedgerEntry
from credits.selectors import ledger_verify
from tests.factories import log_finished_work, make_plan
from tests.threads import run_together
from tickets.models import Ticket
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_resolve, ticket_transition

WORKERS = 10


@pytest.fixture
def plan(sla_policy):
    """Five hours a month included, then credits (1 per started hour beyond them)."""
    return make_plan(
        sla_policy=sla_policy,
        allowed_channels=[Channel.PORTAL],
        support_model=Plan.SupportModel.INCLUDED_HOURS_THEN_CREDITS,
        included_hours=Decimal("5"),
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_resolutions_never_overdraw_the_allowance(requester, agent, tuesday_morning):
    # given ten requests, each with 45 minutes of work: 450 minutes against 300 included
    tickets = []
    for n in range(WORKERS):
        ticket = ticket_open(channel=Channel.PORTAL, requester=requester, subject=f"Caso {n}")
        assert ticket.accepted, ticket.refusal
        log_finished_work(ticket.ticket, by=agent, started_at=timezone.now(), minutes=45)
        ticket_transition(ticket.ticket, to_status=Ticket.Status.IN_PROGRESS, by=agent)
        tickets.append(ticket.ticket)

    # when all ten are resolved at once
    outcomes = run_together(
        lambda i: ticket_resolve(tickets[i], by=agent, reason="resuelto"), threads=WORKERS
    )

    # then the month drew exactly 300 minutes and 150 went beyond, split once
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    month = AllowanceMonth.objects.get()
    assert (month.used_minutes, month.over_minutes) == (300, 150)
    totals = AllowanceDraw.objects.aggregate(a=Sum("allowance_minutes"), o=Sum("over_minutes"))
    assert (totals["a"], totals["o"]) == (300, 150)
    splits = Counter(AllowanceDraw.objects.values_list("allowance_minutes", "over_minutes"))
    assert splits == Counter({(45, 0): 6, (30, 15): 1, (0, 45): 3})
    # and only the four requests with work beyond the hours were charged, 1 credit each
    billed = Counter(Ticket.objects.values_list("billed_credits", flat=True))
    assert billed == Counter({Decimal("0"): 6, Decimal("1"): 4})
    charges = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CHARGE)
    assert sorted(charges.values_list("credits", flat=True)) == [Decimal("-1")] * 4
    assert ledger_verify().ok
