from decimal import Decimal

import pytest

from contracts.models import Channel
from credits.models import CreditAccount, CreditHold
from credits.selectors import ledger_verify
from tests.threads import run_together
from tests.tickets.conftest import top_up
from tickets.models import IntakeAttempt, Ticket
from tickets.services.intake import ticket_open

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
