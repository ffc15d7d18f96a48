"""`manage.py render_samples OUT`: sample documents as PDFs, for a person to look at.

Writes a short invoice, a long invoice (200 lines by default), a credit note and a monthly
SLA compliance report, each in Spanish and in English, into OUT. The sample data goes
through the services (customer, contract, SLA policy, tickets answered and resolved at
fixed moments of November 2026, invoices issued in December) inside one transaction that
is rolled back once the PDFs are written, so no row is left behind in any database;
`scripts/render_samples.sh` also points it at a throwaway SQLite file. Lives in the project
package because it uses billing and tickets, which may not import each other.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from djmoney.money import Money

from contracts.models import Channel, Contact, Customer, Plan
from sla.choices import Impact, Urgency

LANGUAGES = ("es", "en")
ZONE = ZoneInfo("America/Bogota")
REPORT_MONTH = date(2026, 11, 1)
ISSUE_MOMENT = datetime(2026, 12, 3, 10, 0, tzinfo=ZONE)


class _Rollback(Exception):
    """Raised after the PDFs are written so the sample rows are rolled back."""


@dataclass(frozen=True)
class TicketStory:
    """One request of the sample month: opened on a day at a local hour, first answered
    and resolved that many business-ish minutes later (some late on purpose)."""

    day: int
    hour: int
    impact: str
    urgency: str
    subject: str
    answer_after: int
    resolve_after: int | None
    work_minutes: int


STORIES = (
    TicketStory(3, 9, Impact.HIGH, Urgency.HIGH, "Caída del correo corporativo", 10, 150, 95),
    TicketStory(4, 10, Impact.MEDIUM, Urgency.MEDIUM, "VPN lenta desde la sede norte", 45, 300, 60),
    TicketStory(5, 14, Impact.LOW, Urgency.LOW, "Alta de un usuario nuevo", 200, 600, 20),
    TicketStory(
        10, 8, Impact.HIGH, Urgency.MEDIUM, "Sitio web responde con error 502", 95, 900, 120
    ),
    TicketStory(11, 11, Impact.MEDIUM, Urgency.LOW, "Certificado SSL por vencer", 30, 240, 35),
    TicketStory(13, 15, Impact.LOW, Urgency.MEDIUM, "Copia de seguridad incompleta", 20, 2400, 50),
    TicketStory(18, 9, Impact.HIGH, Urgency.HIGH, "Servidor de base de datos sin disco", 5, 90, 75),
    TicketStory(
        19, 13, Impact.MEDIUM, Urgency.MEDIUM, "Impresora de recepción sin red", 70, 480, 30
    ),
    TicketStory(24, 10, Impact.LOW, Urgency.LOW, "Cambio de contraseña del wifi", 15, 120, 15),
    TicketStory(25, 9, Impact.MEDIUM, Urgency.HIGH, "Correo rebota a un dominio", 25, None, 0),
    TicketStory(26, 16, Impact.LOW, Urgency.LOW, "Licencia de ofimática vencida", 360, None, 0),
    TicketStory(
        27, 11, Impact.HIGH, Urgency.MEDIUM, "Firewall bloquea la pasarela de pago", 40, 200, 80
    ),
)


class Command(BaseCommand):
    help = "Sample invoice, long invoice, credit note and SLA report PDFs (es, en) into OUT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", type=Path, help="folder for the PDFs (created if needed)")
        parser.add_argument("--lines", type=int, default=200, help="lines of the long invoice")
        parser.add_argument(
            "--tickets",
            type=int,
            default=len(STORIES),
            help=f"requests in the SLA report's month (at most {len(STORIES)})",
        )

    def handle(self, *args, output: Path, lines: int, tickets: int, **options) -> None:
        try:
            import time_machine  # noqa: F401
        except ImportError as error:  # pragma: no cover - only without the dev group
            raise CommandError(
                "render_samples needs time-machine: run it with `uv run`."
            ) from error
        if lines < 1 or not 1 <= tickets <= len(STORIES):
            raise CommandError(f"--lines must be at least 1, --tickets 1 to {len(STORIES)}")
        output.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        # The sample customer's addresses are fictitious: acknowledgements stay in memory
        # (and are never sent anyway, the transaction is rolled back before on_commit).
        try:
            with (
                override_settings(
                    MAILERS={
                        "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
                    }
                ),
                transaction.atomic(),
            ):
                written = render_all(output, long_lines=lines, stories=STORIES[:tickets])
                raise _Rollback
        except _Rollback:
            pass
        for path in written:
            self.stdout.write(str(path))


def render_all(output: Path, *, long_lines: int, stories: tuple[TicketStory, ...]) -> list[Path]:
    import time_machine

    from billing.documents.snapshot import invoice_snapshot, invoices_for_snapshot
    from billing.models import InvoiceLine
    from billing.pdf import invoice_pdf_bytes
    from billing.services import (
        credit_note_issue,
        invoice_add_line,
        invoice_create_draft,
        invoice_issue,
    )
    from creditdesk.reports.data import sla_report_data
    from creditdesk.reports.rendering import sla_report_pdf

    customer, contract, contact = _customer_with_contract()
    with time_machine.travel(REPORT_MONTH - timedelta(days=5), tick=False):
        from credits.services import credit_account_get_or_create, credits_top_up

        credits_top_up(account=credit_account_get_or_create(customer=customer), credits="40")
    _month_of_tickets(contract, contact, stories)

    def invoice(lines: list[tuple[str, str, Money]], **fields):
        draft = invoice_create_draft(customer=customer, contract=contract, **fields)
        for kind, description, price in lines:
            invoice_add_line(
                invoice=draft, kind=kind, description=description, quantity=1, unit_price=price
            )
        return invoice_issue(draft)

    with time_machine.travel(ISSUE_MOMENT, tick=False):
        short = invoice(
            [
                (InvoiceLine.Kind.PLAN_FEE, "Plan Nivel 3 - cuota de noviembre", cop("120900")),
                (InvoiceLine.Kind.ONSITE, "Recargo por visita en sitio (2026-11-18)", cop("50000")),
            ],
            period_start=REPORT_MONTH,
            period_end=date(2026, 11, 30),
        )
        long = invoice(
            [
                (
                    InvoiceLine.Kind.OTHER,
                    f"Trabajo en la solicitud T-2026-{n:06d}: "
                    + ("diagnóstico y corrección" if n % 3 else "revisión de registros"),
                    cop(str(15000 + (n % 7) * 2500)),
                )
                for n in range(1, long_lines + 1)
            ]
        )
        note = credit_note_issue(
            invoice=short,
            reason="Visita en sitio cobrada dos veces",
            amount=Money("59500", "COP"),
        )
    snapshots = {
        obj.pk: invoice_snapshot(obj)
        for obj in invoices_for_snapshot().filter(pk__in=[short.pk, long.pk, note.pk])
    }
    report = sla_report_data(contract=contract, period_start=REPORT_MONTH)
    written = []
    for language in LANGUAGES:
        documents = {
            "invoice-short": invoice_pdf_bytes(snapshots[short.pk], language=language),
            f"invoice-{long_lines}-lines": invoice_pdf_bytes(snapshots[long.pk], language=language),
            "credit-note": invoice_pdf_bytes(snapshots[note.pk], language=language),
            "sla-report": sla_report_pdf(report, language=language),
        }
        for name, data in documents.items():
            path = output / f"{name}-{language}.pdf"
            path.write_bytes(data)
            written.append(path)
    return written


def cop(amount: str) -> Money:
    return Money(amount, "COP")


def _customer_with_contract() -> tuple[Customer, object, Contact]:
    from contracts.services import contact_create, contract_activate, contract_create
    from sla.calendars import Calendar
    from sla.choices import Priority
    from sla.services.setup import TargetSpec, calendar_publish, policy_publish

    hours = {day: [("08:00", "12:00"), ("13:00", "17:00")] for day in range(5)}
    calendar = calendar_publish(
        slug="muestras-bogota",
        name="Bogotá hábil (muestras)",
        calendar=Calendar.build("America/Bogota", hours, country="CO"),
    ).calendar
    hour = timedelta(hours=1)
    policy = policy_publish(
        slug="muestras-nivel-3",
        name="Nivel 3",
        calendar=calendar,
        targets={
            Priority.P1: TargetSpec(hour / 2, 4 * hour),
            Priority.P2: TargetSpec(hour, 8 * hour),
            Priority.P3: TargetSpec(2 * hour, 16 * hour),
            Priority.P4: TargetSpec(4 * hour, 24 * hour),
        },
    ).policy
    plan = Plan.objects.create(
        code="muestras-nivel-3",
        name="Soporte Nivel 3",
        currency="COP",
        monthly_fee=cop("120900"),
        credit_price=cop("95000"),
        onsite_surcharge=cop("50000"),
        allowed_channels=[Channel.PORTAL, Channel.EMAIL],
        sla_policy=policy,
    )
    customer = Customer.objects.create(
        legal_name="Hotel Andino S.A.S.",
        tax_id="900555111-2",
        country="CO",
        currency="COP",
        time_zone="America/Bogota",
        billing_email="facturas@hotelandino.example",
        address="Calle 85 # 11-53\nBogotá D.C., Colombia",
    )
    contract = contract_create(customer=customer, plan=plan, starts_on=date(2026, 1, 1))
    contract_activate(contract, reason="muestras")
    contact = contact_create(
        customer=customer, name="Ana Gómez", email="ana@hotelandino.example", can_request=True
    )
    return customer, contract, contact


def _month_of_tickets(contract, contact: Contact, stories: tuple[TicketStory, ...]) -> None:
    import time_machine

    from tickets.services.charging import worklog_add
    from tickets.services.intake import ticket_open
    from tickets.services.lifecycle import ticket_agent_reply, ticket_resolve

    agent = get_user_model().objects.create_user("muestras-agente", is_staff=True)
    for story in stories:
        opened_at = datetime(2026, 11, story.day, story.hour, 0, tzinfo=ZONE)
        with time_machine.travel(opened_at, tick=False):
            result = ticket_open(
                channel=Channel.PORTAL,
                requester=contact,
                subject=story.subject,
                impact=story.impact,
                urgency=story.urgency,
            )
        if not result.accepted:
            raise CommandError(f"sample request refused: {result}")
        ticket = result.ticket
        answered_at = opened_at + timedelta(minutes=story.answer_after)
        with time_machine.travel(answered_at, tick=False):
            ticket_agent_reply(ticket, by=agent, body="Estamos revisando su solicitud.")
        if story.resolve_after is None:
            continue
        resolved_at = opened_at + timedelta(minutes=story.resolve_after)
        with time_machine.travel(resolved_at, tick=False):
            worklog_add(
                ticket,
                by=agent,
                started_at=answered_at,
                minutes=story.work_minutes,
                note="Trabajo registrado",
            )
            ticket_resolve(ticket, by=agent, reason="resuelto")
