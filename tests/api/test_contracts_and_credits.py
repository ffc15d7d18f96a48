"""Customers, contacts, plans, contracts and their status actions; credits (balance, holds,
ledger filters, adjustments); SLA compliance figures; invoices and payments."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from contracts.models import Contract, Customer
from contracts.services import customer_today
from tests.api.conftest import assert_error, client_for
from tests.factories import make_account_manager, make_plan


def test_account_manager_sets_up_a_customer_contacts_and_a_contract(world, api):
    manager = make_account_manager()
    client = api(manager)
    created = client.post(
        "/api/v1/customers/",
        {
            "legal_name": "Hosting Andino S.A.S.",
            "tax_id": "901234567-8",
            "country": "CO",
            "currency": "COP",
            "billing_email": "facturas@andino.example",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    customer = created.json()
    assert customer["account_manager"] == manager.pk
    contact = client.post(
        "/api/v1/contacts/",
        {
            "customer": customer["id"],
            "name": "Ana",
            "email": "ana@andino.example",
            "can_request": True,
        },
        format="json",
    )
    assert contact.status_code == 201, contact.content
    contract = client.post(
        "/api/v1/contracts/",
        {"customer": customer["id"], "plan": world.plan.pk, "starts_on": "2026-11-01"},
        format="json",
    )
    assert contract.status_code == 201, contract.content
    assert contract.json()["status"] == "draft"
    url = f"/api/v1/contracts/{contract.json()['id']}/"
    assert client.post(url + "activate/", {}, format="json").json()["status"] == "active"
    no_reason = client.post(url + "suspend/", {}, format="json")
    assert_error(no_reason, 400, "reason_required")
    suspended = client.post(url + "suspend/", {"reason": "mora"}, format="json")
    assert suspended.json()["status"] == "suspended"
    assert client.post(url + "reactivate/", {}, format="json").json()["status"] == "active"
    # the manager sees only this customer among theirs
    listed = client.get("/api/v1/customers/").json()["results"]
    assert [row["id"] for row in listed] == [customer["id"]]


def test_a_manager_cannot_hand_a_customer_to_someone_else(world, api):
    other = make_account_manager()
    answer = api(world.a.manager).patch(
        f"/api/v1/customers/{world.a.customer.pk}/", {"account_manager": other.pk}, format="json"
    )
    assert "account_manager" in assert_error(answer, 400)["fields"]
    by_admin = api(world.admin).patch(
        f"/api/v1/customers/{world.a.customer.pk}/", {"account_manager": other.pk}, format="json"
    )
    assert by_admin.json()["account_manager"] == other.pk


def test_second_live_contract_and_duplicate_customer_are_refused(world, api):
    client = api(world.a.manager)
    draft = client.post(
        "/api/v1/contracts/",
        {"customer": world.a.customer.pk, "plan": world.plan.pk, "starts_on": "2027-01-01"},
        format="json",
    ).json()
    answer = client.post(f"/api/v1/contracts/{draft['id']}/activate/", {}, format="json")
    assert_error(answer, 409, "second_active_contract")
    duplicate = client.post(
        "/api/v1/customers/",
        {
            "legal_name": "Copia",
            "tax_id": world.a.customer.tax_id,
            "country": "CO",
            "currency": "COP",
            "billing_email": "x@y.co",
        },
        format="json",
    )
    assert_error(duplicate, 400, "invalid_input")
    assert Customer.objects.filter(legal_name="Copia").count() == 0


def test_change_plan(world, api):
    new_plan = make_plan()
    answer = api(world.a.manager).post(
        f"/api/v1/contracts/{world.a.contract.pk}/change-plan/",
        {
            "plan": new_plan.pk,
            "effective_on": str(customer_today(world.a.customer)),
            "reason": "sube de nivel",
        },
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["plan"] == new_plan.pk
    assert answer.json()["plan_changes"][-1]["to_plan"] == new_plan.pk
    assert answer.json()["plan_changes"][-1]["applied_at"] is not None
    assert Contract.objects.get(pk=world.a.contract.pk).plan == new_plan


def test_a_future_plan_change_waits_and_can_be_withdrawn(world, api):
    contract = world.a.contract
    new_plan = make_plan()
    client = api(world.a.manager)

    scheduled = client.post(
        f"/api/v1/contracts/{contract.pk}/change-plan/",
        {
            "plan": new_plan.pk,
            "effective_on": str(customer_today(contract.customer) + timedelta(days=60)),
        },
        format="json",
    )
    assert scheduled.status_code == 200, scheduled.content
    assert scheduled.json()["plan"] == contract.plan_id
    waiting = scheduled.json()["plan_changes"][-1]
    assert (waiting["to_plan"], waiting["applied_at"]) == (new_plan.pk, None)

    again = client.post(
        f"/api/v1/contracts/{contract.pk}/change-plan/",
        {
            "plan": make_plan().pk,
            "effective_on": str(customer_today(contract.customer) + timedelta(days=90)),
        },
        format="json",
    )
    assert_error(again, 409, "plan_change_not_allowed")

    withdrawn = client.post(f"/api/v1/contracts/{contract.pk}/withdraw-plan-change/")
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["plan_changes"] == []
    assert_error(
        client.post(f"/api/v1/contracts/{contract.pk}/withdraw-plan-change/"),
        409,
        "plan_change_not_allowed",
    )


def test_admin_creates_a_plan_with_prices_in_its_currency(world, api):
    answer = api(world.admin).post(
        "/api/v1/plans/",
        {
            "code": "nivel-3",
            "name": "Nivel 3",
            "currency": "COP",
            "monthly_fee": "120900",
            "allowed_channels": ["portal", "api"],
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["monthly_fee"] == {"amount": "120900.00", "currency": "COP"}
    assert answer.json()["credit_price"] == {"amount": "0.00", "currency": "COP"}


def test_credit_summary_holds_and_entries(world, api):
    client = api(world.a.user)
    summary = client.get(f"/api/v1/customers/{world.a.customer.pk}/credits/").json()
    # 10 topped up, one open ticket holding the minimum billable (1)
    assert Decimal(summary["balance"]) == Decimal("10")
    assert Decimal(summary["held"]) == Decimal("1")
    assert Decimal(summary["available"]) == Decimal("9")
    holds = client.get(f"/api/v1/customers/{world.a.customer.pk}/credits/holds/").json()
    assert [(h["status"], h["reference_id"]) for h in holds["results"]] == [
        ("active", str(world.a.ticket.pk))
    ]


def test_ledger_entries_filter_by_kind_and_date(world, api):
    finance = api(world.finance)
    url = f"/api/v1/customers/{world.a.customer.pk}/credits/"
    finance.post(url + "adjustments/", {"credits": "-2", "reason": "error"}, format="json")
    entries = finance.get(url + "entries/").json()["results"]
    assert [e["kind"] for e in entries] == ["top_up", "adjustment"]
    assert [
        e["kind"] for e in finance.get(url + "entries/", {"kind": "adjustment"}).json()["results"]
    ] == ["adjustment"]
    both = finance.get(url + "entries/?kind=adjustment&kind=top_up").json()
    assert both["count"] == 2
    assert finance.get(url + "entries/", {"after": "2999-01-01T00:00:00Z"}).json()["count"] == 0
    assert finance.get(url + "entries/", {"before": "2999-01-01T00:00:00Z"}).json()["count"] == 2
    newest_first = finance.get(url + "entries/", {"ordering": "-sequence"}).json()["results"]
    assert [e["sequence"] for e in newest_first] == [2, 1]
    assert_error(finance.get(url + "entries/", {"kind": "gift"}), 400, "invalid_input")


def test_a_customer_without_an_account_has_zero_credits(world, api):
    from tests.factories import make_customer

    customer = make_customer()
    client = api(world.admin)
    summary = client.get(f"/api/v1/customers/{customer.pk}/credits/").json()
    assert Decimal(summary["available"]) == 0
    assert client.get(f"/api/v1/customers/{customer.pk}/credits/entries/").json()["count"] == 0


@pytest.mark.parametrize("typed", ["1e5", "1_000", "٣"])
def test_an_adjustment_typed_other_than_in_digits_is_refused(world, api, typed):
    # DRF's DecimalField read "1e5" as 100,000 credits.
    answer = api(world.finance).post(
        f"/api/v1/customers/{world.a.customer.pk}/credits/adjustments/",
        {"credits": typed, "reason": "x"},
        format="json",
    )
    assert "credits" in assert_error(answer, 400)["fields"]


def test_adjustment_beyond_available_is_402(world, api):
    answer = api(world.finance).post(
        f"/api/v1/customers/{world.a.customer.pk}/credits/adjustments/",
        {"credits": "-50", "reason": "x"},
        format="json",
    )
    assert_error(answer, 402, "insufficient_credits")


def test_sla_compliance_figures(world, api):
    agent = api(world.agent)
    ticket_url = f"/api/v1/tickets/{world.a.ticket.pk}/"
    agent.post(ticket_url + "transitions/", {"to_status": "in_progress"}, format="json")
    agent.post(ticket_url + "transitions/", {"to_status": "resolved"}, format="json")
    answer = client_for(world.a.user).get(
        f"/api/v1/contracts/{world.a.contract.pk}/sla-compliance/"
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["overall"]["tickets"] == 1
    assert body["overall"]["resolution_decided"] == 1
    assert body["overall"]["resolution_met"] == 1
    period = client_for(world.a.user).get(
        f"/api/v1/contracts/{world.a.contract.pk}/sla-compliance/",
        {"since": "2999-01-01T00:00:00Z"},
    )
    assert period.json()["overall"]["tickets"] == 0
    bad = client_for(world.a.user).get(
        f"/api/v1/contracts/{world.a.contract.pk}/sla-compliance/", {"since": "ayer"}
    )
    assert "since" in assert_error(bad, 400)["fields"]
    backwards = client_for(world.a.user).get(
        f"/api/v1/contracts/{world.a.contract.pk}/sla-compliance/",
        {"since": "2026-12-01T00:00:00Z", "until": "2026-11-01T00:00:00Z"},
    )
    assert assert_error(backwards, 400)["fields"] == {
        "until": ["El final del período (until) es anterior a su inicio (since)."]
    }


def test_invoices_list_and_detail(world, api):
    client = api(world.a.user)
    rows = client.get("/api/v1/invoices/").json()["results"]
    assert [row["number"] for row in rows] == [world.a.invoice.display_number]
    detail = client.get(f"/api/v1/invoices/{world.a.invoice.pk}/").json()
    assert detail["status"] == "paid"
    assert detail["lines"][0]["total"]["currency"] == "COP"
    assert client.get("/api/v1/invoices/", {"kind": "credit_note"}).json()["count"] == 0


@pytest.mark.parametrize("who", ["contact", "manager"])
def test_drafts_are_hidden_from_contacts_only(world, api, who):
    from tests.factories import make_invoice

    make_invoice(world.a.customer)  # a draft
    user = world.a.user if who == "contact" else world.a.manager
    statuses = {row["status"] for row in api(user).get("/api/v1/invoices/").json()["results"]}
    assert ("draft" in statuses) == (who == "manager")


def test_finance_records_a_bank_transfer_for_a_pack(world, api):
    answer = api(world.finance).post(
        "/api/v1/payments/",
        {
            "customer": world.a.customer.pk,
            "provider": "bank_transfer",
            "provider_ref": "TRX-9",
            "amount": "1071000.00",
            "currency": "COP",
            "received_on": date(2026, 11, 20).isoformat(),
            "credit_pack": world.pack.pk,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="trx-9",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["applied_at"]
    summary = api(world.a.user).get(f"/api/v1/customers/{world.a.customer.pk}/credits/").json()
    assert Decimal(summary["balance"]) == Decimal("20")
