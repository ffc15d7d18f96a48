"""Quotes through the API: staff draft and send on tickets they see, the customer's contacts
accept or reject their own; another customer's quote is a 404; bad input names the field;
quote.* webhooks reach the customer's endpoint with the quote as the API shows it."""

import json

import pytest

from billing.models import Invoice
from quotes.models import Quote
from tests.api.conftest import client_for
from tests.factories import make_account_manager, make_contact, make_customer, make_portal_user
from tests.quotes.conftest import MONEY_LINES, in_days
from tests.webhooks.conftest import receiver  # noqa: F401  (fixture)
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create

URL = "/api/v1/quotes/"


def draft_body(ticket, **changes):
    return {
        "ticket": ticket.number,
        "kind": "money",
        "lines": MONEY_LINES,
        "valid_until": in_days(10).isoformat(),
        "terms": "Contado.",
    } | changes


@pytest.mark.django_db
def test_staff_draft_and_send_the_customer_accepts_and_gets_the_invoice(shop, ticket):
    agent = client_for(shop.agent)
    created = agent.post(URL, draft_body(ticket), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft"
    assert body["total"] == {"amount": "630700.60", "currency": "COP"}
    pk = body["id"]

    customer = client_for(shop.user)
    assert customer.get(f"{URL}{pk}/").status_code == 404  # drafts are staff's
    assert customer.post(f"{URL}{pk}/send/").status_code == 403
    assert agent.post(f"{URL}{pk}/accept/").status_code == 403  # only the customer decides

    sent = agent.post(f"{URL}{pk}/send/")
    assert sent.status_code == 200
    assert sent.json()["number"].startswith("PR")
    assert agent.post(f"{URL}{pk}/send/").json()["code"] == "quote_not_draft"

    listed = customer.get(URL).json()
    assert [row["id"] for row in listed["results"]] == [pk]
    accepted = customer.post(f"{URL}{pk}/accept/")
    assert accepted.status_code == 200
    assert accepted.json()["decided_contact"] == shop.contact.pk
    assert Invoice.objects.get(pk=accepted.json()["invoice"]).status == "issued"
    again = customer.post(f"{URL}{pk}/reject/", {"reason": "tarde"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "quote_already_decided"

    pdf = customer.get(f"{URL}{pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_other_customers_and_their_managers_do_not_see_the_quote(shop, ticket):
    pk = client_for(shop.agent).post(URL, draft_body(ticket), format="json").json()["id"]
    client_for(shop.agent).post(f"{URL}{pk}/send/")
    stranger = make_portal_user(make_contact(make_customer()), username="otro")
    assert client_for(stranger).get(f"{URL}{pk}/").status_code == 404
    assert client_for(stranger).post(f"{URL}{pk}/accept/").status_code == 404
    other_manager = make_account_manager(username="otra-gerente")
    assert client_for(other_manager).get(f"{URL}{pk}/").status_code == 404
    assert client_for(other_manager).post(URL, draft_body(ticket), format="json").status_code == 404
    assert client_for(shop.manager).get(f"{URL}{pk}/").status_code == 200
    assert Quote.objects.get(pk=pk).status == "sent"


@pytest.mark.django_db
def test_bad_input_names_the_field_and_writes_nothing(shop, ticket):
    agent = client_for(shop.agent)
    lines = [{"description": "A", "quantity": "1", "unit_price": "-5"}]
    refused = agent.post(URL, draft_body(ticket, lines=lines), format="json")
    assert refused.status_code == 400
    assert "lines.0.unit_price" in refused.json()["fields"]
    past = agent.post(URL, draft_body(ticket, valid_until="2020-01-01"), format="json")
    assert past.status_code == 400
    assert "valid_until" in past.json()["fields"]
    assert not Quote.objects.exists()


@pytest.mark.django_db
def test_resolving_through_the_api_records_the_outcome(shop, ticket):
    agent = client_for(shop.agent)
    url = f"/api/v1/tickets/{ticket.pk}/transitions/"
    agent.post(url, {"to_status": "in_progress"}, format="json")
    refused = agent.post(url, {"to_status": "resolved", "outcome": "out_of_scope"}, format="json")
    assert refused.status_code == 400
    assert "outcome_alternative" in refused.json()["fields"]
    done = agent.post(
        url,
        {"to_status": "resolved", "outcome": "out_of_scope", "outcome_alternative": "Un ISP"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["outcome"] == "out_of_scope"
    assert done.json()["outcome_alternative"] == "Un ISP"


@pytest.mark.django_db(transaction=True)
def test_quote_events_reach_the_customers_endpoint(shop, ticket, receiver):  # noqa: F811
    webhook_endpoint_create(
        owner=shop.manager,
        url=receiver.url,
        events=["quote.sent", "quote.accepted", "quote.rejected"],
        customer=shop.customer,
        may_cover_all=False,
    )
    agent, customer = client_for(shop.agent), client_for(shop.user)
    first = agent.post(URL, draft_body(ticket), format="json").json()["id"]
    second = agent.post(URL, draft_body(ticket), format="json").json()["id"]
    agent.post(f"{URL}{first}/send/")
    agent.post(f"{URL}{second}/send/")
    customer.post(f"{URL}{first}/accept/")
    customer.post(f"{URL}{second}/reject/", {"reason": "No"}, format="json")

    deliveries = WebhookDelivery.objects.order_by("pk")
    assert [d.event_type for d in deliveries] == [
        "quote.sent",
        "quote.sent",
        "quote.accepted",
        "quote.rejected",
    ]
    assert all(d.status == WebhookDelivery.Status.DELIVERED for d in deliveries)
    accepted = json.loads(deliveries[2].body)["data"]
    assert accepted["id"] == first
    assert accepted["status"] == "accepted"
    assert accepted["invoice"] is not None
