"""Plan changes: in force at once when dated up to the customer's today, waiting otherwise."""

from datetime import date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from contracts import services
from contracts.exceptions import CurrencyLocked, PlanChangeNotAllowed
from contracts.models import Contract, PlanChange
from core.amounts import CurrencyMismatch
from core.errors import InvalidInput
from tests.factories import make_contract, make_customer, make_plan

pytestmark = pytest.mark.django_db
Status = Contract.Status

# 03:00 UTC on 10 December is still the 9th in Bogotá (UTC-5) and already the 10th in Auckland.
NIGHT = datetime(2026, 12, 10, 3, 0, tzinfo=timezone.UTC)


@pytest.fixture
def at_night():
    with time_machine.travel(NIGHT, tick=False):
        yield


def contract_in(time_zone: str) -> Contract:
    return make_contract(customer=make_customer(time_zone=time_zone), starts_on=date(2026, 1, 1))


def test_a_change_dated_today_takes_effect_at_once(at_night):
    contract = contract_in("America/Bogota")
    premium = make_plan()

    change = services.contract_change_plan(contract, plan=premium, effective_on=date(2026, 12, 9))

    contract.refresh_from_db()
    assert contract.plan == premium
    assert change.applied_at == NIGHT


def test_a_future_change_waits_and_the_contract_keeps_its_plan(at_night):
    contract = contract_in("America/Bogota")
    basic = contract.plan

    change = services.contract_change_plan(
        contract, plan=make_plan(), effective_on=date(2026, 12, 10)
    )

    contract.refresh_from_db()
    assert contract.plan == basic
    assert change.applied_at is None
    assert (change.from_plan, change.effective_on) == (basic, date(2026, 12, 10))


def test_the_day_is_the_customer_s_own(at_night):
    auckland, bogota = contract_in("Pacific/Auckland"), contract_in("America/Bogota")
    premium = make_plan()

    for contract in (auckland, bogota):
        services.contract_change_plan(contract, plan=premium, effective_on=date(2026, 12, 10))

    auckland.refresh_from_db()
    bogota.refresh_from_db()
    assert auckland.plan == premium  # already the 10th there
    assert bogota.plan != premium


def test_waiting_changes_apply_once_their_day_begins_and_only_once():
    contract = contract_in("America/Bogota")
    premium = make_plan()
    with time_machine.travel(NIGHT, tick=False):
        change = services.contract_change_plan(
            contract, plan=premium, effective_on=date(2026, 12, 10)
        )
        assert services.plan_changes_apply_due() == []  # 22:00 on the 9th in Bogotá

    morning = datetime(2026, 12, 10, 5, 0, 1, tzinfo=timezone.UTC)  # 00:00:01 in Bogotá
    applied = services.plan_changes_apply_due(now=morning)

    assert applied == [change]
    contract.refresh_from_db()
    change.refresh_from_db()
    assert contract.plan == premium
    assert change.applied_at == morning
    assert services.plan_changes_apply_due(now=morning) == []


def test_the_command_applies_due_changes_and_says_how_many(at_night):
    contract = contract_in("America/Bogota")
    services.contract_change_plan(contract, plan=make_plan(), effective_on=date(2026, 12, 10))
    out = StringIO()

    with time_machine.travel(datetime(2026, 12, 10, 6, 0, tzinfo=timezone.UTC), tick=False):
        call_command("apply_plan_changes", stdout=out)

    assert out.getvalue().splitlines()[-1] == "1 plan changes applied"
    assert PlanChange.objects.get().applied_at is not None


def test_only_one_change_waits_at_a_time_until_it_is_withdrawn(at_night):
    contract = contract_in("America/Bogota")
    waiting = services.contract_change_plan(
        contract, plan=make_plan(name="Premium"), effective_on=date(2027, 1, 1)
    )

    with pytest.raises(PlanChangeNotAllowed) as refused:
        services.contract_change_plan(contract, plan=make_plan(), effective_on=date(2027, 2, 1))
    assert refused.value.field == "effective_on"
    assert "Premium" in refused.value.message("en")
    assert "01/01/2027" in refused.value.message("es")

    withdrawn = services.contract_withdraw_plan_change(contract)
    assert (withdrawn.to_plan, withdrawn.effective_on) == (waiting.to_plan, waiting.effective_on)
    services.contract_change_plan(contract, plan=make_plan(), effective_on=date(2027, 2, 1))
    assert PlanChange.objects.get().effective_on == date(2027, 2, 1)


def test_a_change_in_force_cannot_be_withdrawn(at_night):
    contract = contract_in("America/Bogota")
    change = services.contract_change_plan(
        contract, plan=make_plan(), effective_on=date(2026, 12, 1)
    )

    with pytest.raises(PlanChangeNotAllowed) as refused:
        services.contract_withdraw_plan_change(contract)

    assert refused.value.field == "plan"
    assert "no scheduled change" in refused.value.message("en")
    assert PlanChange.objects.filter(pk=change.pk).exists()


def test_a_change_cannot_be_dated_before_the_latest_one(at_night):
    contract = contract_in("America/Bogota")
    services.contract_change_plan(contract, plan=make_plan(), effective_on=date(2026, 12, 1))

    with pytest.raises(PlanChangeNotAllowed) as refused:
        services.contract_change_plan(contract, plan=make_plan(), effective_on=date(2026, 11, 30))

    assert refused.value.field == "effective_on"
    assert PlanChange.objects.count() == 1


def test_cancelling_the_contract_withdraws_its_waiting_change(at_night):
    contract = contract_in("America/Bogota")
    services.contract_change_plan(contract, plan=make_plan(), effective_on=date(2027, 1, 1))

    services.contract_cancel(contract, reason="Cliente se retira")

    assert not PlanChange.objects.exists()
    assert services.plan_changes_apply_due(now=datetime(2027, 1, 2, tzinfo=timezone.UTC)) == []


def test_a_plan_in_another_currency_is_refused(at_night):
    contract = contract_in("America/Bogota")  # a COP customer

    with pytest.raises(CurrencyMismatch) as refused:
        services.contract_change_plan(
            contract, plan=make_plan(currency="USD"), effective_on=date(2026, 12, 1)
        )

    assert (refused.value.code, refused.value.field) == ("currency_mismatch", "plan")
    assert not PlanChange.objects.exists()


@pytest.mark.parametrize(
    ("plan", "effective_on", "field"),
    [
        (None, date(2026, 12, 1), "plan"),
        ("premium", date(2026, 12, 1), "plan"),
        ("new", "2026-12-01", "effective_on"),
        ("new", datetime(2026, 12, 1, tzinfo=timezone.UTC), "effective_on"),
    ],
)
def test_bad_plan_change_input_is_refused_naming_the_field(at_night, plan, effective_on, field):
    contract = contract_in("America/Bogota")
    plan = make_plan() if plan == "new" else plan

    with pytest.raises(InvalidInput) as refused:
        services.contract_change_plan(contract, plan=plan, effective_on=effective_on)

    assert refused.value.field == field
    assert not PlanChange.objects.exists()


def test_a_plan_a_change_waits_for_keeps_its_currency(at_night):
    target = make_plan()
    services.contract_change_plan(
        contract_in("America/Bogota"), plan=target, effective_on=date(2027, 1, 1)
    )

    with pytest.raises(CurrencyLocked) as refused:
        services.plan_update(
            target, currency="USD", monthly_fee=0, credit_price=0, onsite_surcharge=0
        )

    assert "plan changes" in refused.value.message("en")


def test_replace_waiting_supersedes_a_change_planned_by_hand(at_night):
    contract = contract_in("America/Bogota")
    services.contract_change_plan(contract, plan=make_plan(), effective_on=date(2027, 1, 1))
    premium = make_plan()

    services.contract_change_plan(
        contract, plan=premium, effective_on=date(2026, 12, 9), replace_waiting=True
    )

    contract.refresh_from_db()
    assert contract.plan == premium
    assert list(PlanChange.objects.values_list("to_plan", "applied_at")) == [(premium.pk, NIGHT)]
