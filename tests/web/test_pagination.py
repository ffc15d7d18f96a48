"""Long lists come a page at a time, and the page links keep the list's filters."""

import re

import pytest
from django.test import Client

from contracts.models import Channel
from tests.web.conftest import top_up
from tickets.services.intake import ticket_open


def _open(shop, count: int) -> None:
    top_up(shop.customer, str(2 * count))
    for index in range(count):
        ticket_open(
            channel=Channel.PORTAL, requester=shop.contact, subject=f"Caso {index}", by=None
        )


@pytest.mark.django_db
def test_the_queue_shows_fifty_a_page_and_keeps_its_filters(shop):
    _open(shop, 55)
    agent = Client()
    agent.force_login(shop.agent)

    first = agent.get("/workspace/", {"customer": "Andino"}).text
    assert first.count('data-testid="queue-row"') == 50
    assert "Página 1 de 2" in first
    next_link = re.search(r'href="(\?[^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "customer=Andino" in next_link
    assert "page=2" in next_link

    second = agent.get("/workspace/" + next_link).text
    assert second.count('data-testid="queue-row"') == 5
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second

    # A stale bookmark past the end lands on the last page, not on an error.
    assert agent.get("/workspace/", {"page": "99"}).text.count('data-testid="queue-row"') == 5
    assert agent.get("/workspace/", {"page": "x"}).text.count('data-testid="queue-row"') == 50


@pytest.mark.django_db
def test_the_portal_dashboard_pages_open_requests_in_the_customer_language(shop):
    _open(shop, 30)
    contact = Client()
    contact.force_login(shop.user)

    page = contact.get("/portal/").text
    assert "Página 1 de 2" in page
    contact.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = contact.get("/portal/", {"page": 2}).text
    assert "Page 2 of 2" in page
    assert 'rel="prev"' in page
