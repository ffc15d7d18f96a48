"""Seed 004: "Portal Noticioso: 3 días - requisito dominio activo y delegado".

A news site sold by the seed-000 provider is a manual product: its lead time counts business
days of the provider's calendar (Monday to Friday, GMT-3, Argentine holidays) from when its
prerequisites are met. The account manager registers the purchase (its invoice is issued);
finance records the bank transfer (the payment is credited, but the domain is not delegated
yet, so no clock runs); on Wednesday 9 December 2026 the customer's domain is delegated and
the agent ticks it: the activation is due when the third business day after it closes,
Monday 14 December at 17:00 in Buenos Aires (Thursday 10, Friday 11, Monday 14). The
customer follows it in the portal and the API; the monitor warns before the due time; the
agent activates it on Friday, on time, and the month's SLA report counts it."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from activations.models import Activation
from contracts.models import Contact, Contract
from creditdesk.reports.data import sla_report_data
from creditdesk.reports.rendering import sla_report_csv
from sla.models import ActivationLeadTime
from tests.api.conftest import client_for
from tests.factories import make_account_manager, make_agent, make_finance_user
from tests.scenarios.conftest import sign_through_api

pytestmark = pytest.mark.django_db
BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BUENOS_AIRES)


@pytest.fixture
def provider():
    call_command("load_presets", "sla-service-types", "activation-times", stdout=io.StringIO())
    manager_user = make_account_manager()
    manager = client_for(manager_user)
    signed = sign_through_api(
        manager,
        manager_user,
        plan="altomarketing-hosting",
        customer={
            "legal_name": "Diario del Valle S.R.L.",
            "tax_id": "30-71555444-2",
            "country": "AR",
            "currency": "ARS",
            "time_zone": "America/Argentina/Buenos_Aires",
            "billing_email": "admin@diariodelvalle.example",
        },
        contact={"name": "Marta", "email": "marta@diariodelvalle.example"},
        starts_on="2026-11-01",
    )
    return {"manager": manager, "signed": signed}


def test_a_portal_noticioso_activation_is_due_3_business_days_after_its_domain_is_delegated(
    provider, django_capture_on_commit_callbacks
):
    manager = provider["manager"]
    customer_id = provider["signed"]["customer"]["id"]
    product = ActivationLeadTime.objects.get(preset="activation-times", product="Portal Noticioso")
    assert (product.business_days_max, product.prerequisite) == (3, "dominio activo y delegado")
    agent = client_for(make_agent())
    finance = client_for(make_finance_user())
    marta = provider["signed"]["client"]

    # Thursday 3 December: the account manager sells the news portal.
    with time_machine.travel(at(2026, 12, 3, 10, 0), tick=False):
        bought = manager.post(
            "/api/v1/activations/",
            {"customer": customer_id, "product": product.pk, "unit_price": "180000.00"},
            format="json",
        )
    assert bought.status_code == 201, bought.json()
    activation = bought.json()
    assert [step["label"] for step in activation["steps"]] == [
        "pago acreditado",
        "dominio activo y delegado",
    ]
    assert (activation["state"], activation["due_at"]) == ("waiting", None)

    # Friday 4: finance records the transfer; the payment is credited, the domain still not.
    invoice = marta.get(f"/api/v1/invoices/{activation['invoice']}/").json()
    with (
        time_machine.travel(at(2026, 12, 4, 11, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        paid = finance.post(
            "/api/v1/payments/",
            {
                "customer": customer_id,
                "provider": "bank_transfer",
                "provider_ref": "BNA-0042",
                "amount": invoice["total"]["amount"],
                "currency": "ARS",
                "received_on": "2026-12-04",
                "invoice": invoice["id"],
            },
            format="json",
        )
    assert paid.status_code == 201, paid.json()
    waiting = marta.get(f"/api/v1/activations/{activation['id']}/").json()
    assert waiting["steps"][0]["met_at"] is not None
    assert (waiting["state"], waiting["due_at"]) == ("waiting", None)

    # Wednesday 9 (after the bridge holiday on Monday 7 and the holiday on Tuesday 8): the
    # domain is delegated and the agent ticks it. Due: Thursday 10, Friday 11, Monday 14.
    with time_machine.travel(at(2026, 12, 9, 15, 30), tick=False):
        ticked = agent.post(
            f"/api/v1/activations/{activation['id']}/steps/2/meet/",
            {"note": "ns1/ns2 delegados"},
            format="json",
        )
    assert ticked.status_code == 200, ticked.json()
    due = datetime.fromisoformat(ticked.json()["due_at"])
    assert due == at(2026, 12, 14, 17, 0)
    assert datetime.fromisoformat(ticked.json()["started_at"]) == at(2026, 12, 9, 15, 30)

    # The customer sees it in the portal, with the date in her words.
    browser = Client()
    browser.force_login(Contact.objects.get(email="marta@diariodelvalle.example").user)
    with time_machine.travel(at(2026, 12, 10, 9, 0), tick=False):
        page = browser.get("/portal/activations/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
        english = browser.get("/portal/activations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "lunes 14 de diciembre, 17:00" in page
    assert "En curso" in page
    assert "Monday 14 December, 17:00" in english

    # Monday 14 at 13:00 (80 % of the span): the monitor warns; it marks nothing late yet.
    with time_machine.travel(at(2026, 12, 14, 13, 0), tick=False):
        call_command("monitor_activations", stdout=io.StringIO())
        warned = marta.get(f"/api/v1/activations/{activation['id']}/").json()
    assert warned["state"] == "warning"
    row = Activation.objects.get(pk=activation["id"])
    assert row.warned_at is not None
    assert row.late_at is None

    # 16:00: the site is live, on time.
    with time_machine.travel(at(2026, 12, 14, 16, 0), tick=False):
        done = agent.post(f"/api/v1/activations/{activation['id']}/complete/")
        call_command("monitor_activations", stdout=io.StringIO())
    assert done.status_code == 200, done.json()
    assert (done.json()["state"], done.json()["on_time"]) == ("active", True)
    assert Activation.objects.get(pk=activation["id"]).late_at is None

    # December's SLA report counts one product activated, on time.
    contract = Contract.objects.get(customer_id=customer_id)
    report = sla_report_data(contract=contract, period_start=date(2026, 12, 1))
    assert (report.activations.activated, report.activations.on_time) == (1, 1)
    assert "activations,,,on_time_share,1.0000" in sla_report_csv(report).replace("\r", "")
