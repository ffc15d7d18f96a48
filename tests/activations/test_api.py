"""Activations through the API: who reads which (another customer's is a 404, like a missing
id), the purchase, ticking a prerequisite and completing, refusals in the one error shape."""

import pytest
from djmoney.money import Money

from activations.models import Activation
from activations.services import activation_purchase
from tests.api.conftest import client_for
from tests.factories import (
    make_account_manager,
    make_agent,
    make_contact,
    make_customer,
    make_finance_user,
    make_portal_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(catalogue, customer):
    manager = make_account_manager()
    customer.account_manager = manager
    customer.save(update_fields=["account_manager"])
    other = make_customer(country="AR", currency="ARS", time_zone="America/Argentina/Buenos_Aires")
    mine = activation_purchase(
        customer=customer, product=catalogue["Portal Noticioso"], unit_price=Money("1000", "ARS")
    )
    theirs = activation_purchase(
        customer=other, product=catalogue["Hosting"], unit_price=Money("1000", "ARS")
    )
    return {
        "manager": manager,
        "contact": make_portal_user(make_contact(customer)),
        "other_contact": make_portal_user(make_contact(other)),
        "agent": make_agent(),
        "finance": make_finance_user(),
        "mine": mine,
        "theirs": theirs,
        "customer": customer,
        "catalogue": catalogue,
    }


def test_a_contact_reads_their_own_activation_and_not_another_customers(world):
    client = client_for(world["contact"])
    own = client.get(f"/api/v1/activations/{world['mine'].pk}/")
    assert own.status_code == 200
    body = own.json()
    assert (body["product_name"], body["state"], body["due_at"]) == (
        "Portal Noticioso",
        "waiting",
        None,
    )
    assert [step["label"] for step in body["steps"]] == [
        "pago acreditado",
        "dominio activo y delegado",
    ]
    other = client.get(f"/api/v1/activations/{world['theirs'].pk}/")
    missing = client.get("/api/v1/activations/987654/")
    assert other.status_code == missing.status_code == 404
    assert other.json()["code"] == missing.json()["code"]
    listed = client.get("/api/v1/activations/").json()["results"]
    assert [row["id"] for row in listed] == [world["mine"].pk]


def test_an_account_manager_sees_only_their_customers(world):
    client = client_for(world["manager"])
    assert client.get(f"/api/v1/activations/{world['theirs'].pk}/").status_code == 404
    assert client.get(f"/api/v1/activations/{world['mine'].pk}/").status_code == 200


def test_a_contact_may_not_tick_a_prerequisite(world):
    client = client_for(world["contact"])
    response = client.post(f"/api/v1/activations/{world['mine'].pk}/steps/2/meet/", {})
    assert response.status_code == 403
    assert Activation.objects.get(pk=world["mine"].pk).steps.get(position=2).met_at is None


def test_an_agent_cannot_tick_the_payment_and_cannot_complete_a_waiting_activation(world):
    client = client_for(world["agent"])
    payment = client.post(f"/api/v1/activations/{world['mine'].pk}/steps/1/meet/", {})
    assert payment.status_code == 400
    assert payment.json()["code"] == "activation_step_is_payment"
    early = client.post(
        f"/api/v1/activations/{world['mine'].pk}/complete/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert early.status_code == 409
    assert early.json()["code"] == "activation_not_started"
    assert "waiting for its prerequisites" in early.json()["message"]
    ticked = client.post(
        f"/api/v1/activations/{world['mine'].pk}/steps/2/meet/", {"note": "NS delegados"}
    )
    assert ticked.status_code == 200
    assert ticked.json()["steps"][1]["note"] == "NS delegados"
    assert ticked.json()["state"] == "waiting"  # the payment is still pending


def test_finance_registers_a_purchase_and_an_agent_may_not(world):
    body = {
        "customer": world["customer"].pk,
        "product": world["catalogue"]["Hosting"].pk,
        "unit_price": "5000.00",
    }
    assert client_for(world["agent"]).post("/api/v1/activations/", body).status_code == 403
    created = client_for(world["finance"]).post("/api/v1/activations/", body)
    assert created.status_code == 201, created.json()
    assert created.json()["kind"] == "instant"
    assert created.json()["minutes_max"] == 2
    assert created.json()["invoice"] is not None


def test_a_purchase_for_another_managers_customer_is_a_404(world):
    other = world["theirs"].customer
    response = client_for(world["manager"]).post(
        "/api/v1/activations/",
        {
            "customer": other.pk,
            "product": world["catalogue"]["Hosting"].pk,
            "unit_price": "10.00",
        },
    )
    assert response.status_code == 404
    assert Activation.objects.filter(customer=other).count() == 1


def test_a_purchase_without_price_or_invoice_names_the_field(world):
    response = client_for(world["finance"]).post(
        "/api/v1/activations/",
        {"customer": world["customer"].pk, "product": world["catalogue"]["Hosting"].pk},
    )
    assert response.status_code == 400
    assert "unit_price" in response.json()["fields"]


def test_the_catalogue_lists_each_products_kind(world):
    rows = client_for(world["contact"]).get("/api/v1/activation-products/?page_size=50").json()
    kinds = {row["name"]: row["kind"] for row in rows["results"]}
    assert kinds["Hosting"] == "instant"
    assert kinds["Portal Noticioso"] == "business_days"


def test_the_schema_names_the_activation_endpoints(world):
    schema = client_for(world["agent"]).get("/api/schema/", HTTP_ACCEPT="application/json")
    if schema.status_code != 200:
        schema = client_for(world["agent"]).get("/api/v1/schema/?format=json")
    text = schema.content.decode()
    assert "/api/v1/activations/{id}/steps/{position}/meet/" in text
    assert "/api/v1/activation-products/" in text
