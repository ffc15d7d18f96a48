"""Support models as plan data (issue 17): a monthly allowance of included hours, the
overage billed in money or credits, and included hours then credits."""

from decimal import Decimal

import pytest
from djmoney.money import Money

from contracts import services
from contracts.models import Plan
from core.amounts import CurrencyMismatch
from core.errors import InvalidInput
from tests.factories import make_plan, make_service

pytestmark = pytest.mark.django_db
Model = Plan.SupportModel
Overage = Plan.Overage


def plan_fields(**overrides):
    return {"code": "nivel-2", "name": "Nivel 2", "currency": "COP"} | overrides


def refused_fields(**overrides) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as refused:
        services.plan_create(**plan_fields(**overrides))
    assert not Plan.objects.exists()
    return refused.value.fields_in("es")


def test_an_included_plan_with_ten_hours_a_month_and_overage_in_money():
    plan = services.plan_create(
        **plan_fields(
            support_model=Model.INCLUDED,
            included_hours=Decimal("10"),
            overage=Overage.MONEY,
            overage_hour_price="80000",
        )
    )

    plan.refresh_from_db()
    assert plan.overage_hour_price == Money("80000", "COP")
    assert (plan.has_allowance, plan.included_minutes) == (True, 600)
    assert plan.bills_overage == Overage.MONEY
    assert not plan.uses_credits  # no credit packs, no credit language


def test_included_hours_then_credits_is_a_third_support_model():
    plan = services.plan_create(
        **plan_fields(support_model=Model.INCLUDED_HOURS_THEN_CREDITS, included_hours="7.5")
    )

    plan.refresh_from_db()
    assert plan.get_support_model_display() == "Horas incluidas, luego créditos"
    assert plan.included_minutes == 450
    assert plan.uses_credits
    assert plan.bills_overage == Overage.NONE  # the work beyond is charged at resolution


@pytest.mark.parametrize("hours", ["0", "-1", "0.33"])
def test_an_allowance_is_a_positive_number_of_whole_minutes(hours):
    fields = refused_fields(support_model=Model.INCLUDED, included_hours=Decimal(hours))

    assert list(fields) == ["included_hours"]
    assert "minutos enteros" in fields["included_hours"][0]


def test_included_hours_then_credits_needs_an_allowance():
    fields = refused_fields(support_model=Model.INCLUDED_HOURS_THEN_CREDITS)

    assert fields == {
        "included_hours": ["Indique las horas incluidas por mes antes de cobrar créditos."]
    }


def test_a_prepaid_plan_includes_no_hours():
    fields = refused_fields(support_model=Model.PREPAID_CREDITS, included_hours=Decimal("4"))

    assert "Horas incluidas, luego créditos" in fields["included_hours"][0]


def test_an_overage_in_money_needs_a_price():
    fields = refused_fields(
        support_model=Model.INCLUDED, included_hours=Decimal("10"), overage=Overage.MONEY
    )

    assert fields == {"overage_hour_price": ["Indique el precio de la hora adicional en COP."]}


def test_an_overage_price_in_another_currency_is_a_currency_mismatch():
    with pytest.raises(CurrencyMismatch) as refused:
        services.plan_create(
            **plan_fields(
                support_model=Model.INCLUDED,
                included_hours=Decimal("10"),
                overage=Overage.MONEY,
                overage_hour_price=Money("20", "USD"),
            )
        )

    assert refused.value.field == "overage_hour_price"
    assert not Plan.objects.exists()


@pytest.mark.parametrize(
    ("model", "hours"),
    [
        (Model.INCLUDED, None),  # overage of what?
        (Model.PREPAID_CREDITS, None),
        (Model.INCLUDED_HOURS_THEN_CREDITS, Decimal("10")),  # charged at resolution instead
    ],
)
def test_only_an_included_plan_with_an_allowance_bills_an_overage(model, hours):
    fields = refused_fields(support_model=model, included_hours=hours, overage=Overage.CREDITS)

    assert "overage" in fields


def test_an_update_is_checked_by_the_same_rules():
    plan = services.plan_create(**plan_fields(support_model=Model.INCLUDED))

    with pytest.raises(InvalidInput) as refused:
        services.plan_update(plan, support_model=Model.INCLUDED_HOURS_THEN_CREDITS)

    assert refused.value.field == "included_hours"
    plan.refresh_from_db()
    assert plan.support_model == Model.INCLUDED


@pytest.mark.parametrize(
    ("model", "hours", "overage", "uses_credits"),
    [
        (Model.PREPAID_CREDITS, None, Overage.NONE, True),
        (Model.INCLUDED, None, Overage.NONE, False),
        (Model.INCLUDED, Decimal("10"), Overage.MONEY, False),
        (Model.INCLUDED, Decimal("10"), Overage.CREDITS, True),
        (Model.INCLUDED_HOURS_THEN_CREDITS, Decimal("10"), Overage.NONE, True),
    ],
)
def test_which_plans_speak_of_credits(model, hours, overage, uses_credits):
    plan = make_plan(support_model=model, included_hours=hours, overage=overage)

    assert plan.uses_credits is uses_credits


def test_the_credit_gate_is_one_rule_of_the_plan():
    prepaid = make_plan(support_model=Model.PREPAID_CREDITS)
    included = make_plan(
        support_model=Model.INCLUDED, included_hours=Decimal("10"), overage=Overage.CREDITS
    )
    then_credits = make_plan(
        support_model=Model.INCLUDED_HOURS_THEN_CREDITS, included_hours=Decimal("10")
    )
    free_type = make_service(billed=False)

    assert prepaid.takes_credits_for(None)
    assert not prepaid.takes_credits_for(free_type)
    # included support never gates nor charges a request, whatever is left
    assert not included.takes_credits_for(None, allowance_left=0)
    # included hours then credits: no gate while the month has minutes left
    assert not then_credits.takes_credits_for(None, allowance_left=15)
    assert then_credits.takes_credits_for(None, allowance_left=0)
    assert then_credits.takes_credits_for(None)  # may charge credits at all
    assert not then_credits.takes_credits_for(free_type, allowance_left=0)
    # only billed types draw from the allowance
    assert included.draws_allowance_for(None)
    assert not included.draws_allowance_for(free_type)
    assert not prepaid.draws_allowance_for(None)
