"""Alerts before a customer is stuck: once per crossing of a contract's thresholds (credits
available, or days of forecast), to the customer and its account manager, with the
`credits.low` event; re-armed only by credits coming in (`credits.alerts`)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command

from contracts.models import Plan
from core.events import domain_event
from credits.alerts import credits_low_check, low_credits_status
from credits.models import LowCreditsAlert
from credits.services import (
    credit_account_get_or_create,
    credits_charge,
    credits_place_hold,
    credits_release_hold,
    credits_top_up,
)
from tests.factories import (
    make_account_manager,
    make_contact,
    make_contract,
    make_customer,
    make_plan,
)

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def events():
    seen: list[tuple[str, object]] = []

    def receive(sender, instances, key, **kwargs):
        if sender == "credits.low":  # not the top-ups and charges that lead to it
            seen.extend((sender, instance) for instance in instances)

    domain_event.connect(receive)
    yield seen
    domain_event.disconnect(receive)


@pytest.fixture
def contract(db):
    manager = make_account_manager(username="gerente", email="gerente@proveedor.example")
    customer = make_customer(account_manager=manager, billing_email="pagos@cliente.example")
    make_contact(customer, email="ana@cliente.example")
    make_contact(customer, email="it@cliente.example", language="en")
    return make_contract(customer)  # seed 003's defaults: 2 to open, 1 minimum charge


@pytest.fixture
def check(django_capture_on_commit_callbacks):
    def run(contract, at=None) -> bool:
        with django_capture_on_commit_callbacks(execute=True):
            return credits_low_check(contract=contract, now=at or datetime.now(UTC))

    run.capture = django_capture_on_commit_callbacks
    return run


def account_of(contract):
    return credit_account_get_or_create(customer=contract.customer)


def test_the_default_threshold_is_the_minimum_to_open_plus_two_minimum_charges(contract, clock):
    status = low_credits_status(contract=contract, account=None, now=NOW)
    assert (status.threshold_credits, status.threshold_days, status.low) == (Decimal(4), 14, True)


def test_one_alert_per_crossing_rearmed_only_by_credits_coming_in(contract, clock, check, events):
    account = account_of(contract)
    credits_top_up(account=account, credits="10")
    assert check(contract) is False

    credits_charge(account=account, credits="7")  # 3 left, below 4
    assert check(contract) is True
    assert check(contract) is False  # still low: told once

    to = sorted(message.to[0] for message in mail.outbox)
    assert to == [
        "ana@cliente.example",
        "gerente@proveedor.example",
        "it@cliente.example",
        "pagos@cliente.example",
    ]
    spanish = next(m for m in mail.outbox if m.to == ["ana@cliente.example"])
    assert spanish.subject == "Sus créditos de soporte se están agotando"
    assert "Quedan 3,00 créditos de soporte disponibles" in spanish.body
    english = next(m for m in mail.outbox if m.to == ["it@cliente.example"])
    assert "3.00 support credits are available" in english.body
    assert [(name, instance.pk) for name, instance in events] == [("credits.low", account.pk)]

    # a hold released lifts nothing in: the alert stays disarmed
    hold = credits_place_hold(account=account, credits="1")
    credits_release_hold(hold=hold)
    credits_top_up(account=account, credits="0.5")  # credits came in, still below
    assert check(contract) is False
    assert not LowCreditsAlert.objects.get().armed

    credits_top_up(account=account, credits="10")  # 13.5: above, re-armed
    assert check(contract) is False
    assert LowCreditsAlert.objects.get().armed
    mail.outbox.clear()

    credits_charge(account=account, credits="11")
    assert check(contract) is True
    assert len(mail.outbox) == 4
    assert LowCreditsAlert.objects.get().crossings == 2


def test_a_forecast_within_the_days_alerts_before_the_credits_do(contract, clock, check):
    account = account_of(contract)
    clock.move_to(NOW - timedelta(days=60), tick=False)
    credits_top_up(account=account, credits="100")
    credits_charge(account=account, credits="90")  # 1 credit a day over 90 days
    clock.move_to(NOW, tick=False)

    status = low_credits_status(contract=contract, account=account, now=NOW)

    # 10 available, 2 to open: about 8 days left at 1 a day
    assert status.available == 10
    assert status.runs_out_at == NOW + timedelta(days=8)
    assert status.low
    LowCreditsAlert.objects.create(contract=contract, threshold_days=5)
    assert not low_credits_status(contract=contract, account=account, now=NOW).low
    LowCreditsAlert.objects.filter(contract=contract).update(threshold_days=0, threshold_credits=11)
    assert low_credits_status(contract=contract, account=account, now=NOW).low


def test_plans_without_a_credit_gate_are_never_alerted(db, clock, check):
    contract = make_contract(plan=make_plan(support_model=Plan.SupportModel.INCLUDED))
    assert check(contract) is False
    assert not LowCreditsAlert.objects.exists()


def test_the_command_checks_active_contracts(
    contract, clock, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("check_low_credits")
    assert capsys.readouterr().out.strip() == "check_low_credits: 1 contracts, 1 alerts"
    assert len(mail.outbox) == 4
