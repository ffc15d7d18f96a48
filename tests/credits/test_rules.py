from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from contracts.models import Plan
from credits.exceptions import InvalidMinutes
from credits.rules import CreditRule, credit_rule_for, credits_for_minutes
from tests.factories import make_contract, make_plan

D = Decimal
SEED_003 = CreditRule(
    min_available_credits=D("2"), min_billable_credits=D("1"), increment_minutes=60
)


@pytest.mark.parametrize(
    ("minutes", "credits"),
    [(0, 1), (1, 1), (59, 1), (60, 1), (61, 2), (70, 2), (120, 2), (121, 3)],
)
def test_seed_003_bills_each_started_hour_with_a_one_credit_minimum(minutes, credits):
    billed, _explanation = credits_for_minutes(minutes, SEED_003)

    assert billed == D(credits)


@pytest.mark.parametrize(
    ("minutes", "english", "spanish"),
    [
        (
            70,
            "70 min: 1 credit minimum + 1 for started hour 2 = 2 credits",
            "70 min: mínimo 1 crédito + 1 por la hora 2 iniciada = 2 créditos",
        ),
        (
            121,
            "121 min: 1 credit minimum + 2 for started hours 2-3 = 3 credits",
            "121 min: mínimo 1 crédito + 2 por las horas 2 a 3 iniciadas = 3 créditos",
        ),
        (0, "0 min: 1 credit minimum = 1 credit", "0 min: mínimo 1 crédito = 1 crédito"),
        (60, "60 min: 1 credit minimum = 1 credit", "60 min: mínimo 1 crédito = 1 crédito"),
    ],
)
def test_every_charge_explains_itself_in_both_languages(minutes, english, spanish):
    _credits, explanation = credits_for_minutes(minutes, SEED_003)

    assert explanation.in_language("en") == english
    assert explanation.in_language("es") == spanish
    with translation.override("en"):
        assert str(explanation) == english


@pytest.mark.parametrize(
    ("rounding", "minutes", "credits"),
    [
        (Plan.Rounding.NEAREST, 89, "1"),
        (Plan.Rounding.NEAREST, 90, "2"),
        (Plan.Rounding.DOWN, 119, "1"),
        (Plan.Rounding.DOWN, 180, "3"),
        (Plan.Rounding.UP, 180, "3"),
    ],
)
def test_rounding_modes(rounding, minutes, credits):
    rule = CreditRule(D("2"), D("1"), 60, rounding)

    assert credits_for_minutes(minutes, rule).credits == D(credits)


def test_half_hour_increments_bill_half_credits():
    rule = CreditRule(D("0"), D("0.5"), 30)

    billed, explanation = credits_for_minutes(70, rule)

    assert billed == D("1.5")
    assert explanation.in_language("en") == (
        "70 min: 0.5 credits minimum + 1 for started 30-min periods 2-3 = 1.5 credits"
    )
    assert "por los periodos de 30 min 2 a 3 iniciados" in explanation.in_language("es")


def test_a_minimum_that_is_not_whole_increments_is_stated_plainly():
    rule = CreditRule(D("2"), D("1.5"), 60)

    billed, explanation = credits_for_minutes(150, rule)

    assert billed == D("3")
    assert (
        explanation.in_language("en")
        == "150 min: 3 started hours = 3 credits (1.5 credits minimum)"
    )


@pytest.mark.parametrize("minutes", [-1, 1.5, "60", None, True])
def test_minutes_must_be_a_whole_non_negative_number(minutes):
    with pytest.raises(InvalidMinutes) as refused:
        credits_for_minutes(minutes, SEED_003)

    assert refused.value.field == "minutes"


rules = st.builds(
    CreditRule,
    min_available_credits=st.just(D("2")),
    min_billable_credits=st.decimals(min_value=0, max_value=5, places=2),
    increment_minutes=st.integers(min_value=1, max_value=240),
    rounding=st.sampled_from(Plan.Rounding.values),
)


@given(rule=rules, a=st.integers(0, 10_000), b=st.integers(0, 10_000))
def test_more_minutes_never_bill_fewer_credits(rule, a, b):
    low, high = sorted((a, b))

    assert credits_for_minutes(low, rule).credits <= credits_for_minutes(high, rule).credits


@given(rule=rules, minutes=st.integers(0, 10_000))
def test_never_below_the_minimum_and_rounding_up_covers_the_work(rule, minutes):
    billed = credits_for_minutes(minutes, rule).credits

    assert billed >= rule.min_billable_credits
    assert billed == billed.quantize(D("0.01"))
    if rule.rounding == Plan.Rounding.UP:
        # each started increment is billed: never less than the minutes worked, to the cent
        assert billed >= (D(minutes) / 60).quantize(D("0.01"), rounding="ROUND_HALF_DOWN")


def test_the_contract_overrides_its_plan_rule_field_by_field(db):
    plan = make_plan(min_available_credits=D("2"), rounding=Plan.Rounding.UP)
    contract = make_contract(plan=plan)
    assert credit_rule_for(contract) == CreditRule(D("2"), D("1"), 60, "up")

    contract.min_billable_credits = D("0.5")
    contract.rounding = Plan.Rounding.NEAREST
    contract.save()

    assert credit_rule_for(contract) == CreditRule(D("2"), D("0.5"), 60, "nearest")
