"""A page or list costs the same number of queries with 10 tickets as with 200: lists are
paginated and every row's related data comes in the page's own queries, never one per row."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contracts.models import Channel
from tests.factories import (
    log_finished_work,
    make_contract,
    make_customer,
    make_finance_user,
    make_invoice,
    make_staff_user,
)
from tests.web.conftest import top_up
from tickets.models import Ticket
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_agent_reply, ticket_assign, ticket_transition

PAGES = {
    "contact": [
        "/portal/",
        "/portal/credits/",
        "/portal/invoices/",
        "/api/v1/tickets/",
        "/api/v1/customers/{customer}/credits/entries/",
        "/api/v1/customers/{customer}/credits/holds/",
    ],
    "agent": ["/workspace/", "/workspace/?customer=Hotel", "/api/v1/tickets/"],
    "manager": [
        "/api/v1/intake-attempts/",
        "/workspace/",
        "/workspace/customers/",
        "/workspace/customers/{customer}/",
        "/api/v1/tickets/",
        "/api/v1/customers/",
        "/api/v1/contracts/",
    ],
    "finance": ["/api/v1/invoices/", "/api/v1/payments/", "/api/v1/customers/"],
    "admin": ["/workspace/", "/api/v1/tickets/", "/api/v1/sessions/", "/api/v1/contacts/"],
}


def _open_tickets(shop, count: int) -> None:
    """Tickets in every state a list shows: new, assigned and answered, worked and resolved."""
    top_up(shop.customer, str(3 * count))
    for index in range(count):
        ticket = ticket_open(
            channel=Channel.PORTAL, requester=shop.contact, subject=f"Caso {index}", by=None
        ).ticket
        if index % 3 == 0:
            continue
        ticket_assign(ticket, assignee=shop.agent, by=shop.agent)
        ticket_agent_reply(ticket, by=shop.agent, body="Revisando.")
        if index % 3 == 2:
            log_finished_work(
                ticket,
                by=shop.agent,
                minutes=45,
                started_at=ticket.opened_at,
                note="Diagnóstico",
            )
            ticket_transition(ticket, to_status=Ticket.Status.RESOLVED, by=shop.agent)


def _query_counts(
    clients: dict[str, Client], keys: dict[str, int | str], pages: dict[str, list[str]] = PAGES
) -> dict[str, int]:
    """Each page's number of queries, by who asked and the page's address."""
    counts = {}
    for who, urls in pages.items():
        for url in urls:
            url = url.format(**keys)
            with CaptureQueriesContext(connection) as queries:
                response = clients[who].get(url)
            assert response.status_code == 200, (who, url, response.status_code)
            counts[f"{who} {url}"] = len(queries)
    return counts


def _clients(shop) -> dict[str, Client]:
    """A signed-in client for each role the pages are read by."""
    users = {
        "contact": shop.user,
        "agent": shop.agent,
        "manager": shop.manager,
        "finance": make_finance_user(username="finanzas"),
        "admin": make_staff_user(username="raiz", is_superuser=True),
    }
    clients = {}
    for who, user in users.items():
        clients[who] = Client()
        clients[who].force_login(user)
    return clients


@pytest.mark.django_db
def test_pages_and_lists_cost_the_same_queries_for_10_and_200_tickets(shop):
    clients = _clients(shop)

    _open_tickets(shop, 10)
    with_ten = _query_counts(clients, {"customer": shop.customer.pk})
    _open_tickets(shop, 190)
    assert Ticket.objects.count() == 200
    assert Decimal(shop.customer.credit_account.balance) > 0

    assert _query_counts(clients, {"customer": shop.customer.pk}) == with_ten


# Every other page of the workspace and the portal (issue 19: "every page renders with a fixed
# number of queries whatever the amount of data"), grown in every list it shows: requests,
# one request's messages, invoices, customers. Pages are added here as they are built.
MORE_PAGES = {
    "contact": [
        "/portal/tickets/{ticket}/",
        "/portal/tickets/new/",
        "/portal/transfers/",
        "/portal/subscription/",
    ],
    "agent": ["/workspace/tickets/{ticket}/", "/workspace/outcomes/"],
    "manager": ["/workspace/customers/", "/workspace/customers/{customer}/"],
    "finance": [
        "/workspace/finance/invoices/",
        "/workspace/finance/invoices/{invoice}/",
        "/workspace/finance/ageing/",
        "/workspace/finance/billing-run/",
        "/workspace/finance/credits/",
        "/workspace/finance/transfers/",
    ],
    "admin": [
        "/workspace/webhooks/",
        "/workspace/knowledge/",
        "/workspace/status/",
    ],
}


def _grow(shop, ticket, *, tickets: int, invoices: int, customers: int, replies: int) -> None:
    _open_tickets(shop, tickets)
    for index in range(replies):
        ticket_agent_reply(ticket, by=shop.agent, body=f"Avance {index}.")
    for _index in range(invoices):
        make_invoice(shop.customer, contract=shop.contract, issue=True)
    plan = shop.contract.plan
    for _index in range(customers):
        customer = make_customer(account_manager=shop.manager)
        make_contract(customer, plan)
        make_invoice(customer, issue=True)


@pytest.mark.django_db
def test_every_workspace_and_portal_page_costs_the_same_queries_small_and_large(shop):
    clients = _clients(shop)
    top_up(shop.customer, "5")
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="Seguimiento", by=None
    ).ticket
    invoice = make_invoice(shop.customer, contract=shop.contract, issue=True)
    keys = {"customer": shop.customer.pk, "ticket": ticket.number, "invoice": invoice.pk}

    _grow(shop, ticket, tickets=4, invoices=2, customers=1, replies=2)
    small = _query_counts(clients, keys, MORE_PAGES)
    _grow(shop, ticket, tickets=40, invoices=20, customers=12, replies=15)
    large = _query_counts(clients, keys, MORE_PAGES)

    assert large == small
