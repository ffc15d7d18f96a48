"""Moving a ticket to another service type refuses bad input before writing anything."""

import pytest

from contracts.models import Channel
from core.errors import InvalidInput
from tests.factories import make_agent, make_service
from tests.tickets.conftest import top_up
from tickets.models import TEXT_LIMIT, TicketEvent
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_reclassify

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("reason", ["", "   ", "x" * (TEXT_LIMIT + 1)])
def test_a_missing_or_oversized_reason_is_refused_and_nothing_changes(requester, reason):
    top_up(requester.customer, 5)
    first, second = make_service(), make_service()
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=requester, subject="Copias", service=first
    ).ticket

    with pytest.raises(InvalidInput) as refused:
        ticket_reclassify(ticket, service=second, by=make_agent(), reason=reason)

    assert list(refused.value.fields) == ["reason"]
    ticket.refresh_from_db()
    assert ticket.service == first
    assert not TicketEvent.objects.filter(kind=TicketEvent.Kind.SERVICE).exists()
