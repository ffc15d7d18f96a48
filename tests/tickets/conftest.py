from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils.dateparse import parse_datetime

from contracts.models import Channel
from credits.services import credit_account_get_or_create, credits_top_up
from sla.calendars import Calendar
from sla.choices import Priority
from sla.services.setup import LevelSpec, TargetSpec, calendar_publish, policy_publish
from tests.factories import make_contact, make_contract, make_customer, make_plan, make_user

BOGOTA_HOURS = {day: [("08:00", "12:00"), ("13:00", "16:30")] for day in range(5)}


def build_sla_policy():
    """Seed 001's reading: business hours Monday to Friday in Bogota, Colombian holidays."""
    calendar = calendar_publish(
        slug="bogota",
        name="Bogotá hábil",
        calendar=Calendar.build("America/Bogota", BOGOTA_HOURS, country="CO"),
    ).calendar
    version = policy_publish(
        slug="severity",
        name="Severidad",
        calendar=calendar,
        targets={
            Priority.P1: TargetSpec(timedelta(0), timedelta(hours=4)),
            Priority.P2: TargetSpec(timedelta(hours=1), timedelta(hours=4)),
            Priority.P3: TargetSpec(timedelta(hours=2), timedelta(hours=4)),
            Priority.P4: TargetSpec(timedelta(hours=4), timedelta(hours=8)),
        },
    )
    return version.policy


@pytest.fixture
def sla_policy(db):
    """Seed 001's reading (`build_sla_policy`)."""
    return build_sla_policy()


LEVELS_OF_SEED_001 = (
    LevelSpec(1, "Primer contacto", timedelta(hours=2)),
    LevelSpec(2, "Acceso remoto", timedelta(hours=4)),
    LevelSpec(3, "Proveedor o comité", None, needs_referral=True),
)


def publish_with_levels(sla_policy, *, ladder=(), levels=LEVELS_OF_SEED_001):
    """A new version of the `sla_policy` fixture's policy, with the same targets, adding
    resolution levels and an escalation ladder."""
    current = sla_policy.versions.order_by("-number").first()
    return policy_publish(
        slug=sla_policy.slug,
        name=sla_policy.name,
        calendar=current.calendar,
        targets={
            target.priority: TargetSpec(target.first_response, target.resolution)
            for target in current.targets.all()
        },
        levels=levels,
        ladder=ladder,
    )


@pytest.fixture
def plan(sla_policy):
    return make_plan(
        sla_policy=sla_policy,
        allowed_channels=[Channel.PORTAL, Channel.EMAIL, Channel.API],
    )


@pytest.fixture
def manager(db):
    return make_user(is_staff=True, email="gerente@proveedor.example")


@pytest.fixture
def agent(db):
    return make_user(is_staff=True, email="agente@proveedor.example")


@pytest.fixture
def customer(manager):
    return make_customer(account_manager=manager)


@pytest.fixture
def contract(customer, plan):
    return make_contract(customer=customer, plan=plan)


@pytest.fixture
def requester(contract):
    return make_contact(customer=contract.customer, name="Ana Gómez", email="ana@andino.example")


def top_up(customer, credits) -> None:
    credits_top_up(
        account=credit_account_get_or_create(customer=customer), credits=Decimal(credits)
    )


@pytest.fixture
def funded(requester):
    top_up(requester.customer, 5)
    return requester


@pytest.fixture
def tuesday_morning():
    """Tuesday 17 November 2026, 09:00 in Bogota (14:00 UTC): inside business hours (the
    Monday before is a Colombian holiday)."""
    with time_machine.travel(parse_datetime("2026-11-17T14:00:00Z"), tick=False) as traveller:
        yield traveller
