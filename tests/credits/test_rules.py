from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from contracts.models import Plan
from credits.exceptions import InvalidMinutes
from credits.rules import (
    CreditRule,
    charge_explanation,
    credit_rule_for,
    credits_for_minutes,
    credits_from_minutes_exact,
    hours_for_minutes,
)
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


@pytest.mark.parametrize(
    ("rounding", "minutes", "english", "spanish"),
    [
        (
            Plan.Rounding.NEAREST,
            150,
            "150 min: 1 credit minimum + 2 for rounded hours 2-3 = 3 credits",
            "150 min: mínimo 1 crédito + 2 por las horas 2 a 3 redondeadas = 3 créditos",
        ),
        (
            Plan.Rounding.NEAREST,
            90,
            "90 min: 1 credit minimum + 1 for rounded hour 2 = 2 credits",
            "90 min: mínimo 1 crédito + 1 por la hora 2 redondeada = 2 créditos",
        ),
        (
            Plan.Rounding.DOWN,
            130,
            "130 min: 1 credit minimum + 1 for complete hour 2 = 2 credits",
            "130 min: mínimo 1 crédito + 1 por la hora 2 completa = 2 créditos",
        ),
        (
            Plan.Rounding.DOWN,
            190,
            "190 min: 1 credit minimum + 2 for complete hours 2-3 = 3 credits",
            "190 min: mínimo 1 crédito + 2 por las horas 2 a 3 completas = 3 créditos",
        ),
        (
            Plan.Rounding.DOWN,
            119,
            "119 min: 1 credit minimum = 1 credit",
            "119 min: mínimo 1 crédito = 1 crédito",
        ),
    ],
)
def test_nearest_and_down_explain_themselves_in_both_languages(rounding, minutes, english, spanish):
    _credits, explanation = credits_for_minutes(minutes, CreditRule(D("2"), D("1"), 60, rounding))

    assert explanation.in_language("en") == english
    assert explanation.in_language("es") == spanish


def test_one_period_beyond_the_minimum_is_named_in_the_singular():
    rule = CreditRule(D("0"), D("0.5"), 30)

    billed, explanation = credits_for_minutes(45, rule)

    assert billed == D("1")
    assert explanation.in_language("en") == (
        "45 min: 0.5 credits minimum + 0.5 for started 30-min period 2 = 1 credit"
    )
    assert explanation.in_language("es") == (
        "45 min: mínimo 0.5 créditos + 0.5 por el periodo de 30 min 2 iniciado = 1 crédito"
    )


def test_periods_beyond_the_minimum_in_spanish():
    _billed, explanation = credits_for_minutes(70, CreditRule(D("0"), D("0.5"), 30))

    assert explanation.in_language("es") == (
        "70 min: mínimo 0.5 créditos + 1 por los periodos de 30 min 2 a 3 iniciados = 1.5 créditos"
    )


def test_a_minimum_that_is_not_whole_increments_is_stated_plainly_in_spanish():
    _billed, explanation = credits_for_minutes(150, CreditRule(D("2"), D("1.5"), 60))

    assert explanation.in_language("es") == (
        "150 min: 3 horas iniciadas = 3 créditos (mínimo 1.5 créditos)"
    )


def test_a_minimum_that_is_not_whole_periods_names_the_periods():
    billed, explanation = credits_for_minutes(100, CreditRule(D("0"), D("1"), 45))

    assert billed == D("2.25")
    assert explanation.in_language("en") == (
        "100 min: 3 started 45-min periods = 2.25 credits (1 credit minimum)"
    )
    assert explanation.in_language("es") == (
        "100 min: 3 periodos de 45 min iniciados = 2.25 créditos (mínimo 1 crédito)"
    )


def test_a_minimum_of_whole_hours_above_one():
    billed, explanation = credits_for_minutes(200, CreditRule(D("2"), D("2"), 60))

    assert billed == D("4")
    assert explanation.in_language("en") == (
        "200 min: 2 credits minimum + 2 for started hours 3-4 = 4 credits"
    )
    assert explanation.in_language("es") == (
        "200 min: mínimo 2 créditos + 2 por las horas 3 a 4 iniciadas = 4 créditos"
    )


def test_a_zero_minimum_with_work_beyond_it():
    billed, explanation = credits_for_minutes(61, CreditRule(D("0"), D("0"), 60))

    assert billed == D("2")
    assert explanation.in_language("en") == (
        "61 min: 0 credits minimum + 2 for started hours 1-2 = 2 credits"
    )
    assert explanation.in_language("es") == (
        "61 min: mínimo 0 créditos + 2 por las horas 1 a 2 iniciadas = 2 créditos"
    )


def test_a_second_charge_explains_what_it_adds_in_both_languages():
    billed = credits_for_minutes(80, SEED_003)

    explained = charge_explanation(billed, D("1"))

    assert explained.in_language("es") == (
        "80 min: mínimo 1 crédito + 1 por la hora 2 iniciada = 2 créditos en total; "
        "ya cobrado 1 crédito; ahora 1 crédito"
    )
    assert explained.in_language("en") == (
        "80 min: 1 credit minimum + 1 for started hour 2 = 2 credits in total; "
        "already charged 1 credit; now 1 credit"
    )
    more = charge_explanation(credits_for_minutes(200, SEED_003), D("1.5"))
    assert more.in_language("es").endswith("ya cobrado 1.5 créditos; ahora 2.5 créditos")
    assert more.in_language("en").endswith("already charged 1.5 credits; now 2.5 credits")


def test_a_first_charge_is_explained_as_billed():
    billed = credits_for_minutes(80, SEED_003)

    assert charge_explanation(billed, D("0")) == billed.explanation
    assert charge_explanation(billed, D("0.01")) != billed.explanation


@pytest.mark.parametrize(
    ("minutes", "credits"), [(0, "0"), (1, "0.02"), (3, "0.05"), (59, "0.98"), (61, "1.02")]
)
def test_exact_credits_round_to_the_cent(minutes, credits):
    assert credits_from_minutes_exact(minutes) == D(credits)


@pytest.mark.parametrize(
    ("rounding", "minutes", "hours"),
    [
        (Plan.Rounding.UP, 0, "0"),
        (Plan.Rounding.UP, 31, "1"),
        (Plan.Rounding.UP, 30, "0.5"),
        (Plan.Rounding.NEAREST, 14, "0"),
        (Plan.Rounding.NEAREST, 15, "0.5"),
        (Plan.Rounding.NEAREST, 44, "0.5"),
        (Plan.Rounding.NEAREST, 45, "1"),
        (Plan.Rounding.DOWN, 59, "0.5"),
        (Plan.Rounding.DOWN, 60, "1"),
    ],
)
def test_hours_for_minutes_has_no_minimum(rounding, minutes, hours):
    rule = CreditRule(D("2"), D("3"), 30, rounding)

    assert hours_for_minutes(minutes, rule) == D(hours)


@pytest.mark.parametrize("minutes", [-1, 2.0, True])
def test_hours_for_minutes_refuses_what_is_not_whole_minutes(minutes):
    with pytest.raises(InvalidMinutes):
        hours_for_minutes(minutes, SEED_003)


def test_a_refusal_shows_the_minutes_given():
    with pytest.raises(InvalidMinutes) as refused:
        credits_for_minutes(-5, SEED_003)

    assert refused.value.message("en") == (
        "'-5' is not a valid time; use a whole number of minutes, zero or more."
    )
    assert refused.value.message("es").startswith("«-5» no es un tiempo válido")


def test_zero_minutes_are_valid():
    assert credits_for_minutes(0, CreditRule(D("0"), D("0"), 60)).credits == D("0")


def test_the_rule_of_another_plan_of_the_contract(db):
    contract = make_contract(plan=make_plan(billing_increment_minutes=60))
    other = make_plan(
        min_available_credits=D("4"),
        min_billable_credits=D("2"),
        billing_increment_minutes=15,
        rounding=Plan.Rounding.DOWN,
    )

    assert credit_rule_for(contract, plan=other) == CreditRule(D("4"), D("2"), 15, "down")

    contract.billing_increment_minutes = 30
    assert credit_rule_for(contract, plan=other) == CreditRule(D("4"), D("2"), 30, "down")
