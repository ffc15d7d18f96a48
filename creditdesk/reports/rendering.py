"""The SLA compliance report as people read it (a PDF in the reader's language, with a weekly
chart) and as machines read it (a CSV, one figure per row); both only render
`creditdesk.reports.data.SlaReport`."""

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.core import Locale
from django.template.loader import render_to_string
from django.utils import timezone, translation

from billing.pdf import html_to_pdf
from core.formatting import (
    document_locale,
    format_credits,
    format_date,
    format_duration,
    format_share,
    format_target,
)
from core.languages import language_code
from core.spreadsheets import spreadsheet_safe
from creditdesk.reports.data import SlaReport, Week
from sla.choices import Priority
from sla.selectors import Breach, GroupCompliance
from tickets.models import Outcome

LABELS = {
    "es": {
        "title": "Informe de cumplimiento de SLA",
        "customer": "Cliente",
        "plan": "Plan",
        "policy": "Política de SLA",
        "compliance_target": "Objetivo de cumplimiento",
        "period": "Periodo",
        "to": "a",
        "targets": "Objetivos del plan",
        "priority": "Prioridad",
        "response_target": "Primera respuesta",
        "resolution_target": "Resolución",
        "business": "hábiles",
        "always": "24x7",
        "none": "sin objetivo",
        "by_priority": "Solicitudes por prioridad",
        "all": "Todas",
        "tickets": "Solicitudes",
        "response_met": "Respuesta a tiempo",
        "resolution_met": "Resolución a tiempo",
        "median": "Mediana",
        "p90": "P90",
        "response": "respuesta",
        "resolution": "resolución",
        "chart": "Cumplimiento por semana",
        "week": "Semana",
        "breaches": "Incumplimientos",
        "no_breaches": "Ningún objetivo incumplido en el periodo.",
        "breaches_note": "{count} objetivos incumplidos en el periodo; aquí los {shown} de mayor"
        " retraso. Todos están en el CSV del informe.",
        "ticket": "Solicitud",
        "clock": "Objetivo",
        "due_at": "Vencía",
        "late_by": "Retraso",
        "still_open": "aún abierta",
        "credits": "Créditos",
        "outcomes": "Resultado de las solicitudes resueltas",
        "outcome_month": "Mes",
        "outcome_total": "Total",
        "outcome_labels": {
            "solved": "Resuelta",
            "advice": "Asesoría",
            "out_of_scope": "Fuera de alcance",
            "quote": "Presupuesto",
        },
        "opening": "Saldo inicial",
        "added": "Recargados",
        "consumed": "Consumidos",
        "other": "Otros movimientos",
        "closing": "Saldo final",
        "activations": "Activación de productos",
        "activations_line": "{activated} productos activados en el periodo; {on_time} a tiempo"
        " ({share}).",
        "page": "Página",
        "of": "de",
        "times_note": "Tiempos en horario hábil del calendario de la política; fechas en {zone}.",
    },
    "en": {
        "title": "SLA compliance report",
        "customer": "Customer",
        "plan": "Plan",
        "policy": "SLA policy",
        "compliance_target": "Compliance target",
        "period": "Period",
        "to": "to",
        "targets": "Plan targets",
        "priority": "Priority",
        "response_target": "First response",
        "resolution_target": "Resolution",
        "business": "business",
        "always": "24x7",
        "none": "no target",
        "by_priority": "Requests by priority",
        "all": "All",
        "tickets": "Requests",
        "response_met": "Response on time",
        "resolution_met": "Resolution on time",
        "median": "Median",
        "p90": "P90",
        "response": "response",
        "resolution": "resolution",
        "chart": "Compliance by week",
        "week": "Week",
        "breaches": "Breaches",
        "no_breaches": "No target was missed in the period.",
        "breaches_note": "{count} targets missed in the period; the {shown} latest are listed"
        " here. All of them are in the report's CSV.",
        "ticket": "Request",
        "clock": "Target",
        "due_at": "Was due",
        "late_by": "Late by",
        "still_open": "still open",
        "credits": "Credits",
        "outcomes": "Outcome of resolved requests",
        "outcome_month": "Month",
        "outcome_total": "Total",
        "outcome_labels": {
            "solved": "Solved",
            "advice": "Advice",
            "out_of_scope": "Out of scope",
            "quote": "Quote",
        },
        "opening": "Opening balance",
        "added": "Added",
        "consumed": "Consumed",
        "other": "Other movements",
        "closing": "Closing balance",
        "activations": "Product activation",
        "activations_line": "{activated} products activated in the period; {on_time} on time"
        " ({share}).",
        "page": "Page",
        "of": "of",
        "times_note": "Times in business hours of the policy's calendar; dates in {zone}.",
    },
}


def _duration(value: timedelta | None) -> str:
    return "-" if value is None else format_duration(value)


def _priority(value: str | None, language: str, labels: dict) -> str:
    if value is None:
        return labels["all"]
    with translation.override(language):
        return str(Priority(value).label)


def _group_row(group: GroupCompliance, language: str, labels: dict, locale: Locale) -> dict:
    return {
        "priority": _priority(group.priority, language, labels),
        "tickets": group.tickets,
        "response_share": format_share(group.response_share, locale=locale),
        "response_met": f"{group.response_met}/{group.response_decided}",
        "resolution_share": format_share(group.resolution_share, locale=locale),
        "resolution_met": f"{group.resolution_met}/{group.resolution_decided}",
        "response_median": _duration(group.response_median),
        "response_p90": _duration(group.response_p90),
        "resolution_median": _duration(group.resolution_median),
        "resolution_p90": _duration(group.resolution_p90),
    }


def compliance_chart_svg(
    weeks: list[Week],
    *,
    language: str = "es",
    country: str = "",
    target: Decimal | None = None,
) -> str:
    """A bar chart of the response and resolution shares met per week, as SVG markup; a week
    without decided targets has no bar. `target` (a share, the plan's compliance target) is
    a dashed line across the plot, named in the legend above it."""
    labels = LABELS[language_code(language)]
    locale = document_locale(language_code(language), country)
    width, height, left, bottom, top = 480, 190, 44, 34, 26
    plot_height = height - bottom - top
    slot = (width - left - 10) / max(len(weeks), 1)
    bar = min(slot / 3, 28)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans" font-size="9">'
    ]
    for percent in (0, 25, 50, 75, 100):
        y = top + plot_height * (1 - percent / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#d9d9d9"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{percent} %</text>'
        )
    for index, week in enumerate(weeks):
        x = left + slot * index + slot / 2 - bar
        for offset, (share, colour) in enumerate(
            (
                (week.compliance.response_share, "#1f4e79"),
                (week.compliance.resolution_share, "#7aa6d6"),
            )
        ):
            if share is None:
                continue
            bar_height = float(share) * plot_height
            parts.append(
                f'<rect x="{x + offset * bar:.1f}" y="{top + plot_height - bar_height:.1f}" '
                f'width="{bar - 2:.1f}" height="{bar_height:.1f}" fill="{colour}"/>'
            )
        label = format_date(week.starts_on, locale=locale, pattern="d MMM")
        parts.append(
            f'<text x="{left + slot * index + slot / 2:.1f}" y="{height - bottom + 14}" '
            f'text-anchor="middle">{label}</text>'
        )
    parts.append(
        f'<rect x="{left}" y="6" width="9" height="9" fill="#1f4e79"/>'
        f'<text x="{left + 13}" y="14">{labels["response_met"]}</text>'
        f'<rect x="{left + 150}" y="6" width="9" height="9" fill="#7aa6d6"/>'
        f'<text x="{left + 163}" y="14">{labels["resolution_met"]}</text>'
    )
    if target is not None:
        y = top + plot_height * (1 - float(target))
        text = format_target(target, locale=locale)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#b00020" '
            f'stroke-width="1.2" stroke-dasharray="5 3" data-target="compliance"/>'
            f'<line x1="{left + 300}" y1="10.5" x2="{left + 318}" y2="10.5" stroke="#b00020" '
            f'stroke-width="1.2" stroke-dasharray="5 3"/>'
            f'<text x="{left + 322}" y="14" fill="#b00020">{labels["clock"]}: {text}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# The paper report is read by an account manager and the customer's manager: the figures,
# the chart and the breaches worth a conversation. A month with hundreds of breaches made a
# 30-page PDF nobody reads (and most of its rendering time); the full list is the CSV's.
WORST_BREACHES_ON_PAPER = 10


def worst_breaches(report: SlaReport) -> list[Breach]:
    """The breaches the PDF lists: the latest first, a breach still open counted late until
    the end of the period (or now, if sooner)."""
    zone = ZoneInfo(report.time_zone)
    period_end = datetime.combine(report.period_end + timedelta(days=1), time(0), tzinfo=zone)
    until = min(period_end, timezone.now())

    def lateness(breach: Breach) -> timedelta:
        if breach.late_by is not None:
            return breach.late_by
        return until - breach.due_at if breach.due_at else timedelta(0)

    return sorted(report.compliance.breaches, key=lateness, reverse=True)[:WORST_BREACHES_ON_PAPER]


def _context(report: SlaReport, language: str) -> dict:
    labels = LABELS[language]
    locale = document_locale(language, report.contract.customer.country)
    zone = ZoneInfo(report.time_zone)
    contract = report.contract

    def day(value: date) -> str:
        return format_date(value, locale=locale)

    def target(value: timedelta | None, measure: str) -> str:
        if value is None:
            return labels["none"]
        return f"{_duration(value)} {labels['always' if measure == 'always' else 'business']}"

    credits = report.credits
    return {
        "language": language,
        "labels": labels,
        "customer": contract.customer.legal_name,
        "plan": contract.plan.name,
        "policy": report.policy_name,
        "period": f"{day(report.period_start)} {labels['to']} {day(report.period_end)}",
        "times_note": labels["times_note"].format(zone=report.time_zone),
        "targets": [
            {
                "priority": _priority(row.priority, language, labels),
                "first_response": target(row.first_response, row.measure),
                "resolution": target(row.resolution, row.measure),
            }
            for row in report.targets
        ],
        "groups": [
            _group_row(group, language, labels, locale) for group in report.compliance.by_priority
        ],
        "overall": _group_row(report.compliance.overall, language, labels, locale),
        "compliance_target": format_target(contract.plan.sla_compliance_share, locale=locale),
        "chart": compliance_chart_svg(
            report.weeks,
            language=language,
            country=contract.customer.country,
            target=contract.plan.sla_compliance_share,
        ),
        "breaches": [
            {
                "ticket": breach.label or breach.subject,
                "priority": _priority(breach.priority, language, labels),
                "kind": labels[breach.kind],
                "due_at": breach.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                if breach.due_at
                else "-",
                "late_by": _duration(breach.late_by)
                if breach.late_by is not None
                else labels["still_open"],
            }
            for breach in worst_breaches(report)
        ],
        "breaches_note": (
            labels["breaches_note"].format(
                count=len(report.compliance.breaches), shown=WORST_BREACHES_ON_PAPER
            )
            if len(report.compliance.breaches) > WORST_BREACHES_ON_PAPER
            else ""
        ),
        "credits": [
            (labels[name], format_credits(getattr(credits, name), locale=locale))
            for name in ("opening", "added", "consumed", "other", "closing")
        ]
        if credits is not None
        else [],
        "activations": labels["activations_line"].format(
            activated=report.activations.activated,
            on_time=report.activations.on_time,
            share=format_share(report.activations.share, locale=locale),
        )
        if report.activations is not None and report.activations.activated
        else "",
        "outcome_names": [labels["outcome_labels"][value] for value in Outcome.values],
        "outcomes": [
            {
                "month": format_date(month.month, locale=locale, pattern="MMMM y"),
                "counts": [count for _value, _label, count in month.rows()],
                "total": month.total,
            }
            for month in report.outcomes
        ],
    }


def sla_report_html(report: SlaReport, *, language: str | None = None) -> str:
    """The report's page, in `language` (default: the customer's), as WeasyPrint prints it."""
    language = language_code(language or report.contract.customer.language)
    return render_to_string("reports/sla_report.html", _context(report, language))


def sla_report_pdf(report: SlaReport, *, language: str | None = None) -> bytes:
    """The report as PDF, in `language` (default: the customer's)."""
    return html_to_pdf(sla_report_html(report, language=language))


CSV_COLUMNS = ("section", "key", "priority", "metric", "value")


def sla_report_csv(report: SlaReport) -> str:
    """The same data as CSV, one figure per row, machine-readable (ISO dates, minutes,
    shares as decimals 0-1): section, key, priority, metric, value."""
    out = io.StringIO()
    writer = _SafeWriter(csv.writer(out))
    writer.writerow(CSV_COLUMNS)
    contract = report.contract
    for metric, value in (
        ("customer", contract.customer.legal_name),
        ("plan", contract.plan.name),
        ("policy", report.policy_name),
        ("period_start", report.period_start.isoformat()),
        ("period_end", report.period_end.isoformat()),
        ("time_zone", report.time_zone),
    ):
        writer.writerow(("report", "", "", metric, value))
    for row in report.targets:
        writer.writerow(
            ("target", "", row.priority, "first_response_minutes", _minutes(row.first_response))
        )
        writer.writerow(
            ("target", "", row.priority, "resolution_minutes", _minutes(row.resolution))
        )
        writer.writerow(("target", "", row.priority, "measure", row.measure))
    for group in [*report.compliance.by_priority, report.compliance.overall]:
        for metric, value in _group_figures(group):
            writer.writerow(("compliance", "", group.priority or "all", metric, value))
    for week in report.weeks:
        key = f"{week.starts_on.isoformat()}/{week.ends_on.isoformat()}"
        for metric, value in _group_figures(week.compliance):
            writer.writerow(("week", key, "all", metric, value))
    for breach in report.compliance.breaches:
        key = breach.label or breach.subject
        writer.writerow(("breach", key, breach.priority, "kind", breach.kind))
        writer.writerow(
            (
                "breach",
                key,
                breach.priority,
                "due_at",
                breach.due_at.isoformat() if breach.due_at else "",
            )
        )
        writer.writerow(
            ("breach", key, breach.priority, "late_by_minutes", _minutes(breach.late_by))
        )
    credits = report.credits
    for name in ("opening", "added", "consumed", "other", "closing") if credits else ():
        writer.writerow(("credits", "", "", name, format(getattr(credits, name), "f")))
    activations = report.activations
    if activations is not None and activations.activated:
        writer.writerow(("activations", "", "", "activated", str(activations.activated)))
        writer.writerow(("activations", "", "", "on_time", str(activations.on_time)))
        writer.writerow(("activations", "", "", "on_time_share", f"{activations.share:.4f}"))
    return out.getvalue()


class _SafeWriter:
    """csv.writer whose text cells (names, subjects, labels) never run as a formula; the
    figures are decimals written by this module, so only a leading minus is left alone."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def writerow(self, row: tuple[str, ...]) -> None:
        self.writer.writerow([_safe(cell) for cell in row])


_FIGURE = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _safe(cell: str) -> str:
    return cell if _FIGURE.fullmatch(cell) else spreadsheet_safe(cell)


def _minutes(value: timedelta | None) -> str:
    if value is None:
        return ""
    text = format(Decimal(str(value.total_seconds())) / 60, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _group_figures(group: GroupCompliance) -> list[tuple[str, str]]:
    rows = []
    for figure, value in group.figures():
        if figure.kind == "duration":
            rows.append((f"{figure.name}_minutes", _minutes(value)))
        elif figure.kind == "share":
            rows.append((figure.name, "" if value is None else format(value, "f")))
        else:
            rows.append((figure.name, str(value)))
    return rows
