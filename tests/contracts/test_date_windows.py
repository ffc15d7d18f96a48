"""Dates people type stay within sane windows, refused naming the field, nothing written:
payments (received by today, at most a year late), contract starts (within a year either
way) and plan changes (backdated at most a month, planned at most a year ahead)."""

from datetime import timedelta

import pytest
from djmoney.money import Money

from billing.models import Payment
from billing.services import payment_record
from contracts.models import Contract, PlanChange
from contracts.services import contract_change_plan, contract_create, customer_today
from core.amounts import InvalidAmount
from core.errors import InvalidInput
from tests.factories import make_contract, make_customer, make_invoice, make_plan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("days", [1, -400])
def test_a_payment_date_outside_its_window_is_refused(days):
    invoice = make_invoice(issue=True)
    today = customer_today(invoice.customer)
    with pytest.raises(InvalidInput) as refused:
        payment_record(
            customer=invoice.customer,
            amount=invoice.total,
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref="T-1",
            received_on=today + timedelta(days=days),
            invoice=invoice,
        )
    assert "received_on" in refused.value.fields
    assert not Payment.objects.exists()


def test_a_payment_beyond_the_amount_column_is_refused():
    invoice = make_invoice(issue=True)
    with pytest.raises(InvalidAmount) as refused:
        payment_record(
            customer=invoice.customer,
            amount=Money("999999999999999", invoice.currency),
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref="T-2",
            received_on=customer_today(invoice.customer),
            invoice=invoice,
        )
    assert refused.value.field == "amount"
    assert not Payment.objects.exists()


@pytest.mark.parametrize("days", [400, -400])
def test_a_contract_start_outside_a_year_is_refused(days):
    customer = make_customer()
    with pytest.raises(InvalidInput) as refused:
        contract_create(
            customer=customer,
            plan=make_plan(currency=customer.currency),
            starts_on=customer_today(customer) + timedelta(days=days),
        )
    assert "starts_on" in refused.value.fields
    assert not Contract.objects.exists()


@pytest.mark.parametrize("days", [400, -40])
def test_a_plan_change_outside_its_window_is_refused(days):
    contract = make_contract()
    with pytest.raises(InvalidInput) as refused:
        contract_change_plan(
            contract,
            plan=make_plan(currency=contract.customer.currency),
            effective_on=customer_today(contract.customer) + timedelta(days=days),
        )
    assert "effective_on" in refused.value.fields
    assert not PlanChange.objects.exists()


def test_the_api_names_the_field(client):
    from tests.api.conftest import client_for
    from tests.factories import make_finance_user

    invoice = make_invoice(issue=True)
    answer = client_for(make_finance_user()).post(
        "/api/v1/payments/",
        {
            "customer": invoice.customer_id,
            "invoice": invoice.pk,
            "amount": str(invoice.total.amount),
            "currency": invoice.currency,
            "provider": "bank_transfer",
            "provider_ref": "T-3",
            "received_on": str(customer_today(invoice.customer) + timedelta(days=30)),
        },
        format="json",
    )
    assert answer.status_code == 400, answer.content
    assert "received_on" in answer.json()["fields"]
    assert not Payment.objects.exists()
