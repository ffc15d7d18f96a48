"""The SLA compliance report: data from sla_compliance, PDF with the chart, CSV of the same."""

import csv
import io
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils.dateparse import parse_datetime
from pypdf import PdfReader

from contracts.models import Channel
from creditdesk.reports.data import month_bounds, sla_report_data
from creditdesk.reports.rendering import (
    WORST_BREACHES_ON_PAPER,
    _minutes,
    compliance_chart_svg,
    sla_report_csv,
    sla_report_pdf,
    worst_breaches,
)
from creditdesk.web.charts import compliance_chart
from credits.selectors import ledger_entry_list
from credits.services import credit_account_get_or_create, credits_top_up
from sla.models import SlaClock
from sla.selectors import Breach, sla_compliance
from tests.factories import make_portal_user
from tickets.services import lifecycle
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db


def at(text: str):
    return parse_datetime(text)


@pytest.fixture
def month(contract, requester, agent):
    """November 2026 for a contract on seed 001's business hours (Bogota, 08:00-16:30):
    ticket 1 answered and resolved on time; ticket 2 answered 3 h late (P2-like 1 h target
    or so) and resolved late; ticket 3, the next week, answered at once and left open;
    a ticket opened in December is outside the period. 10 credits before, 4 topped up in it."""
    account = credit_account_get_or_create(customer=contract.customer)
    opened = []

    def open_at(when: str, subject: str, **kwargs):
        with time_machine.travel(at(when), tick=False):
            result = ticket_open(
                channel=Channel.PORTAL, subject=subject, requester=requester, **kwargs
            )
        assert result.accepted, result
        opened.append(result.ticket)
        return result.ticket

    def act(when: str, action, ticket, **kwargs):
        with time_machine.travel(at(when), tick=False):
            action(ticket, by=agent, **kwargs)
            ticket.refresh_from_db()

    with time_machine.travel(at("2026-10-30T15:00:00Z"), tick=False):
        credits_top_up(account=account, credits=Decimal("10"))
    first = open_at("2026-11-17T14:00:00Z", "Correo caído", impact="high", urgency="high")
    act("2026-11-17T14:10:00Z", lifecycle.ticket_agent_reply, first, body="Revisando")
    act("2026-11-17T15:00:00Z", lifecycle.ticket_resolve, first)
    second = open_at("2026-11-18T14:00:00Z", "VPN lenta", impact="medium", urgency="medium")
    act("2026-11-18T19:00:00Z", lifecycle.ticket_agent_reply, second, body="Hola")
    act("2026-11-20T15:00:00Z", lifecycle.ticket_resolve, second)
    with time_machine.travel(at("2026-11-23T15:00:00Z"), tick=False):
        credits_top_up(account=account, credits=Decimal("4"))
    third = open_at("2026-11-24T14:00:00Z", "Nueva cuenta", impact="low", urgency="low")
    act("2026-11-24T14:05:00Z", lifecycle.ticket_agent_reply, third, body="Listo pronto")
    open_at("2026-12-01T14:00:00Z", "Fuera del periodo", impact="low", urgency="low")
    return opened


@pytest.fixture
def report(month, contract):
    return sla_report_data(contract=contract, period_start=date(2026, 11, 1))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(minutes=10), "10"),
        (timedelta(seconds=90), "1.5"),
        (timedelta(0), "0"),
        (None, ""),
    ],
)
def test_minutes_in_the_csv(value, text):
    assert _minutes(value) == text


def test_month_bounds():
    assert month_bounds("2026-11") == (date(2026, 11, 1), date(2026, 11, 30))
    assert month_bounds(date(2028, 2, 10)) == (date(2028, 2, 1), date(2028, 2, 29))


def test_the_figures_are_sla_compliance_of_the_periods_tickets(report, month):
    in_period = [ticket.clock_subject for ticket in month[:3]]

    expected = sla_compliance(clocks=SlaClock.objects.filter(subject__in=in_period))

    assert report.compliance == expected
    assert report.compliance.overall.tickets == 3
    labels = {breach.label for breach in report.compliance.breaches}
    assert month[1].number in labels
    assert labels <= {ticket.number for ticket in month[:3]}
    assert report.period_start == date(2026, 11, 1)
    assert report.period_end == date(2026, 11, 30)
    assert [row.priority for row in report.targets] == ["p1", "p2", "p3", "p4", "planned"]


def test_weeks_cover_the_period_and_use_sla_compliance_per_week(report, month):
    starts = [(week.starts_on, week.ends_on) for week in report.weeks]

    assert starts[0] == (date(2026, 11, 1), date(2026, 11, 1))  # a Sunday
    assert starts[1] == (date(2026, 11, 2), date(2026, 11, 8))
    assert starts[-1] == (date(2026, 11, 30), date(2026, 11, 30))
    by_start = {week.starts_on: week.compliance for week in report.weeks}
    third_week = SlaClock.objects.filter(subject__in=[t.clock_subject for t in month[:2]])
    expected = sla_compliance(clocks=third_week).overall
    # Counts and shares as sla_compliance gives them; no medians by week.
    counts = ("tickets", "response_decided", "response_met", "resolution_decided")
    for name in (*counts, "resolution_met", "first_time_resolution_met"):
        assert getattr(by_start[date(2026, 11, 16)], name) == getattr(expected, name)
    assert by_start[date(2026, 11, 16)].response_share == expected.response_share
    assert by_start[date(2026, 11, 16)].response_median is None
    assert by_start[date(2026, 11, 23)].tickets == 1
    assert by_start[date(2026, 11, 2)].tickets == 0


def test_credits_opening_consumed_and_closing_come_from_the_ledger(report, contract):
    entries = list(ledger_entry_list(account=contract.customer.credit_account))
    november = [e for e in entries if e.created_at.date() >= date(2026, 11, 1)]
    november = [e for e in november if e.created_at.date() <= date(2026, 11, 30)]
    credits = report.credits

    assert credits.opening == Decimal("10")
    assert credits.added == Decimal("4")
    assert credits.consumed == -sum(
        (e.credits for e in november if e.kind in ("charge", "no_show")), Decimal("0")
    )
    assert credits.consumed > 0
    assert credits.closing == credits.opening + credits.added - credits.consumed + credits.other
    last_in_november = max(november, key=lambda e: e.sequence)
    assert credits.closing == last_in_november.balance_after


@pytest.fixture
def pdf_text(report):
    reader = PdfReader(io.BytesIO(sla_report_pdf(report, language="es")))
    return [page.extract_text() for page in reader.pages]


def test_the_pdf_shows_plan_figures_chart_breaches_and_credits(report, pdf_text, month):
    text = "\n".join(pdf_text)
    overall = report.compliance.overall
    breach = report.compliance.breaches[0]

    assert "Informe de cumplimiento de SLA" in text
    assert report.contract.plan.name in text
    assert "1 de noviembre de 2026 a 30 de noviembre de 2026" in text
    assert "Objetivos del plan" in text
    assert f"{overall.response_met}/{overall.response_decided}" in text
    share = f"{overall.response_share * 100:.1f}".replace(".", ",")
    assert f"{share} %" in text
    minutes = int(overall.response_median.total_seconds() // 60)
    assert f"{minutes // 60} h {minutes % 60:02d} min" in text
    # The chart: its title, axis and week labels are SVG text drawn into the page.
    assert "Cumplimiento por semana" in text
    assert "100 %" in text
    assert "16 nov" in text
    for row in report.compliance.breaches:
        assert row.label in text
    late = int(breach.late_by.total_seconds() // 60) if breach.late_by else None
    if late is not None:
        assert f"{late // 60} h {late % 60:02d} min" in text
    assert "Saldo inicial" in text
    assert "10,00" in text
    assert f"Página 1 de {len(pdf_text)}" in pdf_text[0]


@pytest.mark.parametrize(("target", "written"), [("85", "85 %"), ("99.95", "99,95 %")])
def test_the_pdf_shows_the_plans_compliance_target_in_figures_and_chart(report, target, written):
    """As the plan states it: 99.95 % (a common promise) never reads as a rounded "100 %"."""
    plan = report.contract.plan
    plan.sla_compliance_target = Decimal(target)
    plan.save(update_fields=["sla_compliance_target"])
    reader = PdfReader(io.BytesIO(sla_report_pdf(report, language="es")))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert f"Objetivo de cumplimiento {written}" in text
    assert f"Objetivo: {written}" in text  # the chart's dashed line, named in its legend
    svg = compliance_chart_svg(report.weeks, language="en", target=Decimal("0.85"))
    assert 'data-target="compliance"' in svg
    assert "Target: 85%" in svg or "Target: 85 %" in svg


def test_the_english_pdf_differs_in_labels(report):
    reader = PdfReader(io.BytesIO(sla_report_pdf(report, language="en")))
    text = "\n".join(page.extract_text() for page in reader.pages)

    assert "SLA compliance report" in text
    assert "Compliance by week" in text
    assert "Opening balance" in text
    assert "Page 1 of" in text
    assert "P1 Critical" in text
    assert "Agreed / planned" in text
    assert "Crítica" not in text


def test_the_chart_is_svg_with_one_bar_per_decided_share(report):
    svg = compliance_chart_svg(report.weeks)

    decided = sum(
        (week.compliance.response_share is not None)
        + (week.compliance.resolution_share is not None)
        for week in report.weeks
    )
    assert svg.startswith("<svg")
    # Bars plus the two legend squares.
    assert svg.count("<rect") == decided + 2


def test_the_csv_has_the_same_figures(report, month):
    rows = list(csv.DictReader(io.StringIO(sla_report_csv(report))))
    value = {(r["section"], r["key"], r["priority"], r["metric"]): r["value"] for r in rows}
    overall = report.compliance.overall

    assert value[("compliance", "", "all", "tickets")] == "3"
    assert value[("compliance", "", "all", "response_met")] == str(overall.response_met)
    assert Decimal(value[("compliance", "", "all", "response_share")]) == overall.response_share
    median = Decimal(value[("compliance", "", "all", "response_median_minutes")])
    assert timedelta(minutes=float(median)) == overall.response_median
    for group in report.compliance.by_priority:
        assert value[("compliance", "", group.priority, "tickets")] == str(group.tickets)
    breach = report.compliance.breaches[0]
    assert value[("breach", breach.label, breach.priority, "kind")] == breach.kind
    assert value[("credits", "", "", "opening")] == "10.00"
    assert Decimal(value[("credits", "", "", "closing")]) == report.credits.closing
    week_keys = {r["key"] for r in rows if r["section"] == "week"}
    assert len(week_keys) == len(report.weeks)


def test_the_csv_neutralizes_text_a_spreadsheet_would_run(report, contract):
    contract.customer.legal_name = "=cmd|' /C calc'!A0"
    contract.customer.save(update_fields=["legal_name"])
    report = sla_report_data(contract=contract, period_start=date(2026, 11, 1))

    rows = list(csv.DictReader(io.StringIO(sla_report_csv(report))))

    value = {(r["section"], r["metric"]): r["value"] for r in rows}
    assert value[("report", "customer")] == "'=cmd|' /C calc'!A0"
    assert value[("credits", "opening")] == "10.00"
    assert not any(r["value"].startswith(("=", "+", "@")) for r in rows)


def _breach(n: int, *, late_minutes: int | None, due: str = "2026-11-20T15:00:00Z") -> Breach:
    return Breach(
        subject=f"ticket:{n}",
        label=f"T-2026-{n:06d}",
        kind="resolution",
        priority="p3",
        due_at=at(due),
        stopped_at=None if late_minutes is None else at(due) + timedelta(hours=9),
        late_by=None if late_minutes is None else timedelta(minutes=late_minutes),
    )


def test_the_pdf_lists_the_worst_breaches_and_sends_the_rest_to_the_csv(report):
    # Fourteen breaches: twelve closed, late by 1 to 12 hours, and two still open since
    # November 28th and 2nd, counted late until the end of the period.
    many = [_breach(n, late_minutes=60 * n) for n in range(1, 13)]
    many += [
        _breach(90, late_minutes=None, due="2026-11-28T15:00:00Z"),
        _breach(91, late_minutes=None, due="2026-11-02T15:00:00Z"),
    ]
    crowded = replace(report, compliance=replace(report.compliance, breaches=many))

    worst = worst_breaches(crowded)
    with time_machine.travel(at("2026-12-03T12:00:00Z"), tick=False):
        text = "\n".join(
            page.extract_text()
            for page in PdfReader(io.BytesIO(sla_report_pdf(crowded, language="es"))).pages
        )
    rows = list(csv.DictReader(io.StringIO(sla_report_csv(crowded))))

    assert len(worst) == WORST_BREACHES_ON_PAPER == 10
    # Open since November 2nd: 28 days late by the period's end, the worst of all.
    assert worst[0].label == "T-2026-000091"
    assert [b.label for b in worst[1:4]] == ["T-2026-000090", "T-2026-000012", "T-2026-000011"]
    assert "14 objetivos incumplidos en el periodo; aquí los 10 de mayor retraso" in text
    assert "T-2026-000012" in text
    assert "T-2026-000003" not in text  # the eleventh-worst stays off paper
    breach_keys = {row["key"] for row in rows if row["section"] == "breach"}
    assert len(breach_keys) == 14


def test_the_portal_serves_the_report_as_pdf_and_as_csv(client, report, requester):
    client.force_login(make_portal_user(requester))

    pdf = client.get("/portal/sla-reports/2026-11/pdf/")
    csv_response = client.get("/portal/sla-reports/2026-11/csv/")

    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert csv_response.status_code == 200
    assert csv_response["Content-Disposition"] == 'attachment; filename="sla-2026-11.csv"'
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode())))
    assert {"report", "compliance", "week"} <= {row["section"] for row in rows}
    assert client.get("/portal/sla-reports/1800-01/csv/").status_code == 404


def test_the_reports_and_invoices_download_only_on_get(client, report, requester):
    """A download reads; a POST to one is refused, not answered with a freshly rendered PDF."""
    client.force_login(make_portal_user(requester))

    for path in ["/portal/sla-reports/2026-11/pdf/", "/portal/sla-reports/2026-11/csv/"]:
        assert client.post(path).status_code == 405
        assert client.head(path).status_code == 200
    assert client.post("/portal/invoices/1/pdf/").status_code == 405


def test_a_target_with_decimals_reads_as_the_plan_states_it_in_the_charts(report):
    """The report's chart in English and the portal's chart: 92.5 is not "92 %" (nor 99.95
    "100 %")."""
    english = compliance_chart_svg(report.weeks, language="en", target=Decimal("0.925"))
    assert "Target: 92.5%" in english or "Target: 92.5 %" in english
    portal = compliance_chart(
        month_starts=[date(2026, 11, 1)],
        response=[Decimal("1")],
        resolution=[None],
        target=Decimal("0.9995"),
        language="es",
    )
    assert portal.reference_text == "99,95 %"
