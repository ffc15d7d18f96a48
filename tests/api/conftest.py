"""Two customers, A and B, each with its account manager, portal contact, contract, credits,
a ticket with SLA clocks, a session, a refused intake attempt, an invoice and a payment;
and the staff roles that see every customer. Clients authenticate with real tokens."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from billing.services import payment_record
from contracts.models import Channel, Contact, Contract, Customer
from credits.services import credit_account_get_or_create, credits_top_up
from tests.factories import (
    make_account_manager,
    make_agent,
    make_contact,
    make_contract,
    make_credit_pack,
    make_customer,
    make_finance_user,
    make_invoice,
    make_plan,
    make_portal_user,
    make_staff_user,
)
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tickets.models import IntakeAttempt, ScheduledSession, Ticket
from tickets.services.charging import session_schedule
from tickets.services.intake import ticket_open


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def client_for(user) -> APIClient:
    """An API client authenticated by the user's token, as an integrator would be."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api():
    return client_for


def top_up(customer: Customer, credits) -> None:
    credits_top_up(account=credit_account_get_or_create(customer=customer), credits=credits)


@dataclass
class Side:
    """One customer and everything of theirs the API shows."""

    customer: Customer
    manager: object
    contact: Contact
    user: object
    contract: Contract
    ticket: Ticket
    session: ScheduledSession
    attempt: IntakeAttempt
    invoice: object
    payment: object


def build_side(plan, agent, name: str) -> Side:
    manager = make_account_manager(username=f"manager_{name}")
    customer = make_customer(legal_name=f"Cliente {name}", account_manager=manager)
    contract = make_contract(customer=customer, plan=plan)
    contact = make_contact(customer=customer, name=f"Contacto {name}")
    user = make_portal_user(contact, username=f"contact_{name}")
    top_up(customer, Decimal("10"))
    ticket = ticket_open(channel=Channel.API, subject=f"Caída {name}", requester=contact).ticket
    session = session_schedule(
        ticket, by=agent, starts_at=timezone.now() + timedelta(days=1), minutes=60
    )
    unauthorized = make_contact(customer=customer, can_request=False)
    attempt = ticket_open(channel=Channel.API, subject="No", requester=unauthorized).attempt
    invoice = make_invoice(customer, issue=True)
    payment = payment_record(
        customer=customer,
        amount=invoice.total,
        provider="bank_transfer",
        provider_ref=f"transfer-{name}",
        received_on=date(2026, 11, 2),
        invoice=invoice,
    )
    return Side(
        customer, manager, contact, user, contract, ticket, session, attempt, invoice, payment
    )


@dataclass
class World:
    a: Side
    b: Side
    admin: object
    agent: object
    finance: object
    plan: object
    pack: object


@pytest.fixture
def world(db, sla_policy) -> World:  # noqa: F811
    return build_world(sla_policy)


def build_world(policy) -> World:
    plan = make_plan(
        sla_policy=policy, allowed_channels=[Channel.PORTAL, Channel.EMAIL, Channel.API]
    )
    pack = make_credit_pack(plan)
    agent = make_agent(username="agent")
    return World(
        a=build_side(plan, agent, "a"),
        b=build_side(plan, agent, "b"),
        admin=make_staff_user(username="admin"),
        agent=agent,
        finance=make_finance_user(username="finance"),
        plan=plan,
        pack=pack,
    )


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response has the status and the one error shape (and the code, when given)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["fields"], dict)
    if code is not None:
        assert body["code"] == code, body
    return body
