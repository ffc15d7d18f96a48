"""What people write on customers, plans and contracts is bounded, through every entry point.

A probe set a customer's address to 2,000,000 characters through the API; the invoices that
carried it could never be rendered, and their PDF task held the worker. The bound is the
model's (`contracts.models`), so the service, the API, the workspace form and the admin all
refuse the same text, naming the field, and write nothing."""

import pytest
from django.test import Client

from contracts.models import (
    ADDRESS_LIMIT,
    DESCRIPTION_LIMIT,
    REASON_LIMIT,
    Contract,
    ContractStatusChange,
    Customer,
    Plan,
)
from contracts.services import contract_suspend, customer_update
from core.errors import InvalidInput
from credits.models import REASON_LIMIT as LEDGER_REASON_LIMIT
from credits.models import LedgerEntry
from credits.services import credit_account_get_or_create, credits_adjust
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db


def test_the_service_refuses_an_address_over_the_limit_and_keeps_the_old_one(world):
    customer = world.a.customer
    before = customer.address
    with pytest.raises(InvalidInput) as refused:
        customer_update(customer, address="x" * (ADDRESS_LIMIT + 1))
    assert set(refused.value.fields) == {"address"}
    assert Customer.objects.get(pk=customer.pk).address == before
    customer_update(customer, address="Calle 1 # 2-3\n" + "y" * (ADDRESS_LIMIT - 14))
    assert len(Customer.objects.get(pk=customer.pk).address) == ADDRESS_LIMIT


def test_the_api_answers_400_on_address_in_the_requests_language(world, api):
    messages = {}
    for language in ("es", "en"):
        answer = api(world.a.manager).patch(
            f"/api/v1/customers/{world.a.customer.pk}/",
            {"address": "x" * 295_000},
            format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        messages[language] = " ".join(
            assert_error(answer, 400, "invalid_input")["fields"]["address"]
        )
    assert "1000" in messages["en"].replace(",", "")
    assert "1000" in messages["es"].replace(".", "")
    assert messages["es"] != messages["en"]
    assert Customer.objects.get(pk=world.a.customer.pk).address != "x" * 295_000


def test_the_workspace_form_names_the_address(world, client: Client):
    customer = world.a.customer
    client.force_login(world.a.manager)
    data = {
        "legal_name": customer.legal_name,
        "tax_id": customer.tax_id,
        "country": customer.country,
        "currency": customer.currency,
        "time_zone": customer.time_zone,
        "language": customer.language,
        "billing_email": customer.billing_email,
        "membership": customer.membership,
        "address": "x" * (ADDRESS_LIMIT + 1),
    }
    response = client.post(f"/workspace/customers/{customer.pk}/edit/", data)
    assert response.status_code == 200
    assert "address" in response.context["form"].errors
    assert Customer.objects.get(pk=customer.pk).address != data["address"]


def test_a_plan_description_over_the_limit_is_refused_in_the_api(world, api):
    answer = api(world.admin).post(
        "/api/v1/plans/",
        {
            "code": "nivel-3",
            "name": "Nivel 3",
            "description": "d" * (DESCRIPTION_LIMIT + 1),
            "currency": "COP",
            "monthly_fee": "120900",
            "allowed_channels": ["portal", "api"],
        },
        format="json",
    )
    assert "description" in assert_error(answer, 400, "invalid_input")["fields"]
    assert not Plan.objects.filter(code="nivel-3").exists()


def test_a_suspension_reason_over_the_limit_is_refused_and_nothing_changes(world, api):
    contract = world.a.contract
    with pytest.raises(InvalidInput) as refused:
        contract_suspend(contract, reason="r" * (REASON_LIMIT + 1))
    assert set(refused.value.fields) == {"reason"}
    answer = api(world.a.manager).post(
        f"/api/v1/contracts/{contract.pk}/suspend/",
        {"reason": "r" * (REASON_LIMIT + 1)},
        format="json",
    )
    assert "reason" in assert_error(answer, 400)["fields"]
    assert Contract.objects.get(pk=contract.pk).status == contract.status
    assert not ContractStatusChange.objects.filter(
        contract=contract, to_status=Contract.Status.SUSPENDED
    ).exists()


def test_a_credit_adjustment_reason_over_the_limit_is_refused_and_nothing_is_written(world, api):
    """Ledger entries never change: an adjustment's reason is bounded before it is written,
    by the service the API and the customer page share."""
    account = credit_account_get_or_create(customer=world.a.customer)
    entries = LedgerEntry.objects.filter(account=account).count()
    with pytest.raises(InvalidInput) as refused:
        credits_adjust(
            account=account, credits="1", reason="r" * (LEDGER_REASON_LIMIT + 1), by=None
        )
    assert set(refused.value.fields) == {"reason"}
    answer = api(world.finance).post(
        f"/api/v1/customers/{world.a.customer.pk}/credits/adjustments/",
        {"credits": "1", "reason": "r" * (LEDGER_REASON_LIMIT + 1)},
        format="json",
    )
    assert "reason" in assert_error(answer, 400)["fields"]
    assert LedgerEntry.objects.filter(account=account).count() == entries
