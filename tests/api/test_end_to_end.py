"""The integrator's story, through the API only (and Stripe.js's part against localstripe):
an account manager sets up a customer and a contract; the customer buys credits with a
card; opens requests until refused with 402; an agent logs work and resolves; the customer
reads the charge and its explanation and downloads the paid invoice's PDF."""

import time
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from djmoney.money import Money

from contracts.models import Channel
from tests.api.conftest import client_for
from tests.billing.conftest import (  # noqa: F401  (fixtures)
    localstripe_url,
    localstripe_webhooks,
    stripe_settings,
)
from tests.billing.test_topups import customer_pays
from tests.factories import (
    make_account_manager,
    make_agent,
    make_credit_pack,
    make_plan,
    make_portal_user,
)
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)


@pytest.mark.django_db(transaction=True)
def test_integrator_story(settings, localstripe_webhooks, sla_policy):  # noqa: F811
    plan = make_plan(sla_policy=sla_policy, allowed_channels=[Channel.API, Channel.PORTAL])
    make_credit_pack(plan, name="3 horas", credits=Decimal("3"), price=Money("270000", "COP"))
    manager = client_for(make_account_manager())

    # an account manager creates the customer, an authorized contact and an active contract
    customer = manager.post(
        "/api/v1/customers/",
        {
            "legal_name": "Hosting Andino S.A.S.",
            "tax_id": "901555444-1",
            "country": "CO",
            "currency": "COP",
            "billing_email": "facturas@andino.example",
        },
        format="json",
    ).json()
    contact = manager.post(
        "/api/v1/contacts/",
        {
            "customer": customer["id"],
            "name": "Ana Gómez",
            "email": "ana@andino.example",
            "can_request": True,
            "language": "en",
        },
        format="json",
    ).json()
    contract = manager.post(
        "/api/v1/contracts/",
        {"customer": customer["id"], "plan": plan.pk, "starts_on": "2026-01-01"},
        format="json",
    ).json()
    activated = manager.post(f"/api/v1/contracts/{contract['id']}/activate/", {}, format="json")
    assert activated.json()["status"] == "active"

    # the admin gives the contact a login (Contact.user is set in the admin)
    from contracts.models import Contact

    ana = client_for(make_portal_user(Contact.objects.get(pk=contact["id"])))

    # the customer buys a pack with a card: the API starts the payment, Stripe.js confirms it
    packs = ana.get("/api/v1/credit-packs/", {"plan": plan.pk}).json()["results"]
    started = ana.post(
        "/api/v1/top-ups/",
        {"credit_pack": packs[0]["id"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="buy-1",
    )
    assert started.status_code == 201, started.content
    payment = started.json()["payment"]
    assert started.json()["client_secret"]
    assert payment["amount"] == {"amount": "321300.00", "currency": "COP"}  # + 19 % IVA
    customer_pays(settings, payment["provider_ref"])
    credits_url = f"/api/v1/customers/{customer['id']}/credits/"
    deadline = time.monotonic() + 15
    while Decimal(ana.get(credits_url).json()["balance"]) == 0:
        assert time.monotonic() < deadline, "the payment webhook did not land the credits"
        time.sleep(0.2)
    assert Decimal(ana.get(credits_url).json()["available"]) == Decimal("3")

    # the customer opens requests until the credits do not allow another one
    opened = []
    while True:
        answer = ana.post(
            "/api/v1/tickets/", {"subject": f"Request {len(opened) + 1}"}, format="json"
        )
        if answer.status_code != 201:
            break
        opened.append(answer.json())
    assert len(opened) == 2  # 3 credits, 1 held per request, 2 must stay available
    assert answer.status_code == 402
    assert answer.json()["code"] == "insufficient_credits"

    # an agent works 70 minutes on the first request, logs them once done and resolves it
    agent = client_for(make_agent())
    first = f"/api/v1/tickets/{opened[0]['id']}/"
    agent.post(first + "messages/", {"body": "Looking into it"}, format="json")
    work_started = datetime.fromisoformat(opened[0]["opened_at"])
    with time_machine.travel(work_started + timedelta(minutes=70)):
        logged = agent.post(
            first + "work-logs/",
            {"started_at": opened[0]["opened_at"], "minutes": 70, "note": "mail relay"},
            format="json",
        )
    assert logged.status_code == 201
    resolved = agent.post(first + "transitions/", {"to_status": "resolved"}, format="json")
    assert resolved.status_code == 200, resolved.content

    # the customer reads the charge and why, in English
    ticket = ana.get(first, HTTP_ACCEPT_LANGUAGE="en").json()
    assert Decimal(ticket["billed_credits"]) == Decimal("2")
    assert ticket["charge_explanation"]
    assert [Decimal(c["credits"]) for c in ticket["charges"]] == [Decimal("-2")]
    entries = ana.get(credits_url + "entries/", {"kind": "charge"}).json()["results"]
    assert [Decimal(e["credits"]) for e in entries] == [Decimal("-2")]

    # and finds the paid invoice of the pack
    (invoice,) = ana.get("/api/v1/invoices/").json()["results"]
    assert invoice["status"] == "paid"
    assert invoice["total"] == payment["amount"]
    assert ana.get(f"/api/v1/invoices/{invoice['id']}/").json()["lines"][0]["kind"] == (
        "credit_pack"
    )
    # and downloads its PDF
    pdf = ana.get(f"/api/v1/invoices/{invoice['id']}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
