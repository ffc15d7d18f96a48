"""The webhook endpoints and deliveries through the API: who may see and change them."""

import pytest
from rest_framework.test import APIClient

from contracts.models import Channel
from tests.factories import (
    make_account_manager,
    make_customer,
    make_finance_user,
    make_staff_user,
)
from tests.web.conftest import top_up
from tickets.services.intake import ticket_open
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)
ENDPOINTS = "/api/v1/webhook-endpoints/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def create(client, receiver, **fields):
    body = {"url": receiver.url, "events": ["ticket.created", "invoice.paid"]} | fields
    return client.post(ENDPOINTS, body, format="json")


def test_an_account_manager_registers_an_endpoint_for_their_customer(shop, receiver):
    manager = client_for(shop.manager)

    created = create(manager, receiver, customer=shop.customer.pk)

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["invoice.paid", "ticket.created"]
    listed = manager.get(ENDPOINTS).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    assert "secret" not in listed[0]

    rotated = manager.post(f"{ENDPOINTS}{body['id']}/rotate-secret/").json()
    assert rotated["secret"] != body["secret"]
    changed = manager.patch(
        f"{ENDPOINTS}{body['id']}/", {"events": ["ticket.created"]}, format="json"
    )
    assert changed.json()["events"] == ["ticket.created"]


def test_an_endpoint_registered_inactive_stays_off_until_switched_on(shop, receiver):
    manager = client_for(shop.manager)

    created = create(manager, receiver, customer=shop.customer.pk, is_active=False)

    assert created.status_code == 201, created.content
    assert created.json()["is_active"] is False
    top_up(shop.customer, "5")
    ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Caso")
    assert receiver.requests == []
    switched = manager.patch(
        f"{ENDPOINTS}{created.json()['id']}/", {"is_active": True}, format="json"
    )
    assert switched.json()["is_active"] is True
    ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Otro caso")
    assert len(receiver.requests) == 1


def test_the_delivery_log_and_redelivery(shop, receiver):
    manager = client_for(shop.manager)
    create(manager, receiver, customer=shop.customer.pk)
    top_up(shop.customer, "5")
    ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Caso")

    [delivery] = manager.get("/api/v1/webhook-deliveries/").json()["results"]
    assert delivery["status"] == "delivered"
    assert [attempt["status_code"] for attempt in delivery["log"]] == [200]

    again = manager.post(f"/api/v1/webhook-deliveries/{delivery['id']}/redeliver/")
    assert again.status_code == 202
    assert len(receiver.requests) == 2


def test_only_admins_cover_every_customer(shop, receiver):
    refused = create(client_for(shop.manager), receiver)
    assert refused.status_code == 400
    assert refused.json()["code"] == "webhook_customer_required"

    admin = make_staff_user(username="raiz", is_superuser=True)
    created = create(client_for(admin), receiver)
    assert created.status_code == 201
    assert created.json()["customer"] is None


def test_other_customers_endpoints_are_out_of_sight(shop, receiver):
    create(client_for(shop.manager), receiver, customer=shop.customer.pk)
    endpoint = WebhookEndpoint.objects.get()
    other_manager = make_account_manager(username="otro-gerente")
    make_customer(account_manager=other_manager)

    other = client_for(other_manager)
    assert other.get(ENDPOINTS).json()["results"] == []
    assert other.get(f"{ENDPOINTS}{endpoint.pk}/").status_code == 404
    assert other.delete(f"{ENDPOINTS}{endpoint.pk}/").status_code == 404
    foreign = create(other, receiver, customer=shop.customer.pk)
    assert foreign.status_code == 400
    assert "customer" in foreign.json()["fields"]

    for outsider in (shop.user, shop.agent, make_finance_user(username="finanzas")):
        assert client_for(outsider).get(ENDPOINTS).status_code == 403
    assert WebhookEndpoint.objects.count() == 1


def test_bad_input_is_refused_naming_the_field(shop, receiver, settings):
    manager = client_for(shop.manager)
    unknown = create(manager, receiver, customer=shop.customer.pk, events=["ticket.exploded"])
    assert unknown.status_code == 400
    assert "events.0" in unknown.json()["fields"]

    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    internal = create(manager, receiver, customer=shop.customer.pk)
    assert internal.status_code == 400
    assert internal.json()["code"] == "webhook_destination_refused"
    assert "url" in internal.json()["fields"]
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example:99999/x",
        "https://hooks.example:abc/x",
        "https://hooks.example:-1/x",
        "https://[::1/x",
    ],
)
def test_an_address_python_cannot_take_apart_is_refused_on_create_and_change(shop, receiver, url):
    manager = client_for(shop.manager)

    created = create(manager, receiver, customer=shop.customer.pk, url=url)
    endpoint = create(manager, receiver, customer=shop.customer.pk).json()
    changed = manager.patch(f"{ENDPOINTS}{endpoint['id']}/", {"url": url}, format="json")

    for response in (created, changed):
        assert response.status_code == 400
        assert response.json()["code"] == "webhook_destination_refused"
    assert list(WebhookEndpoint.objects.values_list("url", flat=True)) == [receiver.url]


def test_an_endpoints_customer_does_not_change(shop, receiver):
    """An endpoint belongs to its customer (or to the whole installation) for good: a change
    of owner is refused naming the field, never ignored, never "no such customer"."""
    manager = client_for(shop.manager)
    endpoint = create(manager, receiver, customer=shop.customer.pk).json()
    path = f"{ENDPOINTS}{endpoint['id']}/"

    for customer in (None, shop.customer.pk + 1000):
        refused = manager.patch(path, {"customer": customer}, format="json")
        assert refused.status_code == 400, refused.content
        (message,) = refused.json()["fields"]["customer"]
        assert message.startswith("El cliente de un endpoint no cambia")
    same = manager.patch(path, {"customer": shop.customer.pk, "is_active": False}, format="json")
    assert (same.status_code, same.json()["is_active"]) == (200, False)
    assert WebhookEndpoint.objects.get().customer == shop.customer
