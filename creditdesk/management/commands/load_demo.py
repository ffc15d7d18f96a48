"""`manage.py load_demo`: demo customers on each preset with three months of history.

Everything goes through the services, at the moment it would have happened: the clock is
moved with time-machine (a dev dependency; quickstart runs under `uv run`, which installs
it), so ledger entries, holds, SLA clocks and invoices carry their real dates. Each customer
has a story of its own (`STORIES`), told with the steps of `Story`; together they show every
state a ticket can rest in, a reopened request, a missed session, an abandoned request, an
SLA breach and a customer whose credits ran out. Idempotent: a second run finds the demo
customers and changes nothing. Logins are printed (README lists them).
"""

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from billing.services import payment_record
from billing.services.payments import topup_invoice_draft
from contracts.models import Channel, Contact, CreditPack, Customer, Plan
from contracts.services import (
    contact_create,
    contact_portal_access_grant,
    contract_activate,
    contract_create,
    credit_pack_create,
    customer_create,
)
from sla.choices import Impact, Urgency
from tickets.models import Ticket
from tickets.services.charging import session_mark_no_show, session_schedule, worklog_add
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import (
    ticket_agent_reply,
    ticket_assign,
    ticket_close,
    ticket_customer_reply,
    ticket_reopen,
    ticket_resolve,
    ticket_transition,
)

PASSWORD = "demo-creditdesk"  # noqa: S105  (demo logins, printed and in the README)
STAFF = (("demo-agente", "agents"), ("demo-finanzas", "finance"), ("demo-gerente", None))
HISTORY_DAYS = 90


@dataclass
class Story:
    """One demo customer's three months. Each step runs its services at `days` after the
    start, at `hour` in the customer's zone (never later than a few minutes ago)."""

    customer: Customer
    contact: Contact
    user: object
    pack: CreditPack | None  # None on a plan with support included: it sells no credits
    staff: dict
    start: datetime
    now: datetime

    @property
    def agent(self):
        return self.staff["demo-agente"]

    def at(self, days: float, hour: int = 10):
        import time_machine

        moment = (self.start + timedelta(days=days)).astimezone(self.customer.time_zone_info)
        moment = min(moment.replace(hour=hour), self.now - timedelta(minutes=5))
        return time_machine.travel(moment, tick=False)

    def buy_pack(self, days: float) -> None:
        """The customer pays a pack by bank transfer and finance records it."""
        if self.pack is None:
            raise CommandError(f"{self.customer} has support included: it buys no credits")
        with self.at(days):
            invoice = topup_invoice_draft(customer=self.customer, credit_pack=self.pack)
            payment_record(
                customer=self.customer,
                amount=invoice.total,
                provider="bank_transfer",
                provider_ref=f"demo-{self.user.username}-{days}",
                received_on=timezone.localdate(),
                invoice=invoice,
                credit_pack=self.pack,
                by=self.staff["demo-finanzas"],
            )

    def ask(
        self,
        days: float,
        subject: str,
        impact: str = Impact.MEDIUM,
        urgency: str = Urgency.MEDIUM,
        hour: int = 10,
    ) -> Ticket | None:
        """The contact opens a request in the portal; None when intake refuses it."""
        with self.at(days, hour):
            return ticket_open(
                channel=Channel.PORTAL,
                requester=self.contact,
                subject=subject,
                description=f"{subject}. (demo)",
                impact=impact,
                urgency=urgency,
            ).ticket

    def work(
        self,
        ticket: Ticket,
        days: float,
        minutes: int,
        note: str,
        *,
        resolve: bool = True,
        hour: int = 11,
    ) -> None:
        """The agent takes the request, answers and starts working; logs the work on the
        hour after it is done and (by default) resolves the request an hour later, which
        charges it."""
        with self.at(days, hour):
            ticket_assign(ticket, assignee=self.agent, by=self.agent)
            ticket_agent_reply(ticket, by=self.agent, body="Estamos revisando su solicitud.")
            started_at = timezone.now()
        done = hour + math.ceil(minutes / 60)
        with self.at(days, done):
            worklog_add(ticket, by=self.agent, started_at=started_at, minutes=minutes, note=note)
        if resolve:
            with self.at(days, done + 1):
                ticket_resolve(ticket, by=self.agent, reason="resuelto")

    def close(self, ticket: Ticket, days: float) -> None:
        with self.at(days):
            ticket_close(ticket, by=self.agent)

    def reopen(self, ticket: Ticket, days: float, reason: str) -> None:
        with self.at(days):
            ticket_reopen(ticket, by=self.user, reason=reason)

    def miss_session(self, ticket: Ticket, days: float) -> None:
        """A session scheduled for the next day that the customer does not attend (charged
        the plan's minimum)."""
        with self.at(days, 12):
            session = session_schedule(
                ticket, by=self.agent, starts_at=timezone.now() + timedelta(days=1), minutes=60
            )
        with self.at(days + 1, 12):
            session_mark_no_show(session, by=self.agent)

    def ask_for_information(self, ticket: Ticket, days: float, question: str) -> None:
        with self.at(days, 12):
            ticket_agent_reply(ticket, by=self.agent, body=question, asks_for_information=True)

    def abandon(self, ticket: Ticket, days: float) -> None:
        """Two information requests never answered (seed 003), then abandoned."""
        self.ask_for_information(ticket, days, "¿Qué mensaje de error ve?")
        self.ask_for_information(ticket, days + 3, "Seguimos esperando su respuesta.")
        with self.at(days + 7, 12):
            ticket_transition(ticket, to_status=Ticket.Status.ABANDONED, reason="sin respuesta")

    def converse(self, ticket: Ticket | None, days: float, answer: str, reply: str) -> None:
        """An open request in progress: the agent answers, the customer replies."""
        if ticket is None:
            return
        with self.at(days, 10):
            ticket_agent_reply(ticket, by=self.agent, body=answer)
            ticket_customer_reply(ticket, contact=self.contact, body=reply)


def caribe(story: Story) -> None:
    """A hosting customer on prepaid credits that bought one pack: server trouble, a
    certificate that needed a second visit, a migration, an outage answered late, one
    request waiting on the customer, and by now too few credits, so its latest requests are
    refused (kept as intake attempts) and it sees the low-balance warning."""
    story.buy_pack(0)
    vps = story.ask(4, "VPS sin respuesta tras el reinicio", Impact.HIGH, Urgency.HIGH)
    story.work(vps, 4, 70, "Servicio de red reconfigurado")
    story.close(vps, 6)
    ssl = story.ask(21, "Certificado SSL vencido", Impact.HIGH, Urgency.MEDIUM)
    story.work(ssl, 21, 50, "Certificado renovado")
    story.reopen(ssl, 22, "El subdominio sigue con el certificado viejo")
    story.work(ssl, 22, 30, "Subdominio incluido", hour=14)
    migration = story.ask(40, "Migración a un servidor nuevo", Impact.MEDIUM, Urgency.LOW)
    story.work(migration, 41, 170, "Sitios y bases migrados")
    story.close(migration, 43)
    outage = story.ask(58, "Caída total del sitio", Impact.HIGH, Urgency.HIGH, hour=9)
    story.work(outage, 60, 45, "Servicio restablecido", hour=15)
    backup = story.ask(87, "Copia de seguridad incompleta")
    if backup is not None:
        story.ask_for_information(backup, 87, "¿Qué carpeta falta en la copia?")
    story.ask(89.5, "Correo rebota a un dominio", Impact.MEDIUM, Urgency.HIGH, hour=9)
    story.ask(89.8, "Alta de un buzón nuevo", Impact.LOW, Urgency.LOW, hour=15)


def andino(story: Story) -> None:
    """A hotel on a membership: the lobby Wi-Fi, a booking system worked over a missed
    session, a mailbox request nobody followed up, and a new user asked for tonight."""
    wifi = story.ask(9, "Wi-Fi del lobby intermitente", Impact.MEDIUM, Urgency.HIGH)
    story.work(wifi, 9, 40, "Punto de acceso reemplazado")
    story.close(wifi, 11)
    bookings = story.ask(30, "Sistema de reservas lento", Impact.HIGH, Urgency.MEDIUM)
    story.miss_session(bookings, 30)
    story.work(bookings, 32, 110, "Índices de la base de reservas reconstruidos")
    mailbox = story.ask(55, "Buzón de recepción lleno")
    story.abandon(mailbox, 55)
    printer = story.ask(72, "Impresora de facturas sin conexión", Impact.LOW, Urgency.MEDIUM)
    story.work(printer, 72, 20, "Controlador reinstalado")
    story.close(printer, 74)
    story.ask(89.9, "Alta de un usuario nuevo", Impact.LOW, Urgency.LOW, hour=23)


def pampa(story: Story) -> None:
    """A marketing studio: plugins, a campaign flagged as spam that came back, a contact
    form that was never explained, and a landing page being fixed today."""
    plugins = story.ask(6, "Actualizar plugins de WordPress", Impact.LOW, Urgency.LOW)
    story.work(plugins, 6, 55, "Plugins actualizados y probados")
    story.close(plugins, 8)
    spam = story.ask(19, "Campaña de correo marcada como spam", Impact.MEDIUM, Urgency.HIGH)
    story.work(spam, 19, 35, "Registros SPF y DKIM corregidos")
    story.reopen(spam, 21, "Gmail la sigue enviando a spam")
    story.work(spam, 21, 45, "DMARC publicado y dominio calentado", hour=14)
    form = story.ask(44, "Formulario de contacto no envía")
    story.abandon(form, 44)
    landing = story.ask(89.6, "Página de campaña sin estilos", Impact.MEDIUM, Urgency.HIGH)
    story.converse(landing, 89.6, "La hoja de estilos no carga; la estamos revisando.", "Gracias.")


def clinica(story: Story) -> None:
    """A clinic whose hosting includes second-level support (no credits): records server
    work, a missed VPN session, a late answer on an outage, and three requests open today."""
    records = story.ask(3, "Servidor de historias clínicas lento", Impact.HIGH, Urgency.MEDIUM)
    story.work(records, 3, 95, "Memoria ampliada y consultas optimizadas")
    story.close(records, 5)
    vpn = story.ask(15, "VPN de médicos no conecta", Impact.MEDIUM, Urgency.HIGH)
    story.miss_session(vpn, 15)
    story.work(vpn, 17, 120, "Certificados de cliente reemitidos")
    restore = story.ask(34, "Restaurar respaldo de la base de turnos", Impact.HIGH, Urgency.HIGH)
    story.work(restore, 34, 150, "Respaldo restaurado y verificado")
    story.close(restore, 36)
    outage = story.ask(62, "Caída del sistema de turnos", Impact.HIGH, Urgency.HIGH, hour=9)
    story.work(outage, 64, 45, "Servicio restablecido", hour=15)
    story.ask(88, "Lector de carnets no funciona")
    story.ask(89, "Actualizar el antivirus de recepción", Impact.LOW, Urgency.MEDIUM)
    story.ask(89.9, "Alta de una médica nueva", Impact.LOW, Urgency.LOW, hour=23)


@dataclass(frozen=True)
class DemoCustomer:
    plan_code: str
    legal_name: str
    tax_id: str
    country: str
    time_zone: str
    username: str
    story: Callable[[Story], None]
    # (credits, price) of the pack the customer buys, on a prepaid-credits plan only
    pack: tuple[int, str] | None = None


CUSTOMERS = (
    DemoCustomer(
        "smartcloud-dedicado",
        "Inversiones Caribe C.A.",
        "J-40123456-7",
        "VE",
        "America/Caracas",
        "demo-caribe",
        caribe,
        pack=(10, "450"),
    ),
    DemoCustomer(
        "tecnolinux-membresia",
        "Hotel Andino S.A.S.",
        "900555111-2",
        "CO",
        "America/Bogota",
        "demo-andino",
        andino,
    ),
    DemoCustomer(
        "altomarketing-hosting",
        "Estudio Pampa S.R.L.",
        "30-71234567-8",
        "AR",
        "America/Argentina/Buenos_Aires",
        "demo-pampa",
        pampa,
    ),
    DemoCustomer(
        "soporte-nivel-2",
        "Clínica del Norte S.A.S.",
        "900777333-4",
        "CO",
        "America/Bogota",
        "demo-clinica",
        clinica,
    ),
)


class Command(BaseCommand):
    help = "Demo customers on each preset with three months of history (idempotent)."

    def handle(self, *args, **options) -> None:
        try:
            import time_machine  # noqa: F401
        except ImportError as error:  # pragma: no cover - only without the dev group
            raise CommandError("load_demo needs time-machine: run it with `uv run`.") from error
        call_command("load_presets", verbosity=0)
        staff = staff_ensure()
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        # The demo addresses are fictitious: its acknowledgements and alerts stay in memory
        # even where EMAIL_URL points at a real server.
        with override_settings(
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        ):
            for spec in CUSTOMERS:
                if Customer.objects.filter(country=spec.country, tax_id=spec.tax_id).exists():
                    continue
                plan = Plan.objects.filter(code=spec.plan_code).first()
                if plan is None:
                    raise CommandError(f"preset plan {spec.plan_code} is missing")
                spec.story(story_begin(spec, plan, staff, now))
            call_command("sla_monitor", verbosity=0, stdout=io.StringIO())
        self.stdout.write(f"Demo logins (password {PASSWORD}):")
        for spec in CUSTOMERS:
            self.stdout.write(f"  portal     {spec.username:<14} {spec.legal_name}")
        for username, group in STAFF:
            self.stdout.write(f"  workspace  {username:<14} {group or 'account manager'}")


def staff_ensure() -> dict[str, object]:
    users = {}
    for username, group in STAFF:
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "email": f"{username}@localhost"}
        )
        if created:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        if group:
            user.groups.add(Group.objects.get_or_create(name=group)[0])
        users[username] = user
    return users


def story_begin(spec: DemoCustomer, plan: Plan, staff: dict, now: datetime) -> Story:
    """The customer as the account manager signs it up, three months ago: an active
    contract, a credit pack on its plan, and a contact who may open requests in the portal."""
    import time_machine

    start = now - timedelta(days=HISTORY_DAYS)
    manager = staff["demo-gerente"]
    # Signed up when its history begins: the contract's timeline starts there, not today.
    with time_machine.travel(start, tick=False), transaction.atomic():
        customer = customer_create(
            legal_name=spec.legal_name,
            tax_id=spec.tax_id,
            country=spec.country,
            currency=plan.currency,
            time_zone=spec.time_zone,
            billing_email=f"facturas@{spec.username}.example",
            account_manager=manager,
        )
        contract = contract_create(customer=customer, plan=plan, starts_on=start.date())
        contract_activate(contract, by=manager, reason="demo")
        pack = None
        if spec.pack is not None:
            credits, price = spec.pack
            pack = credit_pack_create(
                plan=plan, name=f"{credits} horas", credits=Decimal(credits), price=price
            )
        contact = contact_create(
            customer=customer,
            name=f"Contacto {spec.legal_name.split()[0]}",
            email=f"{spec.username}@cliente.example",
            can_request=True,
        )
        user = contact_portal_access_grant(contact, username=spec.username, password=PASSWORD)
    return Story(customer, contact, user, pack, staff, start, now)
