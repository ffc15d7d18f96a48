"""Real threads against PostgreSQL: contract writes that decide on what they read."""

from datetime import date, timedelta

import pytest

from contracts import services
from contracts.exceptions import CurrencyLocked, PlanChangeNotAllowed, SecondLiveContract
from contracts.models import Contract, Customer, PlanChange
from core.errors import InvalidInput
from tests.factories import make_contract, make_customer, make_plan
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
Status = Contract.Status


def test_twenty_activations_of_one_customer_leave_one_live_contract():
    customer = make_customer()
    drafts = [make_contract(customer=customer, status=Status.DRAFT) for _ in range(20)]

    results = run_together(lambda i: services.contract_activate(drafts[i]), threads=20)

    live = [r for r in results if isinstance(r, Contract)]
    assert len(live) == 1
    assert all(isinstance(r, SecondLiveContract) for r in results if r not in live)
    assert Contract.objects.filter(customer=customer, status=Status.ACTIVE).count() == 1
    assert customer.contracts.get(status=Status.ACTIVE).status_changes.count() == 1


def test_a_currency_change_racing_new_contracts_never_mixes_currencies():
    # one thread moves the customer to USD while nine create COP contracts
    customer = make_customer(currency="COP")
    plan = make_plan(currency="COP")

    def work(i: int):
        if i == 0:
            return services.customer_update(Customer(pk=customer.pk), currency="USD")
        return services.contract_create(customer=customer, plan=plan, starts_on=date(2027, 1, 1))

    results = run_together(work, threads=10)

    currency = Customer.objects.get(pk=customer.pk).currency
    contracts = Contract.objects.filter(customer=customer)
    assert set(contracts.values_list("plan__currency", flat=True)) <= {currency}
    if currency == "USD":  # the change won: every contract after it was refused
        assert not contracts.exists()
        assert all(isinstance(r, InvalidInput) for r in results[1:])
    else:  # a contract won: the change was refused, the rest were created
        assert isinstance(results[0], CurrencyLocked)
        assert contracts.count() == 9


def test_twenty_schedulers_of_one_contract_leave_one_waiting_change():
    contract = make_contract(starts_on=date(2026, 1, 1))
    plans = [make_plan() for _ in range(20)]
    in_two_months = services.customer_today(contract.customer) + timedelta(days=60)

    results = run_together(
        lambda i: services.contract_change_plan(
            Contract.objects.get(pk=contract.pk), plan=plans[i], effective_on=in_two_months
        ),
        threads=20,
    )

    scheduled = [r for r in results if isinstance(r, PlanChange)]
    assert len(scheduled) == 1
    assert all(isinstance(r, PlanChangeNotAllowed) for r in results if r not in scheduled)
    assert PlanChange.objects.filter(contract=contract, applied_at__isnull=True).count() == 1


def test_concurrent_runs_of_the_job_apply_each_change_once():
    contracts = [make_contract(starts_on=date(2026, 1, 1)) for _ in range(10)]
    for contract in contracts:
        later = services.customer_today(contract.customer) + timedelta(days=60)
        services.contract_change_plan(contract, plan=make_plan(), effective_on=later)
    PlanChange.objects.update(effective_on=date(2026, 6, 1))  # their day has come

    results = run_together(lambda i: services.plan_changes_apply_due(), threads=5)

    applied = [change.pk for result in results for change in result]
    assert sorted(applied) == sorted(PlanChange.objects.values_list("pk", flat=True))
    for change in PlanChange.objects.select_related("contract"):
        assert change.applied_at is not None
        assert change.contract.plan_id == change.to_plan_id
