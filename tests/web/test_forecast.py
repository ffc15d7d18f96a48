"""credits.selectors.credit_runout_forecast: the burn rate of the last 90 days, projected."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from credits.models import LedgerEntry
from credits.selectors import credit_runout_forecast
from credits.services import credit_account_get_or_create, credits_charge, credits_top_up
from tests.factories import log_finished_work, make_customer

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


@pytest.mark.django_db
def test_the_forecast_is_when_available_credits_fall_below_the_intake_minimum():
    # 18 available, 0.10 a day, and intake needs 2: opening stops being possible after 160 days
    account = credit_account_get_or_create(customer=make_customer())
    with _at(100):
        credits_top_up(account=account, credits=Decimal("27"))
    for days_ago in (80, 40, 10):
        with _at(days_ago):
            credits_charge(account=account, credits=Decimal("3"), reason="trabajo")
    account.refresh_from_db()
    forecast = credit_runout_forecast(account=account, now=NOW, minimum=Decimal("2"))
    assert forecast.runs_out_at == NOW + timedelta(days=160)
    assert not forecast.below_minimum


@pytest.mark.django_db
def test_a_customer_already_below_the_minimum_is_told_so_once_not_a_future_date(client):
    from contracts.models import Channel
    from tests.factories import (
        make_contact,
        make_contract,
        make_plan,
        make_portal_user,
        make_staff_user,
    )
    from tests.tickets.conftest import top_up
    from tickets.services.intake import ticket_open

    customer = make_customer()
    make_contract(customer=customer, plan=make_plan(allowed_channels=[Channel.PORTAL]))
    contact = make_contact(customer=customer)
    top_up(customer, "3")
    # a request holds 1 credit: 2 available, and the plan's minimum is 2 (make_plan)
    ticket_open(channel=Channel.PORTAL, requester=contact, subject="Uno")
    account = credit_account_get_or_create(customer=customer)
    credits_charge(account=account, credits=Decimal("1"), reason="trabajo")
    client.force_login(make_portal_user(contact, username="bajo"))
    page = client.get("/portal/").content.decode()
    assert "ya no alcanzan para abrir una solicitud" not in page  # said once, by the alert
    assert "Tiene 1,00 créditos disponibles y se necesitan 2,00" in page
    assert "alcanzan para abrir solicitudes hasta cerca del" not in page

    # the account manager reads the same facts about the customer, not the portal's "you"
    client.force_login(make_staff_user(username="gerente"))
    page = client.get(f"/workspace/customers/{customer.pk}/").content.decode()
    assert "El cliente tiene 1,00 créditos disponibles y se necesitan 2,00" in page
    assert "Tiene 1,00" not in page
    assert "Recargar créditos" not in page  # the portal's own top-up page is not theirs


@pytest.mark.django_db
def test_ledger_rows_link_their_ticket_and_a_second_charge_is_the_difference(client):
    from contracts.models import Channel
    from tests.factories import make_agent, make_contact, make_contract, make_plan, make_portal_user
    from tests.tickets.conftest import top_up
    from tickets.services.intake import ticket_open
    from tickets.services.lifecycle import ticket_reopen, ticket_resolve, ticket_start_work

    customer = make_customer()
    make_contract(customer=customer, plan=make_plan(allowed_channels=[Channel.PORTAL]))
    contact = make_contact(customer=customer)
    agent = make_agent()
    top_up(customer, "10")
    ticket = ticket_open(channel=Channel.PORTAL, requester=contact, subject="Correo").ticket
    ticket_start_work(ticket, by=agent)
    log_finished_work(ticket, by=agent, started_at=ticket.opened_at, minutes=50)
    ticket_resolve(ticket, by=agent)
    ticket_reopen(ticket, by=agent)
    log_finished_work(ticket, by=agent, started_at=ticket.opened_at, minutes=30)
    ticket_resolve(ticket, by=agent)
    second = LedgerEntry.objects.filter(kind="charge").order_by("sequence").last()
    assert second.credits == Decimal("-1.00")
    assert "80 min" in second.reason
    assert "ya cobrado 1 crédito; ahora 1 crédito" in second.reason
    client.force_login(make_portal_user(contact, username="libro"))
    page = client.get("/portal/credits/").content.decode()
    assert page.count(f'href="/portal/tickets/{ticket.number}/"') >= 2
