"""One endpoint per destination and customer: a second would deliver every event twice."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_customer
from webhooks import services
from webhooks.exceptions import DuplicateEndpoint
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db
ENDPOINTS = "/api/v1/webhook-endpoints/"


def _register(shop, url, customer=None, *, may_cover_all=False):
    return services.webhook_endpoint_create(
        owner=shop.manager,
        url=url,
        events=["ticket.created"],
        customer=customer,
        may_cover_all=may_cover_all,
    )


def test_the_same_destination_twice_for_one_customer_is_refused_in_both_languages(shop, receiver):
    _register(shop, receiver.url, shop.customer)

    with pytest.raises(DuplicateEndpoint) as refused:
        _register(shop, receiver.url, shop.customer)

    assert refused.value.field == "url"
    assert refused.value.message("es") == (
        f"Ya hay un webhook a {receiver.url} para {shop.customer.legal_name}: "
        "cambie sus eventos en él."
    )
    assert refused.value.message("en").startswith(f"There is already a webhook to {receiver.url}")
    assert WebhookEndpoint.objects.count() == 1


def test_the_same_destination_may_serve_another_customer_and_the_whole_installation(shop, receiver):
    _register(shop, receiver.url, shop.customer)
    other = make_customer(account_manager=shop.manager)

    _register(shop, receiver.url, other)
    _register(shop, receiver.url, may_cover_all=True)

    with pytest.raises(DuplicateEndpoint) as refused:
        _register(shop, receiver.url, may_cover_all=True)
    assert "every customer" in refused.value.message("en")
    assert WebhookEndpoint.objects.count() == 3


def test_moving_an_endpoint_onto_anothers_destination_is_refused(shop, receiver):
    first = _register(shop, receiver.url, shop.customer)
    second = _register(shop, f"{receiver.url}/v2", shop.customer)

    with pytest.raises(DuplicateEndpoint):
        services.webhook_endpoint_update(second, url=first.url)

    services.webhook_endpoint_update(first, url=first.url, events=["invoice.paid"])
    second.refresh_from_db()
    assert second.url == f"{receiver.url}/v2"


def test_the_api_answers_409_and_the_page_shows_the_refusal(shop, receiver):
    api = APIClient()
    api.force_authenticate(shop.manager)
    body = {"url": receiver.url, "events": ["ticket.created"], "customer": shop.customer.pk}
    assert api.post(ENDPOINTS, body, format="json").status_code == 201

    again = api.post(ENDPOINTS, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    page = Client()
    page.force_login(shop.manager)
    form = page.post("/workspace/webhooks/", body, HTTP_ACCEPT_LANGUAGE="es")

    assert again.status_code == 409
    assert again.json()["code"] == "webhook_duplicate_endpoint"
    assert again.json()["fields"] == {"url": [again.json()["message"]]}
    assert form.status_code == 200
    assert "Ya hay un webhook a" in form.text
    assert WebhookEndpoint.objects.count() == 1
