"""credits.selectors.credit_runout_forecast: the burn rate of the last 90 days, projected."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from credits.selectors import credit_runout_forecast
from credits.services import credit_account_get_or_create, credits_charge, credits_top_up
from tests.factories import make_customer

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _at(days_ago: int):
    return time_machine.travel(NOW - timedelta(days=days_ago), tick=False)


@pytest.mark.django_db
def test_ninety_day_burn_projects_the_available_credits():
    # given 30 credits bought 100 days ago and 9 spent in the last 90 days (one older charge)
    account = credit_account_get_or_create(customer=make_customer())
    with _at(100):
        credits_top_up(account=account, credits=Decimal("30"))
    with _at(95):
        credits_charge(account=account, credits=Decimal("3"), reason="fuera de la ventana")
    for days_ago in (80, 40, 10):
        with _at(days_ago):
            credits_charge(account=account, credits=Decimal("3"), reason="trabajo")
    account.refresh_from_db()
    # when
    forecast = credit_runout_forecast(account=account, now=NOW)
    # then 9 credits in 90 days is 0.10 a day; 18 available last 180 days
    assert forecast.burned_credits == Decimal("9.00")
    assert forecast.daily_burn == Decimal("0.10")
    assert forecast.available == Decimal("18.00")
    assert forecast.runs_out_at == NOW + timedelta(days=180)


@pytest.mark.django_db
def test_no_spending_means_no_forecast():
    account = credit_account_get_or_create(customer=make_customer())
    with _at(5):
        credits_top_up(account=account, credits=Decimal("4"))
    account.refresh_from_db()
    forecast = credit_runout_forecast(account=account, now=NOW)
    assert not forecast.burning
    assert forecast.runs_out_at is None


@pytest.mark.django_db
def test_nothing_available_runs_out_now():
    account = credit_account_get_or_create(customer=make_customer())
    with _at(20):
        credits_top_up(account=account, credits=Decimal("2"))
        credits_charge(account=account, credits=Decimal("2"), reason="trabajo")
    account.refresh_from_db()
    assert credit_runout_forecast(account=account, now=NOW).runs_out_at == NOW
