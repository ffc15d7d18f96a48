"""Every endpoint x role x own/other customer: no cross-customer read or write.

For the roles bound to customers (a contact, an account manager), an object of the other
customer must answer exactly as an id that does not exist (same status, same body: 404, or
403 when the role may not call that action at all), and nothing of the other customer may
change. Their own objects are never 404. Lists show only their own customer's rows.
"""

from datetime import timedelta

import pytest

from billing.models import Invoice, Payment
from contracts.models import Contact, Contract, Customer
from credits.models import CreditHold, LedgerEntry
from tests.api.conftest import Side, World
from tests.conftest import world_per_module
from tickets.models import IntakeAttempt, Message, ScheduledSession, Ticket, WorkLog

# One world for all the module's tests, which only send requests (see there).
world = world_per_module

MISSING = 987654

# (method, url, body); {customer}, {contact}, {contract}, {ticket}, {session}, {attempt},
# {invoice}, {payment} are the ids of the side under test.
DETAIL_ENDPOINTS = [
    ("get", "/api/v1/customers/{customer}/", None),
    ("patch", "/api/v1/customers/{customer}/", {"address": "Otra dirección"}),
    ("get", "/api/v1/customers/{customer}/credits/", None),
    ("get", "/api/v1/customers/{customer}/credits/entries/", None),
    ("get", "/api/v1/customers/{customer}/credits/holds/", None),
    ("post", "/api/v1/customers/{customer}/credits/adjustments/", {"credits": "5", "reason": "x"}),
    ("get", "/api/v1/contacts/{contact}/", None),
    ("patch", "/api/v1/contacts/{contact}/", {"phone": "+57 1 555"}),
    ("get", "/api/v1/contracts/{contract}/", None),
    ("post", "/api/v1/contracts/{contract}/suspend/", {"reason": "prueba"}),
    ("post", "/api/v1/contracts/{contract}/activate/", {}),
    ("post", "/api/v1/contracts/{contract}/reactivate/", {}),
    ("post", "/api/v1/contracts/{contract}/cancel/", {"reason": "prueba"}),
    (
        "post",
        "/api/v1/contracts/{contract}/change-plan/",
        {"plan": 1, "effective_on": "2026-12-01"},
    ),
    ("post", "/api/v1/contracts/{contract}/withdraw-plan-change/", None),
    ("get", "/api/v1/contracts/{contract}/sla-compliance/", None),
    ("get", "/api/v1/contracts/{contract}/sla-report/csv/", None),
    ("get", "/api/v1/tickets/{ticket}/", None),
    ("post", "/api/v1/tickets/{ticket}/transitions/", {"to_status": "in_progress"}),
    ("post", "/api/v1/tickets/{ticket}/follow-up/", {"subject": "Sigue"}),
    ("post", "/api/v1/tickets/{ticket}/escalate/", {"to_level": 2, "reason": "x"}),
    ("post", "/api/v1/tickets/{ticket}/priority/", {"priority": "p1", "reason": "x"}),
    ("post", "/api/v1/tickets/{ticket}/assign/", {"assignee": None}),
    ("get", "/api/v1/tickets/{ticket}/messages/", None),
    ("post", "/api/v1/tickets/{ticket}/messages/", {"body": "Hola"}),
    ("get", "/api/v1/tickets/{ticket}/work-logs/", None),
    (
        "post",
        "/api/v1/tickets/{ticket}/work-logs/",
        {"started_at": "{opened}", "minutes": 30},
    ),
    ("get", "/api/v1/tickets/{ticket}/sessions/", None),
    ("post", "/api/v1/tickets/{ticket}/sessions/", {"starts_at": "2026-12-01T14:00:00Z"}),
    ("get", "/api/v1/sessions/{session}/", None),
    ("post", "/api/v1/sessions/{session}/no-show/", None),
    ("post", "/api/v1/sessions/{session}/held/", None),
    ("post", "/api/v1/sessions/{session}/cancel/", None),
    ("get", "/api/v1/intake-attempts/{attempt}/", None),
    ("get", "/api/v1/invoices/{invoice}/", None),
    ("get", "/api/v1/invoices/{invoice}/pdf/", None),
    ("get", "/api/v1/payments/{payment}/", None),
]

# Creations that name a customer's object in the body: another customer's id is "not a
# valid choice", exactly like an id that does not exist.
REFERENCING_CREATES = [
    ("/api/v1/contacts/", "customer", {"customer": "{customer}", "name": "X", "email": "x@y.co"}),
    (
        "/api/v1/contracts/",
        "customer",
        {"customer": "{customer}", "plan": 1, "starts_on": "2027-01-01"},
    ),
    ("/api/v1/tickets/", "requester", {"requester": "{contact}", "subject": "Por teléfono"}),
    ("/api/v1/top-ups/", "customer", {"customer": "{customer}", "credit_pack": 1}),
]

LISTS = [
    "/api/v1/customers/",
    "/api/v1/contacts/",
    "/api/v1/contracts/",
    "/api/v1/tickets/",
    "/api/v1/sessions/",
    "/api/v1/intake-attempts/",
    "/api/v1/invoices/",
    "/api/v1/payments/",
]

BOUND_ROLES = ["contact", "manager"]


def ids(side: Side) -> dict[str, int]:
    return {
        "customer": side.customer.pk,
        "contact": side.contact.pk,
        "contract": side.contract.pk,
        "ticket": side.ticket.pk,
        "session": side.session.pk,
        "attempt": side.attempt.pk,
        "invoice": side.invoice.pk,
        "payment": side.payment.pk,
        "opened": side.ticket.opened_at.isoformat(),  # work is logged from the opening
    }


def fill(value, values: dict):
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}"):
            return values[value[1:-1]]
        return value.format(**values)
    if isinstance(value, dict):
        return {key: fill(item, values) for key, item in value.items()}
    return value


def call(client, method: str, url: str, body):
    return getattr(client, method)(url, body, format="json") if method != "get" else client.get(url)


def user_of(world: World, role: str):
    return world.a.user if role == "contact" else world.a.manager


def snapshot(side: Side) -> dict:
    """Everything of a customer a write could change."""
    customer = side.customer.pk
    return {
        "customer": list(Customer.objects.filter(pk=customer).values()),
        "contacts": list(Contact.objects.filter(customer=customer).values()),
        "contracts": list(Contract.objects.filter(customer=customer).values()),
        "entries": list(LedgerEntry.objects.filter(account__customer=customer).values()),
        "holds": list(CreditHold.objects.filter(account__customer=customer).values()),
        "tickets": list(Ticket.objects.filter(customer=customer).values()),
        "messages": Message.objects.filter(ticket__customer=customer).count(),
        "work_logs": WorkLog.objects.filter(ticket__customer=customer).count(),
        "sessions": list(ScheduledSession.objects.filter(ticket__customer=customer).values()),
        "attempts": IntakeAttempt.objects.filter(customer=customer).count(),
        "invoices": Invoice.objects.filter(customer=customer).count(),
        "payments": Payment.objects.filter(customer=customer).count(),
    }


@pytest.mark.parametrize("role", BOUND_ROLES)
def test_objects_of_another_customer_answer_like_missing_ones_and_never_change(world, api, role):
    client = api(user_of(world, role))
    other = ids(world.b)
    missing = dict.fromkeys(other, MISSING)
    before = snapshot(world.b)
    for method, url, body in DETAIL_ENDPOINTS:
        # when the same call names the other customer's object and an object that does not exist
        answer_other = call(client, method, fill(url, other), fill(body, other))
        answer_missing = call(client, method, fill(url, missing), fill(body, missing))
        # then both answers are the same refusal: nothing tells the ids apart
        assert answer_other.status_code in (403, 404), (role, method, url, answer_other.content)
        assert answer_other.status_code == answer_missing.status_code, (role, method, url)
        assert answer_other.json() == answer_missing.json(), (role, method, url)
    assert snapshot(world.b) == before


@pytest.mark.parametrize("role", BOUND_ROLES)
def test_own_objects_are_found(world, api, role):
    client = api(user_of(world, role))
    own = ids(world.a)
    for method, url, body in DETAIL_ENDPOINTS:
        answer = call(client, method, fill(url, own), fill(body, own))
        assert answer.status_code != 404, (role, method, url, answer.content)
        assert answer.status_code < 500, (role, method, url)


@pytest.mark.parametrize("role", BOUND_ROLES)
@pytest.mark.parametrize(("url", "field", "body"), REFERENCING_CREATES)
def test_creations_naming_another_customer_are_refused_like_unknown_ids(
    world, api, role, url, field, body
):
    client = api(user_of(world, role))
    before = snapshot(world.b)
    answer_other = client.post(url, fill(body, ids(world.b)), format="json")
    answer_missing = client.post(
        url, fill(body, dict.fromkeys(ids(world.b), MISSING)), format="json"
    )
    assert answer_other.status_code in (400, 403), answer_other.content
    assert answer_other.status_code == answer_missing.status_code
    # (the message quotes the id it was given; apart from that, the same answer)
    other_id = fill(body, ids(world.b))[field]
    assert answer_other.content.decode().replace(f'\\"{other_id}\\"', "ID") == (
        answer_missing.content.decode().replace(f'\\"{MISSING}\\"', "ID")
    )
    if answer_other.status_code == 400:
        assert field in answer_other.json()["fields"]
    assert snapshot(world.b) == before


def _customer_ids(url: str, rows: list[dict]) -> set[int]:
    if url == "/api/v1/customers/":
        return {row["id"] for row in rows}
    if url == "/api/v1/sessions/":
        return {Ticket.objects.get(pk=row["ticket"]).customer_id for row in rows}
    return {row["customer"] for row in rows}


@pytest.mark.parametrize("role", BOUND_ROLES)
def test_lists_show_only_the_own_customer(world, api, role):
    client = api(user_of(world, role))
    for url in LISTS:
        answer = client.get(url)
        if answer.status_code == 403:  # a role that may not list this at all
            continue
        assert answer.status_code == 200, (url, answer.content)
        rows = answer.json()["results"]
        assert rows, url
        assert _customer_ids(url, rows) == {world.a.customer.pk}, url


@pytest.mark.parametrize("role", BOUND_ROLES)
@pytest.mark.parametrize(
    "url", ["/api/v1/tickets/", "/api/v1/contracts/", "/api/v1/contacts/", "/api/v1/invoices/"]
)
def test_filtering_by_another_customer_is_an_unknown_choice(world, api, role, url):
    client = api(user_of(world, role))
    other = client.get(url, {"customer": world.b.customer.pk})
    missing = client.get(url, {"customer": MISSING})
    assert other.status_code == missing.status_code == 400
    assert other.json() == missing.json()


def test_every_customer_roles_see_both_customers(world, api):
    for user in (world.admin, world.agent, world.finance):
        answer = api(user).get("/api/v1/customers/")
        assert {row["id"] for row in answer.json()["results"]} >= {
            world.a.customer.pk,
            world.b.customer.pk,
        }


# Role x action: what each role may do on an object it can see (403 when it may not).
ROLE_TABLE = [
    # credits: agents see them but cannot adjust; finance and admin adjust
    ("agent", "get", "/api/v1/customers/{customer}/credits/", None, 200),
    (
        "agent",
        "post",
        "/api/v1/customers/{customer}/credits/adjustments/",
        {"credits": "1", "reason": "x"},
        403,
    ),
    (
        "manager",
        "post",
        "/api/v1/customers/{customer}/credits/adjustments/",
        {"credits": "1", "reason": "x"},
        403,
    ),
    (
        "contact",
        "post",
        "/api/v1/customers/{customer}/credits/adjustments/",
        {"credits": "1", "reason": "x"},
        403,
    ),
    (
        "finance",
        "post",
        "/api/v1/customers/{customer}/credits/adjustments/",
        {"credits": "1", "reason": "x"},
        201,
    ),
    (
        "admin",
        "post",
        "/api/v1/customers/{customer}/credits/adjustments/",
        {"credits": "1", "reason": "x"},
        201,
    ),
    # invoices: finance, managers, admin and the customer; not agents
    ("agent", "get", "/api/v1/invoices/", None, 403),
    ("finance", "get", "/api/v1/invoices/{invoice}/", None, 200),
    ("contact", "get", "/api/v1/invoices/{invoice}/", None, 200),
    ("manager", "get", "/api/v1/invoices/{invoice}/", None, 200),
    # payments: recording one is finance's
    ("manager", "post", "/api/v1/payments/", {}, 403),
    ("agent", "post", "/api/v1/payments/", {}, 403),
    ("contact", "post", "/api/v1/payments/", {}, 403),
    ("finance", "post", "/api/v1/payments/", {}, 400),
    # contracts: managers and admin write, others read
    ("contact", "post", "/api/v1/contracts/{contract}/suspend/", {"reason": "x"}, 403),
    ("agent", "post", "/api/v1/contracts/{contract}/suspend/", {"reason": "x"}, 403),
    ("finance", "post", "/api/v1/contracts/{contract}/suspend/", {"reason": "x"}, 403),
    ("manager", "post", "/api/v1/contracts/{contract}/suspend/", {"reason": "x"}, 200),
    ("contact", "get", "/api/v1/contracts/{contract}/", None, 200),
    # customers and contacts: managers and admin write
    ("contact", "patch", "/api/v1/customers/{customer}/", {"address": "x"}, 403),
    ("agent", "patch", "/api/v1/customers/{customer}/", {"address": "x"}, 403),
    ("manager", "patch", "/api/v1/customers/{customer}/", {"address": "x"}, 200),
    ("contact", "patch", "/api/v1/contacts/{contact}/", {"phone": "1"}, 403),
    ("manager", "patch", "/api/v1/contacts/{contact}/", {"phone": "1"}, 200),
    # plans: admin creates, everybody reads
    ("manager", "post", "/api/v1/plans/", {}, 403),
    ("contact", "get", "/api/v1/plans/", None, 200),
    # tickets: agents work them; contacts may not
    ("contact", "post", "/api/v1/tickets/{ticket}/work-logs/", {}, 403),
    ("manager", "post", "/api/v1/tickets/{ticket}/work-logs/", {}, 403),
    ("finance", "post", "/api/v1/tickets/{ticket}/messages/", {"body": "x"}, 403),
    ("contact", "post", "/api/v1/tickets/{ticket}/escalate/", {"to_level": 2, "reason": "x"}, 403),
    ("contact", "post", "/api/v1/tickets/{ticket}/transitions/", {"to_status": "in_progress"}, 403),
    ("agent", "post", "/api/v1/tickets/{ticket}/transitions/", {"to_status": "in_progress"}, 200),
    (
        "agent",
        "post",
        "/api/v1/tickets/{ticket}/work-logs/",
        {"started_at": "{opened}", "minutes": 30},
        201,
    ),
    ("contact", "post", "/api/v1/sessions/{session}/no-show/", None, 403),
    ("finance", "get", "/api/v1/tickets/{ticket}/", None, 200),
    # intake attempts: staff who work requests
    ("contact", "get", "/api/v1/intake-attempts/", None, 403),
    ("finance", "get", "/api/v1/intake-attempts/", None, 403),
    ("agent", "get", "/api/v1/intake-attempts/{attempt}/", None, 200),
    ("manager", "get", "/api/v1/intake-attempts/{attempt}/", None, 200),
]


def role_user(world: World, role: str):
    return {
        "contact": world.a.user,
        "manager": world.a.manager,
        "agent": world.agent,
        "finance": world.finance,
        "admin": world.admin,
    }[role]


@pytest.mark.parametrize(("role", "method", "url", "body", "expected"), ROLE_TABLE)
def test_role_table(world, api, role, method, url, body, expected, time_machine):
    # Half an hour after the opening, so the work the table logs from it is done.
    time_machine.move_to(world.a.ticket.opened_at + timedelta(minutes=30))
    client = api(role_user(world, role))
    values = ids(world.a)
    answer = call(client, method, fill(url, values), fill(body, values))
    assert answer.status_code == expected, answer.content


def test_anonymous_callers_get_401_everywhere(world, api):
    client = api(None)
    for method, url, body in DETAIL_ENDPOINTS:
        answer = call(client, method, fill(url, ids(world.a)), body)
        assert answer.status_code == 401, (method, url)
    for url in LISTS:
        assert client.get(url).status_code == 401


def test_a_contact_without_rights_sees_nothing_of_anyone(world, api):
    # a signed-in user who is neither staff nor linked to a contact
    from tests.factories import make_user

    client = api(make_user())
    assert client.get("/api/v1/tickets/").status_code == 403
    assert client.get(f"/api/v1/tickets/{world.a.ticket.pk}/").status_code == 403
    assert client.get(f"/api/v1/customers/{world.a.customer.pk}/credits/").status_code == 403


@pytest.mark.parametrize(
    ("url", "parameter"),
    [("/api/v1/tickets/", "assignee"), ("/api/v1/customers/", "account_manager")],
)
def test_contacts_cannot_probe_staff_ids_through_filters(world, api, url, parameter):
    contact = api(world.a.user)
    staff_id, contact_id = world.agent.pk, world.a.user.pk
    answers = [contact.get(url, {parameter: value}) for value in (staff_id, contact_id, MISSING)]
    # the filter does not exist for a contact: every id answers the same, unfiltered list
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.content for answer in answers}) == 1
    # staff keep the filter
    assert api(world.admin).get(url, {parameter: MISSING}).status_code == 400
