from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from contracts.models import Contract, Customer, Plan
from credits.allowance import allowance_draw
from credits.exceptions import NoActiveContract
from credits.rules import credit_rule_for
from credits.services import credits_charge, credits_place_hold, credits_top_up
from credits.solvency import (
    register_insolvency_check,
    solvency_check,
    unregister_insolvency_check,
)
from tests.factories import (
    make_contract,
    make_credit_account,
    make_customer,
    make_plan,
    make_service,
)

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


def test_an_accepted_decision_has_no_message_and_carries_what_it_read(account, contract):
    decision = solvency_check(customer=contract.customer)

    assert decision.message() == ""
    assert decision.message("en") == ""
    assert decision.account == account
    assert decision.rule == credit_rule_for(contract)


def test_a_contract_given_that_is_not_live_is_the_decisions_contract(db):
    customer = make_customer()
    make_credit_account(customer, credits="10")
    draft = make_contract(customer, status=Contract.Status.DRAFT)

    decision = solvency_check(customer=customer, contract=draft)

    assert decision.code == "no_active_contract"
    assert decision.contract == draft


def test_a_refusal_after_the_contract_was_found_carries_it(db, overdue_customers):
    suspended = make_contract(status=Contract.Status.SUSPENDED)
    active = make_contract()
    overdue_customers.add(active.customer.tax_id)

    assert solvency_check(customer=suspended.customer).contract == suspended
    assert solvency_check(customer=active.customer).contract == active


@pytest.mark.parametrize(("balance", "code"), [("0", "ok"), ("-0.01", "insufficient_credits")])
def test_a_zero_balance_is_no_debt_under_a_zero_minimum(db, balance, code):
    customer = make_customer()
    plan = make_plan(min_available_credits=D("0"), min_billable_credits=D("0"))
    make_contract(customer, plan=plan)
    account = make_credit_account(customer, credits="1")
    credits_charge(account=account, credits=D("1") - D(balance))

    decision = solvency_check(customer=customer)

    assert (decision.code, decision.available, decision.required) == (code, D(balance), D("0"))


def test_no_account_under_a_zero_minimum_may_open(db):
    customer = make_customer()
    plan = make_plan(min_available_credits=D("0"), min_billable_credits=D("0"))
    make_contract(customer, plan=plan)

    decision = solvency_check(customer=customer)

    assert (decision.code, decision.account, decision.available) == ("ok", None, D("0"))


def test_the_minimum_billable_is_required_when_it_is_the_larger(db):
    customer = make_customer()
    plan = make_plan(min_available_credits=D("1"), min_billable_credits=D("3"))
    make_contract(customer, plan=plan)
    make_credit_account(customer, credits="2")

    decision = solvency_check(customer=customer)

    assert (decision.code, decision.required) == ("insufficient_credits", D("3"))
    assert decision.message("en") == "3.00 available credits are needed and there are 2.00."


def test_with_lock_the_decision_reads_the_locked_account(account, contract):
    with transaction.atomic():
        decision = solvency_check(customer=contract.customer, lock=True)

    assert decision.ok
    assert decision.account == account
    assert decision.available == D("10")


def test_a_service_the_provider_does_not_bill_passes_no_credit_gate(db):
    customer = make_customer()
    contract = make_contract(customer)

    decision = solvency_check(customer=customer, service=make_service(billed=False))

    assert decision.ok
    assert (decision.contract, decision.rule, decision.required) == (contract, None, None)
    billed = solvency_check(customer=customer, service=make_service(billed=True))
    assert billed.code == "insufficient_credits"


def test_included_hours_are_read_in_the_month_asked_about(db):
    customer = make_customer()
    plan = make_plan(
        support_model=Plan.SupportModel.INCLUDED_HOURS_THEN_CREDITS, included_hours=D("1")
    )
    contract = make_contract(customer, plan=plan)
    used_up = datetime(2026, 3, 15, 15, tzinfo=UTC)
    allowance_draw(
        contract=contract, reference_type="ticket", reference_id="1", minutes=60, at=used_up
    )

    assert solvency_check(customer=customer, at=used_up).code == "insufficient_credits"
    assert solvency_check(customer=customer).ok


def test_a_check_registered_twice_runs_once_and_unregistering_it_removes_it(account, contract):
    calls: list[Customer] = []

    def counting(customer: Customer) -> bool:
        calls.append(customer)
        return False

    assert register_insolvency_check(counting) is counting
    register_insolvency_check(counting)
    try:
        assert solvency_check(customer=contract.customer).ok
        assert calls == [contract.customer]
    finally:
        unregister_insolvency_check(counting)
    unregister_insolvency_check(counting)

    assert solvency_check(customer=contract.customer).ok
    assert calls == [contract.customer]
