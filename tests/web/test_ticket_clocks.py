"""A ticket's SLA clocks as the portal and the workspace show them: a breached clock that
stopped is late by what the SLA report says, and the explanation of a due time reads in the
same zone as the due time above it."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from contracts.models import Channel, Contact, Customer
from core.formatting import format_duration, format_moment
from sla.calendars import Calendar
from sla.choices import Priority
from sla.selectors import sla_compliance, subject_clocks
from sla.services.setup import TargetSpec, calendar_publish, policy_publish
from tests.factories import (
    log_finished_work,
    make_agent,
    make_contact,
    make_contract,
    make_customer,
    make_plan,
    make_portal_user,
)
from tests.web.conftest import PASSWORD, top_up
from tests.web.test_pages import login
from tickets.models import Ticket
from tickets.selectors import contract_clocks
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_agent_reply, ticket_resolve

# Tuesday 3 November 2026, 07:00 UTC (03:00 in Caracas, UTC-04:00 all year)
OPENED = datetime(2026, 11, 3, 7, tzinfo=UTC)


@dataclass
class Caracas:
    customer: Customer
    contact: Contact
    user: object
    agent: object
    ticket: Ticket


def caracas_on_24x7(opened_at: datetime = OPENED) -> Caracas:
    """A customer in Caracas on a plan measured 24x7 by a calendar kept in UTC (first response
    4 h, resolution 24 h for every priority), with a request opened at `opened_at`."""
    calendar = calendar_publish(
        slug="utc-24x7", name="24x7", calendar=Calendar.build("UTC", always_open=True)
    ).calendar
    policy = policy_publish(
        slug="continua",
        name="Continua",
        calendar=calendar,
        targets={
            priority: TargetSpec(timedelta(hours=4), timedelta(hours=24))
            for priority in Priority.values
        },
    ).policy
    customer = make_customer(legal_name="Posada Caribe C.A.", time_zone="America/Caracas")
    make_contract(customer, make_plan(name="Continuo", sla_policy=policy))
    contact = make_contact(customer, name="Luis Pérez", email="luis@posada.example")
    user = make_portal_user(contact, username="luis", password=PASSWORD)
    agent = make_agent(username="agente24", password=PASSWORD)
    top_up(customer, "20")
    with time_machine.travel(opened_at, tick=False):
        ticket = ticket_open(channel=Channel.PORTAL, requester=contact, subject="Sin correo").ticket
    return Caracas(customer, contact, user, agent, ticket)


def clock_lines(page: str) -> list[str]:
    """The text of each clock's due line (first response, then resolution)."""
    lines = re.findall(r'<p data-testid="clock-due">(.*?)</p>', page, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line)).strip() for line in lines]


@pytest.fixture
def late_and_resolved(db):
    """Answered at 54 h and resolved at 56 h: both clocks breached, then stopped."""
    world = caracas_on_24x7()
    with time_machine.travel(OPENED + timedelta(hours=54), tick=False):
        ticket_agent_reply(world.ticket, by=world.agent, body="Revisamos el buzón.")
    log_finished_work(
        world.ticket, by=world.agent, started_at=OPENED + timedelta(hours=54), minutes=90
    )
    with time_machine.travel(OPENED + timedelta(hours=56), tick=False):
        ticket_resolve(world.ticket, by=world.agent)
    return world


def test_a_stopped_breached_clock_is_late_by_what_the_sla_report_says(
    client, late_and_resolved, time_machine
):
    world = late_and_resolved
    breaches = sla_compliance(clocks=contract_clocks(world.ticket.contract)).breaches
    late = {breach.kind: format_duration(breach.late_by) for breach in breaches}
    assert late == {"response": "50 h 00 min", "resolution": "32 h 00 min"}

    for days_later in (30, 31):  # what the page says no longer moves with the time
        time_machine.move_to(OPENED + timedelta(days=days_later), tick=False)
        login(client, world.user)
        portal = client.get(
            reverse("web:ticket", args=[world.ticket.number]), HTTP_ACCEPT_LANGUAGE="en"
        ).text
        client.logout()
        login(client, world.agent)
        workspace = client.get(
            reverse("web:work", args=[world.ticket.number]), HTTP_ACCEPT_LANGUAGE="es"
        ).text
        client.logout()

        response, resolution = clock_lines(portal)
        assert "late by 50 h 00 min" in response
        assert "late by 32 h 00 min" in resolution
        assert "overdue" not in portal
        response, resolution = clock_lines(workspace)
        assert "retraso de 50 h 00 min" in response
        assert "retraso de 32 h 00 min" in resolution
        assert "vencido hace" not in workspace


@pytest.mark.parametrize(
    ("language", "used"), [("es", "1.350,0 % del plazo usado"), ("en", "1,350.0 % of the time")]
)
def test_the_share_of_the_target_used_is_grouped_as_the_reader_writes_numbers(
    client, late_and_resolved, language, used
):
    """54 h against a 4 h target: "1.350,0 %", where the page wrote "1350,0 %"."""
    login(client, late_and_resolved.user)
    page = client.get(
        reverse("web:ticket", args=[late_and_resolved.ticket.number]),
        HTTP_ACCEPT_LANGUAGE=language,
    ).text
    response, _resolution = clock_lines(page)
    assert used in response


def test_a_running_breached_clock_is_still_overdue_by_the_time_since_its_due_time(
    client, db, time_machine
):
    world = caracas_on_24x7()
    time_machine.move_to(OPENED + timedelta(hours=6, minutes=30), tick=False)
    login(client, world.user)
    page = client.get(reverse("web:ticket", args=[world.ticket.number]), HTTP_ACCEPT_LANGUAGE="en")

    response, resolution = clock_lines(page.text)
    assert "overdue by 2 h 30 min" in response
    assert "due in 17 h 30 min" in resolution


def test_a_breached_clock_waiting_on_the_customer_is_late_by_what_it_counted(
    client, db, time_machine
):
    """Paused while the customer is asked for information, a breached resolution clock counts
    nothing: it stays late by the time it ran past its target, as the SLA report says, where
    the page said "overdue by" the time since its due time, growing with the silence."""
    world = caracas_on_24x7()
    time_machine.move_to(OPENED + timedelta(hours=30), tick=False)
    ticket_agent_reply(
        world.ticket, by=world.agent, body="¿Qué buzón falla?", asks_for_information=True
    )
    breaches = sla_compliance(clocks=contract_clocks(world.ticket.contract)).breaches
    late = {breach.kind: format_duration(breach.late_by) for breach in breaches}
    assert late == {"response": "26 h 00 min", "resolution": "6 h 00 min"}

    for hours_later in (40, 70):
        time_machine.move_to(OPENED + timedelta(hours=hours_later), tick=False)
        login(client, world.user)
        page = client.get(
            reverse("web:ticket", args=[world.ticket.number]), HTTP_ACCEPT_LANGUAGE="en"
        ).text
        client.logout()
        response, resolution = clock_lines(page)
        assert "late by 26 h 00 min" in response
        assert "late by 6 h 00 min" in resolution
        assert "overdue" not in page


def test_the_dashboard_counts_down_to_the_next_due_time_after_a_late_first_reply(
    client, db, time_machine
):
    world = caracas_on_24x7()
    time_machine.move_to(OPENED + timedelta(hours=6), tick=False)
    ticket_agent_reply(world.ticket, by=world.agent, body="Revisamos el buzón.")
    time_machine.move_to(OPENED + timedelta(hours=8), tick=False)
    login(client, world.user)

    page = client.get(reverse("web:dashboard"), HTTP_ACCEPT_LANGUAGE="en").text

    # The first reply came 2 h late; the resolution is due in 16 h, not overdue.
    (sla,) = re.findall(r'data-testid="sla">(.*?)</td>', page)
    assert "due in 16 h" in sla
    assert "overdue" not in sla
    assert "breach" in sla  # the request did breach its SLA


def test_the_dashboard_says_a_breached_request_waiting_on_the_customer_is_paused(
    client, db, time_machine
):
    """Its clocks count nothing while the customer is asked for information: the dashboard
    said "overdue by" the days since a due time that no longer counts, growing every day."""
    world = caracas_on_24x7()
    time_machine.move_to(OPENED + timedelta(hours=30), tick=False)
    ticket_agent_reply(
        world.ticket, by=world.agent, body="¿Qué buzón falla?", asks_for_information=True
    )
    time_machine.move_to(OPENED + timedelta(days=33), tick=False)
    login(client, world.user)

    page = client.get(reverse("web:dashboard"), HTTP_ACCEPT_LANGUAGE="en").text

    (sla,) = re.findall(r'data-testid="sla">(.*?)</td>', page)
    assert '<span class="badge breach countdown">paused</span>' in sla
    (due,) = re.findall(r'data-testid="due">(.*?)</td>', page)
    assert due == "—"


def explanations(page: str) -> list[list[str]]:
    """Each clock's "how the due time is computed" lines."""
    blocks = re.findall(r"<details>.*?<ul class=\"plain\">(.*?)</ul>", page, flags=re.S)
    return [[unescape(line) for line in re.findall(r"<li>(.*?)</li>", block)] for block in blocks]


def test_the_due_times_explanation_reads_in_the_customers_zone_on_a_24x7_calendar_in_utc(
    client, db, time_machine
):
    world = caracas_on_24x7()
    time_machine.move_to(OPENED + timedelta(hours=1), tick=False)
    caracas = ZoneInfo("America/Caracas")
    dues = [clock.due_at for clock in subject_clocks(world.ticket.clock_subject)]

    for user, url in (
        (world.user, reverse("web:ticket", args=[world.ticket.number])),
        (world.agent, reverse("web:work", args=[world.ticket.number])),
    ):
        login(client, user)
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
        client.logout()

        # Tuesday 3 November 07:00 in Caracas is 11:00 UTC
        assert "Due: <strong>Tuesday 3 November, 07:00 (Caracas time)</strong>" in page
        shown = explanations(page)
        assert len(shown) == 2
        for lines, due in zip(shown, dues, strict=True):
            assert lines[0] == "Time zone: Caracas (UTC-04:00)"
            assert lines[-1] == f"Due {format_moment(due.astimezone(caracas), 'en')}"
            assert format_moment(due.astimezone(UTC), "en") not in "\n".join(lines)
