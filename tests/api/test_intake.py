"""Opening tickets through the API: each intake refusal's status and code, in both languages,
recorded as an intake attempt staff can list; bad input is 400 with fields, never a 500."""

from decimal import Decimal

import pytest
import time_machine

from contracts.models import Channel, Contract, Customer
from creditdesk.api.errors import INTAKE_REFUSAL_STATUS, status_for
from tests.api.conftest import assert_error, top_up
from tests.factories import (
    make_account_manager,
    make_contact,
    make_contract,
    make_customer,
    make_invoice,
    make_plan,
    make_portal_user,
    make_service,
)
from tickets.exceptions import UnknownRequester
from tickets.models import IntakeAttempt, Ticket

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"


def portal(*, credits="5", can_request=True, contract_status=Contract.Status.ACTIVE, **plan):
    """A portal user of a fresh customer with a contract; returns (user, customer)."""
    customer = make_customer(account_manager=make_account_manager())
    plan_fields = {"allowed_channels": [Channel.PORTAL, Channel.API]} | plan
    make_contract(customer=customer, plan=make_plan(**plan_fields), status=contract_status)
    if credits:
        top_up(customer, Decimal(credits))
    contact = make_contact(customer=customer, can_request=can_request)
    return make_portal_user(contact), customer


def test_an_authorized_contact_opens_a_ticket(api):
    user, customer = portal()
    answer = api(user).post(TICKETS, {"subject": "El correo no sale"}, format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["number"].startswith("T-")
    assert body["customer"] == customer.pk
    assert body["channel"] == "api"
    assert body["status"] == "acknowledged"
    assert Ticket.objects.filter(customer=customer).count() == 1


# reason -> how to get there (a portal user and their customer)
SETUPS = {
    "unauthorized_requester": lambda: portal(can_request=False),
    "free_membership": lambda: _free(),
    "no_active_contract": lambda: portal(contract_status=Contract.Status.DRAFT),
    "contract_suspended": lambda: portal(contract_status=Contract.Status.SUSPENDED),
    "channel_not_allowed": lambda: portal(allowed_channels=[Channel.PORTAL]),
    "insufficient_credits": lambda: portal(credits="1"),
}


def _free():
    user, customer = portal()
    Customer.objects.filter(pk=customer.pk).update(membership=Customer.Membership.FREE)
    return user, customer


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        ("unauthorized_requester", 403),
        ("free_membership", 409),
        ("no_active_contract", 409),
        ("contract_suspended", 409),
        ("channel_not_allowed", 422),
        ("insufficient_credits", 402),
    ],
)
def test_refusals_have_their_status_and_code(api, reason, status):
    user, customer = SETUPS[reason]()
    answer = api(user).post(TICKETS, {"subject": "Ayuda", "channel": "api"}, format="json")
    body = assert_error(answer, status, reason)
    assert not Ticket.objects.filter(customer=customer).exists()
    # the refusal is kept as an intake attempt its account manager sees
    attempt = IntakeAttempt.objects.get(customer=customer)
    assert attempt.reason == reason
    listed = api(customer.account_manager).get("/api/v1/intake-attempts/", {"reason": reason})
    assert [row["id"] for row in listed.json()["results"]] == [attempt.pk]
    assert body["message"] == attempt.message


def test_a_service_outside_the_contract_is_422(api):
    user, customer = portal()
    contract = Contract.objects.get(customer=customer)
    covered, other = make_service(), make_service()
    contract.services.set([covered])
    answer = api(user).post(TICKETS, {"subject": "DNS", "service": other.pk}, format="json")
    assert_error(answer, 422, "out_of_scope")
    answer = api(user).post(TICKETS, {"subject": "DNS", "service": covered.pk}, format="json")
    assert answer.status_code == 201


def test_an_overdue_invoice_is_409_administratively_insolvent(api):
    with time_machine.travel("2026-12-03T15:00:00Z", tick=False) as traveller:
        user, customer = portal()
        make_invoice(customer, issue=True)
        traveller.move_to("2027-02-01T15:00:00Z")
        answer = api(user).post(TICKETS, {"subject": "Ayuda"}, format="json")
    assert_error(answer, 409, "administratively_insolvent")


def test_insufficient_credits_in_english_names_the_figures(api):
    user, _customer = portal(credits="1")
    answer = api(user).post(TICKETS, {"subject": "Help"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    body = assert_error(answer, 402, "insufficient_credits")
    assert body["message"] == "2.00 available credits are needed and there are 1.00."
    assert body["fields"] == {"credits": [body["message"]]}
    spanish = api(user).post(TICKETS, {"subject": "Ayuda"}, format="json")
    assert assert_error(spanish, 402)["message"].startswith("Se necesitan 2,00 créditos")


def test_every_intake_refusal_has_a_documented_status():
    assert set(INTAKE_REFUSAL_STATUS) == {
        "unknown_requester",
        "unauthorized_requester",
        "free_membership",
        "no_active_contract",
        "channel_not_allowed",
        "channel_closed",
        "out_of_scope",
        "contract_suspended",
        "administratively_insolvent",
        "insufficient_credits",
    }
    # unknown_requester cannot come through the API (a requester is always a known
    # contact); a mail intake refusal of that kind would be a 403.
    assert status_for(UnknownRequester(requester="x@y.co")) == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "subject"),
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"subject": "Ok", "channel": "pigeon"}, "channel"),
        ({"subject": "Ok", "impact": "cosmic"}, "impact"),
        ({"subject": "Ok", "service": "abc"}, "service"),
        ({"subject": "Ok", "service": 10**30}, "service"),
        ({"subject": ["a", "b"]}, "subject"),
    ],
)
def test_bad_input_is_400_with_the_field(api, body, field):
    user, customer = portal()
    answer = api(user).post(TICKETS, body, format="json")
    assert field in assert_error(answer, 400, "invalid_input")["fields"]
    assert not IntakeAttempt.objects.filter(customer=customer).exists()


def test_staff_open_on_behalf_of_a_contact_and_must_name_one(api):
    _user, customer = portal()
    contact = customer.contacts.get()
    manager = customer.account_manager
    missing = api(manager).post(TICKETS, {"subject": "Llamó"}, format="json")
    assert "requester" in assert_error(missing, 400)["fields"]
    answer = api(manager).post(
        TICKETS, {"subject": "Llamó", "requester": contact.pk}, format="json"
    )
    assert answer.status_code == 201, answer.content
    ticket = Ticket.objects.get(pk=answer.json()["id"])
    assert (ticket.channel, ticket.requester, ticket.opened_by) == ("staff", contact, manager)


def test_a_contact_cannot_open_for_a_colleague(api):
    user, customer = portal()
    colleague = make_contact(customer=customer)
    answer = api(user).post(TICKETS, {"subject": "X", "requester": colleague.pk}, format="json")
    assert "requester" in assert_error(answer, 400)["fields"]


@pytest.mark.parametrize("channel", ["staff", "phone", "whatsapp", "portal", "email", "chat"])
def test_a_contact_cannot_choose_the_channel(world, api, channel):
    from tickets.models import IntakeAttempt, Ticket

    tickets, attempts = Ticket.objects.count(), IntakeAttempt.objects.count()
    answer = api(world.a.user).post(
        "/api/v1/tickets/", {"subject": "Urgente", "channel": channel}, format="json"
    )
    assert "channel" in assert_error(answer, 400, "invalid_input")["fields"]
    assert (Ticket.objects.count(), IntakeAttempt.objects.count()) == (tickets, attempts)


def test_a_contacts_api_request_and_reply_are_on_the_api_channel(world, api):
    contact = api(world.a.user)
    opened = contact.post("/api/v1/tickets/", {"subject": "Sin correo"}, format="json")
    assert opened.status_code == 201
    assert opened.json()["channel"] == "api"
    ticket = opened.json()["id"]
    reply = contact.post(
        f"/api/v1/tickets/{ticket}/messages/", {"body": "Más datos"}, format="json"
    )
    assert reply.json()["channel"] == "api"
    staff_channel = contact.post(
        f"/api/v1/tickets/{ticket}/messages/", {"body": "x", "channel": "staff"}, format="json"
    )
    assert_error(staff_channel, 400, "invalid_input")


def test_staff_record_the_channel_the_customer_used(world, api):
    body = {"subject": "Llamó", "requester": world.a.contact.pk}
    agent = api(world.agent)
    # staff intake on the customer's behalf is always possible (DESIGN), and the default
    answer = agent.post("/api/v1/tickets/", body, format="json")
    assert (answer.status_code, answer.json()["channel"]) == (201, "staff")
    # a call is recorded as a call, under the plan's channel rules (portal, email, api)
    refused = agent.post("/api/v1/tickets/", body | {"channel": "phone"}, format="json")
    assert_error(refused, 422, "channel_not_allowed")
    world.plan.allowed_channels = [*world.plan.allowed_channels, Channel.PHONE]
    world.plan.phone_requires_ticket_number = False
    world.plan.save()
    answer = agent.post("/api/v1/tickets/", body | {"channel": "phone"}, format="json")
    assert (answer.status_code, answer.json()["channel"]) == (201, "phone")
    # e-mail is the mail intake's channel, not one staff type in
    email = agent.post("/api/v1/tickets/", body | {"channel": "email"}, format="json")
    assert "channel" in assert_error(email, 400, "invalid_input")["fields"]
