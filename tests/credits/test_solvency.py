from decimal import Decimal

import pytest

from contracts.models import Contract, Customer
from credits.exceptions import NoActiveContract
from credits.services import credits_charge, credits_place_hold, credits_top_up
from credits.solvency import (
    register_insolvency_check,
    solvency_check,
    unregister_insolvency_check,
)
from tests.factories import make_contract, make_credit_account, make_customer, make_plan

D = Decimal


def test_a_paid_customer_with_an_active_contract_and_credits_may_open(account, contract):
    decision = solvency_check(customer=contract.customer)

    assert decision.ok
    assert decision.code == "ok"
    assert (decision.available, decision.required) == (D("10"), D("2"))
    assert decision.contract == contract
    decision.raise_if_refused()


def test_free_membership_is_refused_first(db):
    customer = make_customer(membership=Customer.Membership.FREE)
    make_contract(customer, status=Contract.Status.SUSPENDED)

    decision = solvency_check(customer=customer)

    assert decision.code == "free_membership"
    assert decision.message("en") == "A free membership cannot open requests."


@pytest.mark.parametrize("status", [None, Contract.Status.DRAFT, Contract.Status.CANCELLED])
def test_no_active_contract(db, status):
    customer = make_customer()
    make_credit_account(customer, credits="10")
    if status:
        make_contract(customer, status=status)

    decision = solvency_check(customer=customer)

    assert decision.code == "no_active_contract"
    assert not decision.ok
    with pytest.raises(NoActiveContract) as refused:
        decision.raise_if_refused()
    assert refused.value.code == "no_active_contract"


def test_a_suspended_contract_comes_before_credits(db):
    customer = make_customer()
    make_contract(customer, status=Contract.Status.SUSPENDED)

    decision = solvency_check(customer=customer)

    assert decision.code == "contract_suspended"
    assert "suspendido" in decision.message("es")


@pytest.fixture
def overdue_customers():
    """A real check, registered as billing will: customers whose tax id is listed."""
    overdue: set[str] = set()

    def has_overdue_invoice(customer: Customer) -> bool:
        return Customer.objects.filter(pk=customer.pk, tax_id__in=overdue).exists()

    register_insolvency_check(has_overdue_invoice)
    yield overdue
    unregister_insolvency_check(has_overdue_invoice)


def test_administrative_insolvency_comes_from_the_registered_check(
    account, contract, overdue_customers
):
    assert solvency_check(customer=contract.customer).ok

    overdue_customers.add(contract.customer.tax_id)

    decision = solvency_check(customer=contract.customer)
    assert decision.code == "administratively_insolvent"
    assert decision.message("en").startswith("The customer has overdue payments")


def test_insolvency_is_checked_before_credits(db, overdue_customers):
    customer = make_customer()
    make_contract(customer)
    overdue_customers.add(customer.tax_id)

    assert solvency_check(customer=customer).code == "administratively_insolvent"


@pytest.mark.parametrize(
    ("top_up", "hold", "code"),
    [("1", None, "insufficient_credits"), ("2", None, "ok"), ("3", "2", "insufficient_credits")],
)
def test_fewer_available_credits_than_the_plan_minimum(db, top_up, hold, code):
    customer = make_customer()
    make_contract(customer)
    account = make_credit_account(customer, credits=top_up)
    if hold:
        credits_place_hold(account=account, credits=hold)

    decision = solvency_check(customer=customer)

    assert decision.code == code
    if code != "ok":
        assert decision.message("en") == (
            f"2.00 available credits are needed and there are {decision.available}."
        )


def test_a_customer_without_an_account_has_nothing_available(db):
    customer = make_customer()
    make_contract(customer)

    decision = solvency_check(customer=customer)

    assert (decision.code, decision.available) == ("insufficient_credits", D("0"))


def test_debt_blocks_new_requests_even_with_a_zero_minimum(db):
    customer = make_customer()
    plan = make_plan(min_available_credits=D("0"), min_billable_credits=D("0"))
    make_contract(customer, plan=plan)
    account = make_credit_account(customer)
    credits_charge(account=account, credits="2")
    credits_top_up(account=account, credits="1")

    decision = solvency_check(customer=customer)

    assert (decision.code, decision.available) == ("insufficient_credits", D("-1"))


def test_the_contract_override_sets_the_minimum(db):
    customer = make_customer()
    make_contract(customer, min_available_credits=D("5"))
    make_credit_account(customer, credits="4")

    decision = solvency_check(customer=customer, lock=False)

    assert (decision.code, decision.required) == ("insufficient_credits", D("5"))
