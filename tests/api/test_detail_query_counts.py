"""One object's answer costs the same number of queries whatever the rows it nests (issue 16:
"every page and list endpoint has a fixed number of queries whatever the number of rows"):
a quote's and an invoice's lines (their API answers and their PDFs, in the API, the
workspace and the portal), an incident's updates, a status component's service types, a
contract's plan changes and service types, a webhook delivery's attempts, and a ticket's
clock explanations and charges.

Each case reads an object with few nested rows and one with many (each carrying every
related row the answer shows, so a query per row would show): the count must not move, and
the answer must show more rows for the second (an empty answer proves nothing). The lists
these objects sit in are grown in tests/api/test_list_query_counts.py, but for the
contracts' list, whose rows' plan changes are grown here."""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from contracts.models import Channel
from contracts.services import contract_change_plan, customer_today
from quotes.models import Quote
from statuspage import services as status_services
from statuspage.models import Component, Impact, State
from tests.factories import (
    log_finished_work,
    make_contract,
    make_customer,
    make_finance_user,
    make_plan,
    make_service,
)
from tests.statuspage.conftest import catalogue  # noqa: F401  (fixture)
from tests.web.conftest import shop, top_up  # noqa: F401  (fixture)
from tests.web.test_more_query_counts import _invoice, _quote, _serial, quote_series  # noqa: F401
from tests.web.test_query_counts import _clients
from tests.webhooks.conftest import endpoint_for, receiver  # noqa: F401  (fixture)
from tickets.models import Ticket
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import (
    ticket_agent_reply,
    ticket_customer_reply,
    ticket_reopen,
    ticket_resolve,
)
from webhooks import services as webhook_services

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Answer:
    """An address as one reader asks it, and how many nested rows its answer shows."""

    who: str
    url: str
    rows: Callable[[bytes], int]


def _json_rows(*keys: str) -> Callable[[bytes], int]:
    """The rows under `keys` of a JSON answer; a list of objects counts its items' lists."""

    def count(content: bytes) -> int:
        found = json.loads(content)
        for key in keys:
            found = [item[key] for item in found] if isinstance(found, list) else found[key]
        return (
            sum(len(item) for item in found) if found and isinstance(found[0], list) else len(found)
        )

    return count


def _pdf_rows(marker: str) -> Callable[[bytes], int]:
    def count(content: bytes) -> int:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
        return text.count(marker)

    return count


def _read(clients: dict[str, Client], answer: Answer, pk: int) -> tuple[int, int]:
    """(queries, rows shown) of the answer for object `pk`."""
    url = answer.url.format(pk=pk)
    with CaptureQueriesContext(connection) as queries:
        response = clients[answer.who].get(url)
        assert response.status_code == 200, (answer.who, url, response.status_code)
        # a stored PDF streams from its file, read here so any query it costs is counted
        content = b"".join(response) if response.streaming else response.content
    return len(queries), answer.rows(content)


def _assert_same_cost(clients: dict[str, Client], answers: list[Answer], few: int, many: int):
    costs = {
        (answer.who, answer.url): (_read(clients, answer, few), _read(clients, answer, many))
        for answer in answers
    }
    moved = {key: pair for key, pair in costs.items() if pair[0][0] != pair[1][0]}
    assert not moved
    not_grown = {key: pair for key, pair in costs.items() if not pair[1][1] > pair[0][1] > 0}
    assert not not_grown


# --- a quote and an invoice -------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Quote.Kind.MONEY, Quote.Kind.CREDITS])
def test_a_quote_costs_the_same_with_few_and_many_lines_in_the_api_and_its_pdf(
    shop,  # noqa: F811
    quote_series,  # noqa: F811
    kind,
):
    top_up(shop.customer, "5")
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="Migrar el correo"
    ).ticket
    few = _quote(shop, ticket, 2, kind=kind)
    many = _quote(shop, ticket, 30, kind=kind)
    lines = _json_rows("lines")
    on_paper = _pdf_rows("Tarea ")
    answers = [
        Answer("contact", "/api/v1/quotes/{pk}/", lines),
        Answer("agent", "/api/v1/quotes/{pk}/", lines),
        Answer("contact", "/api/v1/quotes/{pk}/pdf/", on_paper),
        Answer("agent", "/workspace/quotes/{pk}/pdf/", on_paper),
        Answer("contact", "/portal/quotes/{pk}/pdf/", on_paper),
    ]

    _assert_same_cost(_clients(shop), answers, few.pk, many.pk)


def test_an_invoice_costs_the_same_with_few_and_many_lines_in_the_api_and_its_pdf(shop):  # noqa: F811
    finance = make_finance_user(username=f"finanzas-{next(_serial)}")
    few = _invoice(shop, 2, finance)
    many = _invoice(shop, 30, finance)
    lines = _json_rows("lines")
    on_paper = _pdf_rows("Servicio ")
    answers = [
        Answer("contact", "/api/v1/invoices/{pk}/", lines),
        Answer("finance", "/api/v1/invoices/{pk}/", lines),
        Answer("finance", "/api/v1/invoices/{pk}/pdf/", on_paper),
        Answer("finance", "/billing/invoices/{pk}/pdf/", on_paper),
        Answer("contact", "/billing/invoices/{pk}/pdf/", on_paper),
        Answer("contact", "/portal/invoices/{pk}/pdf/", on_paper),
    ]

    _assert_same_cost(_clients(shop), answers, few.pk, many.pk)


# --- the status page --------------------------------------------------------------------------


def _incident(shop, catalogue, updates: int):  # noqa: F811
    """An incident on two components, linked to a request, with `updates` updates after
    the first (the last one sent to the request)."""
    incident = status_services.incident_open(
        title=f"Correo caído {next(_serial)}",
        body="Investigamos.",
        impact=Impact.MAJOR,
        components=[catalogue.mail_component, catalogue.panel],
        by=shop.agent,
    )
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Sin correo")
    status_services.incident_ticket_link(incident, ticket.ticket, by=shop.agent)
    for index in range(updates):
        update = status_services.incident_update_post(
            incident,
            state=State.IDENTIFIED if index % 2 else State.MONITORING,
            body=f"Avance {index}.",
            body_en="Progress.",
            impact=Impact.PARTIAL if index % 2 else Impact.MAJOR,
            by=shop.agent,
        )
    status_services.incident_update_send(update, by=shop.agent)
    return incident


def test_an_incident_costs_the_same_with_few_and_many_updates(shop, catalogue):  # noqa: F811
    top_up(shop.customer, "10")
    few = _incident(shop, catalogue, 1)
    many = _incident(shop, catalogue, 25)
    updates = _json_rows("updates")
    answers = [
        Answer("contact", "/api/v1/status/incidents/{pk}/", updates),
        Answer("agent", "/api/v1/status/incidents/{pk}/", updates),
    ]

    _assert_same_cost(_clients(shop), answers, few.pk, many.pk)


def test_a_component_costs_the_same_over_few_and_many_service_types(shop):  # noqa: F811
    few, many = (
        Component.objects.create(code=f"componente-{n}", name=f"Componente {n}", position=n)
        for n in (next(_serial), next(_serial))
    )
    few.services.set([make_service()])
    many.services.set([make_service() for _index in range(20)])
    services = _json_rows("services")
    answers = [
        Answer("contact", "/api/v1/status/components/{pk}/", services),
        Answer("agent", "/api/v1/status/components/{pk}/", services),
    ]

    _assert_same_cost(_clients(shop), answers, few.pk, many.pk)


# --- a contract -------------------------------------------------------------------------------


def _plan_changes(contract, count: int, plans, by) -> None:
    """`count` plan changes applied today, back and forth, and as many service types."""
    today = customer_today(contract.customer)
    for index in range(count):
        contract_change_plan(contract, plan=plans[index % 2], effective_on=today, by=by)
    contract.services.add(*(make_service() for _index in range(count)))


def test_a_contract_costs_the_same_with_few_and_many_plan_changes(shop):  # noqa: F811
    original = shop.contract.plan
    plans = [make_plan(name="Créditos plus", sla_policy=original.sla_policy), original]
    few = make_contract(make_customer(account_manager=shop.manager), original)
    _plan_changes(few, 1, plans, shop.manager)
    clients = _clients(shop)
    listing = Answer("manager", "/api/v1/contracts/", _json_rows("results", "plan_changes"))
    before = _read(clients, listing, 0)
    _plan_changes(shop.contract, 12, plans, shop.manager)
    for _index in range(5):
        more = make_contract(make_customer(account_manager=shop.manager), original)
        _plan_changes(more, 3, plans, shop.manager)
    after = _read(clients, listing, 0)
    answers = [
        Answer(who, "/api/v1/contracts/{pk}/", rows)
        for who in ("manager", "admin")
        for rows in (_json_rows("plan_changes"), _json_rows("services"))
    ]

    assert after[0] == before[0]
    assert after[1] > before[1]
    _assert_same_cost(clients, answers, few.pk, shop.contract.pk)


# --- a webhook delivery -----------------------------------------------------------------------


def ticket_created_delivery(endpoint):
    """A `ticket.created` delivery of a new event to `endpoint`, not yet attempted."""
    [delivery] = webhook_services.deliveries_create(
        endpoints=[endpoint],
        event_type="ticket.created",
        customer_id=endpoint.customer_id,
        data={"number": next(_serial)},
        event_id=webhook_services.event_id_for(""),
        occurred_at=timezone.now(),
    )
    return delivery


def test_a_webhook_delivery_costs_the_same_with_few_and_many_attempts(shop, receiver):  # noqa: F811
    endpoint = endpoint_for(shop, receiver)
    deliveries = []
    for attempts in (1, 6):
        delivery = ticket_created_delivery(endpoint)
        receiver.answers.extend([500] * attempts)
        for number in range(1, attempts + 1):
            assert webhook_services.delivery_attempt(delivery.pk, number) is not None
        deliveries.append(delivery)
    log = _json_rows("log")
    answers = [
        Answer("manager", "/api/v1/webhook-deliveries/{pk}/", log),
        Answer("admin", "/api/v1/webhook-deliveries/{pk}/", log),
    ]

    _assert_same_cost(_clients(shop), answers, deliveries[0].pk, deliveries[1].pk)


# --- a ticket ---------------------------------------------------------------------------------


def _worked(shop, rounds: int) -> Ticket:  # noqa: F811
    """A request waiting on the customer and answered `rounds` times (each pause an
    explanation line of its clocks), worked and resolved each round (each resolution a
    charge), reopened in between."""
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Correo").ticket
    for index in range(rounds):
        if index:
            ticket_reopen(ticket, reason="Sigue fallando")
        ticket_agent_reply(ticket, by=shop.agent, body="¿Qué versión?", asks_for_information=True)
        ticket_customer_reply(ticket, contact=shop.contact, body="La última.")
        log_finished_work(
            ticket, by=shop.agent, minutes=30, started_at=ticket.opened_at, note=f"Revisión {index}"
        )
        ticket_resolve(ticket, by=shop.agent)
    return ticket


def test_a_ticket_costs_the_same_with_few_and_many_pauses_and_charges(shop):  # noqa: F811
    top_up(shop.customer, "100")
    few = _worked(shop, 1)
    many = _worked(shop, 8)
    answers = [
        Answer(who, "/api/v1/tickets/{pk}/", rows)
        for who in ("contact", "agent")
        for rows in (_json_rows("charges"), _json_rows("clocks", "explanation"))
    ]

    _assert_same_cost(_clients(shop), answers, few.pk, many.pk)
