"""Seed 003, through the public API: SmartCloud's dedicated support paid with credits. A
request is taken only with at least two credits available ("como mínimo dos (2) unidades");
work is billed per started hour with one credit minimum; Priority 1 is answered within
4 hours and solved within 24, around the clock. The customer is told what was done and
what it cost."""

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from contracts.models import Plan
from contracts.services import credit_pack_create
from tests.api.conftest import client_for
from tests.factories import make_account_manager, make_agent, make_finance_user
from tests.scenarios.conftest import sign_through_api

pytestmark = pytest.mark.django_db
CARACAS = ZoneInfo("America/Caracas")


def due(body: dict, kind: str) -> datetime:
    clock = next(clock for clock in body["clocks"] if clock["kind"] == kind)
    return datetime.fromisoformat(clock["due_at"]).astimezone(CARACAS)


@time_machine.travel(datetime(2026, 11, 17, 9, tzinfo=CARACAS), tick=False)
def test_a_dedicated_support_customer_buys_credits_asks_and_is_charged_per_started_hour(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://soporte.example"
    call_command("load_presets", "dedicated-credits", stdout=io.StringIO())
    plan = Plan.objects.get(code="smartcloud-dedicado")
    pack = credit_pack_create(plan=plan, name="10 créditos", credits=Decimal("10"), price="450")
    manager_user = make_account_manager()
    signed = sign_through_api(
        client_for(manager_user),
        manager_user,
        plan="smartcloud-dedicado",
        customer={
            "legal_name": "Inversiones Caribe C.A.",
            "tax_id": "J-30123456-7",
            "country": "VE",
            "currency": "USD",
            "time_zone": "America/Caracas",
            "billing_email": "admin@caribe.example",
        },
        contact={"name": "Luis Pérez", "email": "luis@caribe.example"},
    )
    customer, luis = signed["customer"], signed["client"]
    request = {"subject": "El servidor no responde", "impact": "high", "urgency": "high"}

    # without credits the request is refused, saying what is missing
    refused = luis.post("/api/v1/tickets/", request, format="json")
    assert refused.status_code == 402
    assert refused.json()["code"] == "insufficient_credits"

    # finance records the bank transfer for a pack (USD 450 + IVA 16 %): the credits land
    paid = client_for(make_finance_user()).post(
        "/api/v1/payments/",
        {
            "customer": customer["id"],
            "provider": "bank_transfer",
            "provider_ref": "TRF-0001",
            "amount": "522.00",
            "currency": "USD",
            "received_on": "2026-11-17",
            "credit_pack": pack.pk,
        },
        format="json",
    )
    assert paid.status_code == 201, paid.json()
    assert paid.json()["applied_at"] is not None, paid.json()
    credits_url = f"/api/v1/customers/{customer['id']}/credits/"
    assert luis.get(credits_url).json()["available"] == "10.00"

    # Priority 1: attention within 4 hours, resolution within 24, around the clock
    opened = luis.post("/api/v1/tickets/", request, format="json")
    assert opened.status_code == 201, opened.json()
    ticket = opened.json()
    assert ticket["priority"] == "p1"
    assert due(ticket, "response") == datetime(2026, 11, 17, 13, tzinfo=CARACAS)
    assert due(ticket, "resolution") == datetime(2026, 11, 18, 9, tzinfo=CARACAS)
    assert luis.get(credits_url).json()["held"] == "1.00"  # the minimum billable, held

    # 70 minutes of work, logged once done: one credit minimum plus the second started hour
    # = 2 credits
    agent = client_for(make_agent())
    url = f"/api/v1/tickets/{ticket['id']}/"
    assert agent.post(url + "messages/", {"body": "Reiniciamos el servicio."}).status_code == 201
    with time_machine.travel(datetime(2026, 11, 17, 10, 10, tzinfo=CARACAS), tick=False):
        logged = agent.post(
            url + "work-logs/", {"started_at": "2026-11-17T13:00:00Z", "minutes": 70}, format="json"
        )
        assert logged.status_code == 201, logged.json()
        with django_capture_on_commit_callbacks(execute=True):
            resolved = agent.post(
                url + "transitions/",
                {"to_status": "resolved", "reason": "Servicio web reiniciado y disco liberado."},
                format="json",
            )
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["billed_credits"] == "2.00"
    summary = luis.get(credits_url).json()
    assert (summary["balance"], summary["held"], summary["available"]) == ("8.00", "0.00", "8.00")

    # the customer is told the solution, the time and the charge, with a way to reopen
    [notice] = [m for m in mail.outbox if "Resolvimos" in m.body]
    assert "Servicio web reiniciado y disco liberado." in notice.body
    assert "Tiempo trabajado: 70 min." in notice.body
    assert "2 créditos" in notice.body
    assert "https://soporte.example/reopen/" in notice.body

    # and the pack's invoice is issued and paid
    invoices = luis.get("/api/v1/invoices/").json()["results"]
    assert [(i["status"], i["total"]["currency"]) for i in invoices] == [("paid", "USD")]
