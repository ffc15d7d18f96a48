"""Where two entry points do the same thing they call the same function and end the same:
reopening from the API and from the workspace, the services the portal form offers and
the ones intake accepts, the portal's refusal preview and intake's own refusal."""

import pytest
from django.test import Client
from django.urls import reverse

from contracts.models import Channel
from contracts.selectors import services_covered
from tests.api.conftest import client_for
from tests.factories import make_agent, make_service
from tests.web.conftest import top_up
from tickets.models import Ticket
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_resolve, ticket_start_work


def _resolved(shop) -> Ticket:
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Caída").ticket
    ticket_start_work(ticket, by=shop.agent)
    return ticket_resolve(ticket, by=shop.agent)


def test_reopening_from_the_api_and_the_workspace_ends_in_the_same_state(shop):
    top_up(shop.customer, "10")
    by_api, by_page = _resolved(shop), _resolved(shop)
    agent = make_agent()
    answer = client_for(agent).post(
        f"/api/v1/tickets/{by_api.pk}/transitions/", {"to_status": "reopened"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    browser = Client()
    browser.force_login(agent)
    browser.post(reverse("web:work-status", args=[by_page.number]), {"to_status": "reopened"})
    by_api.refresh_from_db()
    by_page.refresh_from_db()
    assert by_api.status == by_page.status == Ticket.Status.IN_PROGRESS
    assert by_api.resolved_at is None
    assert by_page.resolved_at is None


def test_the_portal_offers_exactly_the_services_intake_accepts(client, shop):
    top_up(shop.customer, "10")
    listed, retired, other = make_service(), make_service(is_active=False), make_service()
    shop.contract.services.set([listed, retired])
    client.force_login(shop.user)
    page = client.get(reverse("web:ticket-new")).content.decode()
    offered = {s for s in (listed, retired, other) if f'value="{s.pk}"' in page}
    assert offered == set(services_covered(shop.contract)) == {listed}
    for service in (listed, retired, other):
        result = ticket_open(
            channel=Channel.PORTAL, requester=shop.contact, subject="x", service=service
        )
        assert result.accepted == (service in offered), service


@pytest.mark.parametrize("case", ["unauthorized", "insufficient", "channel", "accepted"])
def test_the_preview_says_what_intake_says(client, shop, case):
    top_up(shop.customer, "1" if case == "insufficient" else "10")
    if case == "unauthorized":
        shop.contact.can_request = False
        shop.contact.save()
    if case == "channel":
        shop.contract.plan.allowed_channels = [Channel.EMAIL]
        shop.contract.plan.save()
    client.force_login(shop.user)
    page = client.get(reverse("web:ticket-new")).content.decode()
    result = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="x")
    if case == "accepted":
        assert result.accepted
        assert 'data-testid="refusal"' not in page
    else:
        assert not result.accepted
        assert result.refusal.message("es").replace("«", "&laquo;") in page.replace("«", "&laquo;")


def test_a_contract_listing_only_retired_services_covers_none_in_both(client, shop):
    top_up(shop.customer, "10")
    retired, active = make_service(is_active=False), make_service()
    shop.contract.services.set([retired])
    client.force_login(shop.user)
    page = client.get(reverse("web:ticket-new")).content.decode()
    assert f'value="{active.pk}"' not in page
    result = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="x", service=active
    )
    assert result.refusal.code == "out_of_scope"
