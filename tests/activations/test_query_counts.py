"""The activation lists (workspace, portal, API) and the catalogue cost the same number of
queries with 2 activations as with 20: each row's customer, invoice, request and checklist
come in the page's own queries, never one per row."""

import pytest
from djmoney.money import Money

from activations.services import activation_purchase
from billing.services.payments import payment_record
from contracts.models import Channel
from contracts.services import customer_today
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tests.web.conftest import shop, top_up  # noqa: F401  (fixture)
from tests.web.test_query_counts import _clients, _query_counts
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db

PAGES = {
    "contact": ["/portal/activations/", "/api/v1/activations/"],
    "agent": ["/workspace/activations/", "/api/v1/activations/"],
    "manager": [
        "/workspace/activations/",
        "/workspace/activations/?all=1",
        "/api/v1/activations/",
        "/workspace/activations/products/",
        "/api/v1/activation-products/",
    ],
}
PRODUCTS = ("Hosting", "Portal Noticioso", "Simplenews")


def _buy(shop, catalogue, ticket, count: int, capture) -> None:  # noqa: F811
    """Purchases on the hotel's request, every other one paid (its clock running)."""
    for index in range(count):
        activation = activation_purchase(
            customer=shop.customer,
            product=catalogue[PRODUCTS[index % len(PRODUCTS)]],
            unit_price=Money("100000", "COP"),
            ticket_number=ticket.number,
            by=shop.manager,
        )
        if index % 2:
            continue
        with capture(execute=True):  # the payment's task ticks "pago acreditado"
            payment_record(
                customer=shop.customer,
                amount=activation.invoice.total,
                provider="bank_transfer",
                provider_ref=f"TR-Q-{activation.pk}",
                received_on=customer_today(shop.customer),
                invoice=activation.invoice,
            )


def test_activation_lists_cost_the_same_queries_for_2_and_20_rows(
    shop,  # noqa: F811
    catalogue,
    django_capture_on_commit_callbacks,
):
    clients = _clients(shop)
    top_up(shop.customer, "5")
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Portal").ticket

    _buy(shop, catalogue, ticket, 2, django_capture_on_commit_callbacks)
    small = _query_counts(clients, {}, PAGES)
    _buy(shop, catalogue, ticket, 18, django_capture_on_commit_callbacks)
    large = _query_counts(clients, {}, PAGES)

    assert large == small
