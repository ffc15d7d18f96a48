"""The API tells integrators a plan's included hours and a contract's hours used and left this
month (issue 17); contracts whose plan has none say null."""

from decimal import Decimal

from django.utils import timezone
from djmoney.money import Money

from contracts.models import Plan
from credits.allowance import allowance_draw
from tests.factories import make_plan


def test_admin_creates_an_included_plan_with_hours_and_a_money_overage(world, api):
    answer = api(world.admin).post(
        "/api/v1/plans/",
        {
            "code": "nivel-2",
            "name": "Nivel 2",
            "currency": "COP",
            "support_model": "included",
            "included_hours": "10",
            "overage": "money",
            "overage_hour_price": "80000",
        },
        format="json",
    )

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["support_model"], body["included_hours"], body["overage"]) == (
        "included",
        "10.00",
        "money",
    )
    assert body["overage_hour_price"] == {"amount": "80000.00", "currency": "COP"}


def test_a_money_overage_without_a_price_is_refused_naming_the_field(world, api):
    answer = api(world.admin).post(
        "/api/v1/plans/",
        {
            "code": "nivel-2",
            "name": "Nivel 2",
            "currency": "COP",
            "support_model": "included",
            "included_hours": "10",
            "overage": "money",
        },
        format="json",
    )

    assert answer.status_code == 400
    assert list(answer.json()["fields"]) == ["overage_hour_price"]


def test_a_contract_shows_this_months_hours_used_and_left(world, api):
    contract = world.a.contract
    Plan.objects.filter(pk=world.plan.pk).update(
        support_model=Plan.SupportModel.INCLUDED_HOURS_THEN_CREDITS, included_hours=Decimal("2")
    )
    contract.refresh_from_db()
    allowance_draw(
        contract=contract,
        reference_type="tickets.ticket",
        reference_id=str(world.a.ticket.pk),
        minutes=150,
        at=timezone.now(),
    )
    month = timezone.localdate(timezone=contract.customer.time_zone_info).replace(day=1)

    listed = api(world.admin).get("/api/v1/contracts/").json()["results"]
    detail = api(world.a.user).get(f"/api/v1/contracts/{contract.pk}/").json()

    expected = {
        "month": month.isoformat(),
        "included_minutes": 120,
        "used_minutes": 120,
        "left_minutes": 0,
        "over_minutes": 30,
    }
    assert detail["allowance"] == expected
    by_id = {row["id"]: row["allowance"] for row in listed}
    assert by_id[contract.pk] == expected
    assert by_id[world.b.contract.pk] == {
        **expected,
        "used_minutes": 0,
        "over_minutes": 0,
        "left_minutes": 120,
    }


def test_a_contract_on_a_plan_without_hours_has_no_allowance(world, api):
    plan = make_plan(support_model=Plan.SupportModel.INCLUDED, monthly_fee=Money("120900", "COP"))
    world.a.contract.plan = plan
    world.a.contract.save(update_fields=["plan"])

    detail = api(world.a.user).get(f"/api/v1/contracts/{world.a.contract.pk}/").json()

    assert detail["allowance"] is None
    assert api(world.a.user).get(f"/api/v1/plans/{plan.pk}/").json()["included_hours"] is None
