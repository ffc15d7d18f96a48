"""The portal reads as people speak (issue 19, Customers): dates in words in the customer's
zone, SLA countdowns, charts of credits and compliance per month from the selectors (and in
a fixed number of queries), tables that name each cell for the phone's cards."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contracts.models import Channel
from creditdesk.web.selectors import compliance_months, month_starts
from credits.selectors import credit_movements, credit_movements_by_period
from sla.selectors import sla_compliance_of_periods
from sla.services import clocks_start
from tests.factories import log_finished_work, make_contract
from tests.web.conftest import top_up
from tickets.models import Ticket
from tickets.selectors import contract_clocks, contract_compliance_of_periods
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_agent_reply, ticket_transition

pytestmark = pytest.mark.django_db

# A Tuesday at 10:00 in Bogotá, inside business hours.
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def _month_of_work(shop, at: datetime, tickets: int) -> None:
    """At `at`: a top-up, then `tickets` requests answered, worked 70 min (2 credits) and
    resolved in time, and one left open past its due times (breached)."""
    with time_machine.travel(at, tick=False):
        top_up(shop.customer, str(2 * tickets + 2))
        for index in range(tickets):
            ticket = ticket_open(
                channel=Channel.PORTAL, requester=shop.contact, subject=f"Caso {index}"
            ).ticket
            ticket_agent_reply(ticket, by=shop.agent, body="Revisando.")
            log_finished_work(ticket, by=shop.agent, minutes=70, started_at=at, note="Diagnóstico")
            ticket_transition(ticket, to_status=Ticket.Status.RESOLVED, by=shop.agent)
        ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Sin respuesta")


def _history(shop, tickets: int) -> None:
    for months_back in (3, 2, 1):
        start = NOW - timedelta(days=30 * months_back)
        _month_of_work(shop, start.replace(day=8, hour=15), tickets)


def test_credit_movements_by_period_match_credit_movements_period_by_period(shop):
    _history(shop, 2)
    bounds = [*month_starts(now=NOW, zone=shop.customer.time_zone_info, months=5), NOW]
    with CaptureQueriesContext(connection) as queries:
        months = credit_movements_by_period(customer_id=shop.customer.pk, bounds=bounds)
    assert len(queries) == 2
    assert months == [
        credit_movements(customer_id=shop.customer.pk, start=start, end=end)
        for start, end in pairwise(bounds)
    ]
    assert [month.consumed for month in months] == [0, 4, 4, 4, 0]
    assert months[-1].closing == shop.customer.credit_account.balance


def test_compliance_of_periods_matches_sla_compliance_month_by_month(shop):
    _history(shop, 2)
    reports = list(reversed(compliance_months(contract=shop.contract, now=NOW, months=4)))
    bounds = [*(report.start for report in reports), NOW]
    clocks = [
        contract_clocks(shop.contract, opened_from=start, opened_before=end)
        for start, end in pairwise(bounds)
    ]
    with CaptureQueriesContext(connection) as queries:
        periods = sla_compliance_of_periods(clocks=clocks)
    assert len(queries) == 1
    fields = ("tickets", "response_decided", "response_met", "resolution_decided")
    fields += ("resolution_met", "first_time_resolution_met")
    for period, report in zip(periods, reports, strict=True):
        for name in fields:
            assert getattr(period, name) == getattr(report.compliance.overall, name), name
    # September to November: two requests in time and one left unanswered; December: none.
    assert [period.tickets for period in periods] == [3, 3, 3, 0]
    assert periods[0].resolution_share == Decimal(1)
    assert periods[3].response_share is None


def test_a_contracts_compliance_read_compiled_once_follows_each_contract_and_period(shop):
    """`contract_compliance_of_periods` (the charts' read, compiled once per connection and
    number of periods) gives what `sla_compliance_of_periods` gives for the same clocks, for
    each contract and each set of bounds it is asked about."""
    _history(shop, 2)
    other = make_contract()
    zone = shop.customer.time_zone_info
    october = NOW - timedelta(days=40)
    for contract, now in ((shop.contract, NOW), (other, NOW), (shop.contract, october)):
        bounds = [*month_starts(now=now, zone=zone, months=4), now]
        clocks = [
            contract_clocks(contract, opened_from=start, opened_before=end)
            for start, end in pairwise(bounds)
        ]
        expected = sla_compliance_of_periods(clocks=clocks)
        with CaptureQueriesContext(connection) as queries:
            periods = contract_compliance_of_periods(contract, bounds)
        assert periods == expected
        assert len(queries) == 1
    assert [period.tickets for period in periods] == [0, 0, 3, 3]  # July to October


def test_a_contracts_clocks_are_its_tickets_joined_by_number(shop):
    """`contract_clocks` joins on the clocks' integer `subject_number`; a clock of another
    kind of subject that shares a ticket's number is not the ticket's."""
    _history(shop, 1)
    tickets = list(Ticket.objects.filter(contract=shop.contract))
    clock = contract_clocks(shop.contract).first()
    clocks_start(
        subject=f"more:{tickets[0].pk}",
        policy=clock.policy_version,
        priority=clock.priority,
        started_at=NOW,
    )

    subjects = contract_clocks(shop.contract).values_list("subject", flat=True)

    assert sorted(subjects) == sorted(
        ticket.clock_subject for ticket in tickets for _kind in ("response", "resolution")
    )
    # The "ticket:" prefix is no LIKE, which PostgreSQL's pattern index on the subject would
    # serve: ANDed into each ticket's lookup, without statistics, it read every clock per
    # ticket (over ten minutes for a month of 100,000 tickets).
    assert "LIKE" not in str(contract_clocks(shop.contract).query).upper()


@pytest.mark.postgres
def test_compliance_of_periods_reads_each_period_as_a_join_whatever_the_memory(shop):
    """A month of 100,000 tickets once took over half an hour: the periods' subject lists were
    a per-row SubPlan, hashed only while they fit in work_mem. Each period is now a
    semi-join, which PostgreSQL plans the same way however little memory it has, on the
    clocks' integer `subject_number`: no "ticket:<id>" string is built per ticket."""
    _history(shop, 1)
    months = list(reversed(compliance_months(contract=shop.contract, now=NOW, months=3)))
    bounds = [*(month.start for month in months), NOW]
    clocks = [
        contract_clocks(shop.contract, opened_from=start, opened_before=end)
        for start, end in pairwise(bounds)
    ]
    with CaptureQueriesContext(connection) as queries:
        sla_compliance_of_periods(clocks=clocks)
    (query,) = queries.captured_queries

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64kB'")
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "SubPlan" not in plan, plan
    assert plan.count("Semi Join") + plan.count("Nested Loop") >= len(clocks), plan
    assert plan.count("subject_number = ") >= len(clocks), plan
    assert "||" not in plan, plan


def _client(shop, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(shop.user)
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize(
    ("language", "due", "countdown"),
    [
        # Opened Tuesday 1 December 10:00 in Bogotá; P3 responds within 2 business hours.
        ("es", "martes 1 de diciembre, 12:00 (hora de Bogotá)", "vence en 1 h 30 min"),
        ("en", "Tuesday 1 December, 12:00 (Bogota time)", "due in 1 h 30 min"),
    ],
)
def test_dashboard_says_due_times_in_words_with_a_countdown(shop, language, due, countdown):
    top_up(shop.customer, "5")
    with time_machine.travel(NOW, tick=False):
        ticket = ticket_open(
            channel=Channel.PORTAL, requester=shop.contact, subject="Correo caído"
        ).ticket
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        page = _client(shop, language).get("/portal/").content.decode()
        detail = _client(shop, language).get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert due in page
    assert f'<span class="badge ok countdown">{countdown}</span>' in page
    # The ticket: opened in words, each clock's due time with its own countdown.
    opened = "martes 1 de diciembre, 10:00" if language == "es" else "Tuesday 1 December, 10:00"
    assert opened in detail
    assert countdown in detail


def test_a_paused_and_a_breached_ticket_read_as_such(shop):
    top_up(shop.customer, "8")
    with time_machine.travel(NOW, tick=False):
        waiting = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="A").ticket
        ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="B")
        ticket_agent_reply(waiting, by=shop.agent, body="¿Qué versión?", asks_for_information=True)
    with time_machine.travel(NOW + timedelta(hours=3, minutes=5), tick=False):
        page = _client(shop, "es").get("/portal/").content.decode()
    assert '<span class="badge paused countdown">pausado</span>' in page
    # B's first response was due at 12:00; it is 13:05.
    assert '<span class="badge breach countdown">vencido hace 1 h 5 min</span>' in page


def test_last_years_moments_carry_their_year(shop):
    with time_machine.travel(datetime(2025, 11, 3, 15, tzinfo=UTC), tick=False):
        top_up(shop.customer, "5")
    with time_machine.travel(NOW, tick=False):
        page = _client(shop, "es").get("/portal/credits/").content.decode()
    assert "lunes 3 de noviembre de 2025, 10:00" in page


def test_charts_show_on_the_dashboard_and_credits_page_in_both_languages(shop):
    _history(shop, 1)
    for language, minimum in (("es", "2,00"), ("en", "2.00")):
        with time_machine.travel(NOW, tick=False):
            dashboard = _client(shop, language).get("/portal/").content.decode()
            credits_page = _client(shop, language).get("/portal/credits/").content.decode()
        for html in (dashboard, credits_page):
            assert 'data-testid="balance-chart"' in html
            assert re.search(rf"<text [^>]*>[^<]*: {re.escape(minimum)}</text>", html)
        assert 'data-testid="compliance-chart"' in dashboard
        assert 'data-testid="compliance-chart"' not in credits_page


def test_an_included_support_customer_sees_no_credit_chart(shop):
    from contracts.models import Plan

    Plan.objects.filter(pk=shop.contract.plan_id).update(support_model=Plan.SupportModel.INCLUDED)
    page = _client(shop, "es").get("/portal/credits/").content.decode()
    assert 'data-testid="balance-chart"' not in page


def assert_cells_labelled(html: str, where: str) -> None:
    """Every body cell of the page's stacked tables names its column (a colspan row of "none"
    needs no label), and there is at least one such cell."""
    for table in re.findall(r'<table class="stack".*?</table>', html, re.S):
        body = table[table.index("<tbody>") :]
        cells = re.findall(r"<td(?![^>]*colspan)[^>]*>", body)
        assert cells, where
        assert all("data-label=" in cell for cell in cells), (where, cells[:3])


def test_table_cells_name_their_column_for_the_phone_cards(shop):
    _history(shop, 1)
    with time_machine.travel(NOW, tick=False):
        client = _client(shop, "es")
        for url in ("/portal/", "/portal/credits/"):
            assert_cells_labelled(client.get(url).content.decode(), url)


PORTAL_PAGES = ["/portal/", "/portal/credits/", "/portal/invoices/"]


def _counts(client: Client, extra: list[str]) -> dict[str, int]:
    counts = {}
    for url in [*PORTAL_PAGES, *extra]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


def test_portal_pages_cost_the_same_queries_for_little_and_much_history(shop):
    _history(shop, 1)
    client = _client(shop, "es")
    first = Ticket.objects.order_by("pk").first()
    extra = [f"/portal/tickets/{first.number}/"]
    with time_machine.travel(NOW, tick=False):
        little = _counts(client, extra)
    _history(shop, 6)
    assert Ticket.objects.filter(customer=shop.customer).count() > 20
    with time_machine.travel(NOW, tick=False):
        much = _counts(client, extra)
    assert much == little
