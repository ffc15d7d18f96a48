"""A customer on a plan with SLA targets, its portal user, an agent and an account manager."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from djmoney.money import Money

from contracts.models import Contact, Contract, Customer
from credits.services import credit_account_get_or_create, credits_top_up
from tests.billing.conftest import (  # noqa: F401  (fixtures: localstripe for the top-up flow)
    localstripe_url,
    localstripe_webhooks,
    stripe_settings,
)
from tests.factories import (
    make_account_manager,
    make_agent,
    make_contact,
    make_contract,
    make_credit_pack,
    make_customer,
    make_plan,
    make_portal_user,
)
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)

PASSWORD = "portal-password-1"


@dataclass
class Shop:
    customer: Customer
    contract: Contract
    contact: Contact
    user: object
    agent: object
    manager: object
    pack: object


@pytest.fixture
def shop(sla_policy) -> Shop:  # noqa: F811
    manager = make_account_manager(
        username="gerente", email="gerente@proveedor.example", password=PASSWORD
    )
    customer = make_customer(
        legal_name="Hotel Andino S.A.S.", account_manager=manager, time_zone="America/Bogota"
    )
    plan = make_plan(name="Créditos dedicados", sla_policy=sla_policy)
    contract = make_contract(customer, plan)
    pack = make_credit_pack(plan, name="Paquete 10 horas", price=Money("900000", "COP"))
    contact = make_contact(customer, name="Ana Ruiz", email="ana@hotel.example")
    user = make_portal_user(contact, username="ana", password=PASSWORD)
    agent = make_agent(username="agente", password=PASSWORD, email="agente@proveedor.example")
    return Shop(customer, contract, contact, user, agent, manager, pack)


def top_up(customer: Customer, credits: str) -> None:
    credits_top_up(
        account=credit_account_get_or_create(customer=customer), credits=Decimal(credits)
    )
