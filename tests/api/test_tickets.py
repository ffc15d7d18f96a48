"""Tickets over the API: detail with SLA clocks, local due times and their explanation, the
charge and its explanation; lifecycle, messages, work logs; list filters, ordering and
query budgets."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from contracts.models import Channel
from sla.services.clocks import clocks_reapply
from tests.api.conftest import build_side, client_for
from tests.factories import make_agent, make_plan, make_service
from tests.tickets.conftest import publish_with_levels, sla_policy, tuesday_morning  # noqa: F401  (fixtures)
from tests.web.test_ticket_clocks import (  # noqa: F401  (fixture)
    OPENED,
    caracas_on_24x7,
    late_and_resolved,
)
from tickets.models import Ticket


@pytest.fixture
def side(db, sla_policy, tuesday_morning):  # noqa: F811
    plan = make_plan(sla_policy=sla_policy, allowed_channels=[Channel.API, Channel.PORTAL])
    return build_side(plan, make_agent(), "t")


def test_detail_shows_clocks_due_in_the_customers_zone_with_their_explanation(side):
    # opened Tuesday 17 November 2026 09:00 Bogotá, P3: response 2 h, resolution 4 h
    answer = client_for(side.user).get(f"/api/v1/tickets/{side.ticket.pk}/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["time_zone"] == "America/Bogota"
    clocks = {clock["kind"]: clock for clock in body["clocks"]}
    assert clocks["response"]["due_at"] == "2026-11-17T16:00:00Z"
    assert clocks["response"]["due_at_local"] == "2026-11-17T11:00:00-05:00"
    assert clocks["resolution"]["due_at_local"] == "2026-11-17T14:00:00-05:00"
    assert clocks["response"]["state"] == "running"
    assert clocks["response"]["target_seconds"] == 2 * 3600
    assert clocks["response"]["remaining_seconds"] == 2 * 3600
    assert body["next_due_at_local"] == "2026-11-17T11:00:00-05:00"
    # the resolution clock's explanation skips the lunch hour, in Spanish by default
    explanation = " ".join(clocks["resolution"]["explanation"])
    assert "Inicio" in explanation
    english = client_for(side.user).get(
        f"/api/v1/tickets/{side.ticket.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Start:" in " ".join(english.json()["clocks"][1]["explanation"])


def test_agent_works_and_resolves_and_the_customer_reads_the_charge(side, tuesday_morning):  # noqa: F811
    agent = client_for(make_agent())
    url = f"/api/v1/tickets/{side.ticket.pk}/"
    # the agent answers, logs 70 minutes and resolves
    reply = agent.post(url + "messages/", {"body": "Revisando el servidor"}, format="json")
    assert reply.status_code == 201
    note = agent.post(url + "messages/", {"body": "interno", "public": False}, format="json")
    assert note.status_code == 201
    tuesday_morning.shift(timedelta(hours=2))
    log = agent.post(
        url + "work-logs/",
        {"started_at": "2026-11-17T14:05:00Z", "minutes": 70, "note": "DNS"},
        format="json",
    )
    assert log.status_code == 201, log.content
    resolved = agent.post(
        url + "transitions/", {"to_status": "resolved"}, format="json", HTTP_IDEMPOTENCY_KEY="r1"
    )
    assert resolved.status_code == 200, resolved.content
    # then the customer sees the charge (70 minutes -> 2 credits) and why, in their language
    customer = client_for(side.user)
    body = customer.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["status"] == "resolved"
    assert Decimal(body["billed_credits"]) == Decimal("2.00")
    assert "70" in body["charge_explanation"]
    assert body["charge_explanation"] == Ticket.objects.get(pk=side.ticket.pk).charge_explanation_en
    (charge,) = body["charges"]
    assert (charge["kind"], Decimal(charge["credits"])) == ("charge", Decimal("-2.00"))
    assert charge["explanation"]
    assert {clock["state"] for clock in body["clocks"]} == {"met"}
    # and the internal note is not among the messages the customer sees
    bodies = [m["body"] for m in customer.get(url + "messages/").json()["results"]]
    assert "interno" not in bodies
    assert "Revisando el servidor" in bodies
    # the customer reopens
    reopened = customer.post(url + "transitions/", {"to_status": "reopened"}, format="json")
    assert reopened.json()["status"] == "in_progress"


def test_customer_reply_resumes_a_ticket_waiting_on_them(side):
    agent = client_for(make_agent())
    url = f"/api/v1/tickets/{side.ticket.pk}/messages/"
    asked = agent.post(url, {"body": "¿Qué error ve?", "asks_for_information": True}, format="json")
    assert asked.status_code == 201
    assert Ticket.objects.get(pk=side.ticket.pk).status == "waiting_on_customer"
    paused = client_for(side.user).get(f"/api/v1/tickets/{side.ticket.pk}/").json()
    assert {clock["state"] for clock in paused["clocks"]} <= {"paused", "met"}
    answer = client_for(side.user).post(url, {"body": "Error 503"}, format="json")
    assert answer.json()["direction"] == "inbound"
    assert Ticket.objects.get(pk=side.ticket.pk).status == "in_progress"
    refused = client_for(side.user).post(
        url, {"body": "x", "asks_for_information": True}, format="json"
    )
    assert refused.status_code == 400


def test_escalate_prioritize_assign(side):
    agent_user = make_agent()
    agent = client_for(agent_user)
    url = f"/api/v1/tickets/{side.ticket.pk}/"
    assert (
        agent.post(url + "escalate/", {"to_level": 2, "reason": "red"}, format="json").json()[
            "resolution_level"
        ]
        == 2
    )
    body = agent.post(url + "priority/", {"priority": "p1", "reason": "caída"}, format="json")
    assert body.json()["priority"] == "p1"
    assert body.json()["priority_override_reason"]
    assigned = agent.post(url + "assign/", {"assignee": agent_user.pk}, format="json")
    assert assigned.json()["assignee"] == agent_user.pk
    bad = agent.post(url + "escalate/", {"to_level": 7, "reason": "x"}, format="json")
    assert bad.status_code == 400


def test_sessions_and_no_show(side, tuesday_morning):  # noqa: F811
    agent = client_for(make_agent())
    created = agent.post(
        f"/api/v1/tickets/{side.ticket.pk}/sessions/",
        {"starts_at": "2026-11-18T15:00:00Z", "minutes": 45},
        format="json",
    )
    assert created.status_code == 201
    session = created.json()["id"]
    assert agent.post(f"/api/v1/sessions/{session}/held/").json()["status"] == "held"
    early = agent.post(f"/api/v1/sessions/{side.session.pk}/no-show/")
    assert (early.status_code, early.json()["code"]) == (409, "session_not_started")
    tuesday_morning.shift(timedelta(days=2))
    no_show = agent.post(f"/api/v1/sessions/{side.session.pk}/no-show/")
    assert no_show.json()["entry"]["kind"] == "no_show"
    charges = client_for(side.user).get(f"/api/v1/tickets/{side.ticket.pk}/").json()["charges"]
    assert [c["kind"] for c in charges] == ["no_show"]


def test_follow_up_on_a_closed_ticket(side):
    agent = client_for(make_agent())
    url = f"/api/v1/tickets/{side.ticket.pk}/"
    for status in ("in_progress", "resolved"):
        agent.post(url + "transitions/", {"to_status": status}, format="json")
    customer = client_for(side.user)
    closed = customer.post(url + "transitions/", {"to_status": "closed"}, format="json")
    assert closed.status_code == 200, closed.content
    follow = customer.post(url + "follow-up/", {"subject": "Volvió a fallar"}, format="json")
    assert follow.status_code == 201, follow.content
    assert follow.json()["follows_up"] == side.ticket.pk


# Lists.


@pytest.fixture
def queue(world):
    """Tickets of both customers at different priorities and states."""
    agent = client_for(world.agent)
    for priority, customer in (("p1", world.a), ("p2", world.b)):
        opened = client_for(customer.user).post(
            "/api/v1/tickets/", {"subject": priority, "impact": "high"}, format="json"
        )
        agent.post(
            f"/api/v1/tickets/{opened.json()['id']}/priority/",
            {"priority": priority, "reason": "x"},
            format="json",
        )
    return world


def test_filters_by_status_priority_customer(queue, api):
    agent = api(queue.agent)
    rows = agent.get("/api/v1/tickets/", {"priority": "p1"}).json()["results"]
    assert [row["subject"] for row in rows] == ["p1"]
    rows = agent.get("/api/v1/tickets/", {"customer": queue.b.customer.pk}).json()["results"]
    assert {row["customer"] for row in rows} == {queue.b.customer.pk}
    assert agent.get("/api/v1/tickets/", {"status": "closed"}).json()["count"] == 0


def test_filters_by_sla_state_and_due_time(queue, api):
    agent = api(queue.agent)
    everything = agent.get("/api/v1/tickets/").json()["count"]
    # P1's response target is immediate (seed 001): past due at once, before the monitor ran;
    # a ticket has one SLA state, so P1 is breached and not also running
    breached = agent.get("/api/v1/tickets/", {"sla_state": "breached"}).json()["results"]
    assert [(row["subject"], row["sla_state"]) for row in breached] == [("p1", "breached")]
    running = agent.get("/api/v1/tickets/", {"sla_state": "running"}).json()["count"]
    assert running == everything - 1
    assert agent.get("/api/v1/tickets/", {"sla_state": "none"}).json()["count"] == 0
    soon = (timezone.now() + timedelta(minutes=1)).isoformat()
    due_now = agent.get("/api/v1/tickets/", {"due_before": soon}).json()["results"]
    assert [row["subject"] for row in due_now] == ["p1"]
    later = (timezone.now() + timedelta(days=30)).isoformat()
    assert agent.get("/api/v1/tickets/", {"due_before": later}).json()["count"] == everything


def test_queue_ordered_by_due_time(queue, api):
    rows = api(queue.agent).get("/api/v1/tickets/", {"ordering": "next_due_at"}).json()["results"]
    due = [parse_datetime(row["next_due_at"]) for row in rows if row["next_due_at"]]
    assert due == sorted(due)
    assert rows[0]["priority"] == "p1"


LIST_URLS = [
    "/api/v1/customers/",
    "/api/v1/contacts/",
    "/api/v1/contracts/",
    "/api/v1/plans/",
    "/api/v1/credit-packs/",
    "/api/v1/services/",
    "/api/v1/tickets/",
    "/api/v1/sessions/",
    "/api/v1/intake-attempts/",
    "/api/v1/invoices/",
    "/api/v1/payments/",
]


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200
    assert answer.json()["count"] >= 1
    return len(captured)


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_query_budget_does_not_grow_with_rows(world, api, url, django_assert_max_num_queries):
    # the admin sees every customer's rows
    client = api(world.admin)
    make_service()
    client.get(url)  # warm caches (content types, calendars)
    with django_assert_max_num_queries(8):
        client.get(url)
    before = _queries(client, url)
    # when there are more customers, tickets, invoices... the page costs the same
    build_side(world.plan, world.agent, "c")
    build_side(world.plan, world.agent, "d")
    make_service()
    assert _queries(client, url) == before


def test_ticket_detail_query_budget(world, api, django_assert_max_num_queries):
    client = api(world.a.user)
    client.get(f"/api/v1/tickets/{world.a.ticket.pk}/")
    with django_assert_max_num_queries(20):
        client.get(f"/api/v1/tickets/{world.a.ticket.pk}/")


def test_a_level_with_its_own_time_and_a_referral_through_the_api(side, sla_policy):  # noqa: F811
    # seed 001's levels on the plan's policy; the ticket opened Tuesday 09:00 Bogotá
    publish_with_levels(sla_policy)
    ticket = side.ticket
    clocks_reapply(at=timezone.now(), policies=[sla_policy])
    agent = client_for(make_agent())
    url = f"/api/v1/tickets/{ticket.pk}/"

    level = agent.get(url).json()["level"]
    assert level == {
        "number": 1,
        "name": "Primer contacto",
        "target_seconds": 2 * 3600,
        "used_seconds": 0,
        "due_at": "2026-11-17T16:00:00Z",
        "due_at_local": "2026-11-17T11:00:00-05:00",
        "late": False,
        "referred_to": "",
    }
    refused = agent.post(url + "escalate/", {"to_level": 3, "reason": "fabricante"}, format="json")
    assert refused.status_code == 400
    assert "referred_to" in refused.json()["fields"]
    moved = agent.post(
        url + "escalate/",
        {"to_level": 3, "reason": "fabricante", "referred_to": "Comité de expertos"},
        format="json",
    ).json()
    assert (moved["resolution_level"], moved["referred_to"]) == (3, "Comité de expertos")
    assert moved["level"]["target_seconds"] is None


def test_the_detail_and_the_intake_answer_show_what_the_list_shows(side, tuesday_morning):  # noqa: F811
    client = client_for(side.user)

    shown = ("sla_state", "next_due_at", "next_due_at_local", "status", "priority")

    def listed(number: str) -> dict:
        rows = client.get("/api/v1/tickets/").json()["results"]
        (row,) = [row for row in rows if row["number"] == number]
        return {key: row[key] for key in shown}

    opened = client.post("/api/v1/tickets/", {"subject": "Disco lleno"}, format="json")
    assert opened.status_code == 201, opened.content
    created = opened.json()
    assert {key: created[key] for key in shown} == listed(created["number"])
    assert created["sla_state"] == "running"
    assert created["next_due_at"] is not None

    # Two days later, past every target: breached in the list, in the detail and in the
    # answer to a write on it.
    tuesday_morning.shift(timedelta(days=2))
    url = f"/api/v1/tickets/{created['id']}/"
    detail = client.get(url).json()
    assert {key: detail[key] for key in shown} == listed(created["number"])
    assert detail["sla_state"] == "breached"
    agent = client_for(make_agent())
    escalated = agent.post(url + "priority/", {"priority": "p1", "reason": "caído"}, format="json")
    assert escalated.status_code == 200, escalated.content
    assert escalated.json()["sla_state"] == listed(created["number"])["sla_state"] == "breached"


def test_a_charges_explanation_is_in_the_requests_language(side, tuesday_morning):  # noqa: F811
    from credits.models import LedgerEntry

    agent = client_for(make_agent())
    url = f"/api/v1/tickets/{side.ticket.pk}/"
    assert agent.post(url + "messages/", {"body": "Revisando"}, format="json").status_code == 201
    tuesday_morning.shift(timedelta(hours=3))
    log = agent.post(
        url + "work-logs/",
        {"started_at": "2026-11-17T14:05:00Z", "minutes": 170, "note": "DNS"},
        format="json",
    )
    assert log.status_code == 201, log.content
    resolved = agent.post(
        url + "transitions/", {"to_status": "resolved"}, format="json", HTTP_IDEMPOTENCY_KEY="r1"
    )
    assert resolved.status_code == 200, resolved.content
    entry = LedgerEntry.objects.get(kind="charge", reference_id=str(side.ticket.pk))
    assert entry.reason != entry.reason_en

    customer = client_for(side.user)
    english = customer.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    spanish = customer.get(url, HTTP_ACCEPT_LANGUAGE="es").json()

    assert english["charges"][0]["explanation"] == entry.reason_en
    assert english["charges"][0]["explanation"] == english["charge_explanation"]
    assert spanish["charges"][0]["explanation"] == entry.reason


def test_a_stopped_breached_clock_states_how_late_it_was_as_the_sla_report_does(
    late_and_resolved,  # noqa: F811
    time_machine,
):
    time_machine.move_to(OPENED + timedelta(days=30), tick=False)
    body = client_for(late_and_resolved.user).get(f"/api/v1/tickets/{late_and_resolved.ticket.pk}/")
    clocks = {clock["kind"]: clock for clock in body.json()["clocks"]}
    assert clocks["response"]["late_by_seconds"] == 50 * 3600
    assert clocks["resolution"]["late_by_seconds"] == 32 * 3600


def test_an_open_clock_states_no_lateness(side):
    body = client_for(side.user).get(f"/api/v1/tickets/{side.ticket.pk}/").json()
    assert [clock["late_by_seconds"] for clock in body["clocks"]] == [None, None]


def test_the_clocks_explanation_reads_in_the_customers_zone_as_due_at_local_does(
    db,
    time_machine,
):
    from zoneinfo import ZoneInfo

    from core.formatting import format_moment

    world = caracas_on_24x7()  # a 24x7 calendar kept in UTC
    time_machine.move_to(OPENED + timedelta(hours=1), tick=False)
    caracas = ZoneInfo("America/Caracas")

    for language, zone_line in (
        ("en", "Time zone: Caracas (UTC-04:00)"),
        ("es", "Zona horaria: Caracas (UTC-04:00)"),
    ):
        body = client_for(world.user).get(
            f"/api/v1/tickets/{world.ticket.pk}/", HTTP_ACCEPT_LANGUAGE=language
        )
        for clock in body.json()["clocks"]:
            local = parse_datetime(clock["due_at_local"])
            assert local.utcoffset() == timedelta(hours=-4)
            due = format_moment(local.astimezone(caracas), language)
            assert clock["explanation"][0] == zone_line
            assert clock["explanation"][-1] in (f"Due {due}", f"Vence {due}")
