"""`manage.py load_demo`: demo customers on each preset with three months of history.

Everything goes through the services, at the moment it would have happened: the clock is
moved with time-machine (a dev dependency; quickstart runs under `uv run`, which installs
it), so ledger entries, holds, SLA clocks and invoices carry their real dates. Idempotent: a
second run finds the demo customers and changes nothing. Logins are printed (README lists them).
"""

import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from djmoney.money import Money

from contracts.models import Channel, Contact, CreditPack, Customer, Plan
from contracts.services import contact_create, contract_activate, contract_create, customer_create
from sla.choices import Impact, Urgency

PASSWORD = "demo-creditdesk"  # noqa: S105  (demo logins, printed and in the README)
STAFF = (("demo-agente", "agents"), ("demo-finanzas", "finance"), ("demo-gerente", None))


@dataclass(frozen=True)
class DemoCustomer:
    plan_code: str
    legal_name: str
    tax_id: str
    country: str
    time_zone: str
    username: str
    pack_credits: int
    pack_price: str
    topups: int  # packs bought over the three months; the last customer runs dry


CUSTOMERS = (
    DemoCustomer(
        "smartcloud-dedicado",
        "Inversiones Caribe C.A.",
        "J-40123456-7",
        "VE",
        "America/Caracas",
        "demo-caribe",
        10,
        "450",
        2,
    ),
    DemoCustomer(
        "tecnolinux-membresia",
        "Hotel Andino S.A.S.",
        "900555111-2",
        "CO",
        "America/Bogota",
        "demo-andino",
        10,
        "900000",
        2,
    ),
    DemoCustomer(
        "altomarketing-comercial",
        "Estudio Pampa S.R.L.",
        "30-71234567-8",
        "AR",
        "America/Argentina/Buenos_Aires",
        "demo-pampa",
        8,
        "240000",
        2,
    ),
    DemoCustomer(
        "soporte-nivel-2",
        "Clínica del Norte S.A.S.",
        "900777333-4",
        "CO",
        "America/Bogota",
        "demo-clinica",
        10,
        "950000",
        1,
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
        staff = ensure_staff()
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
                build_history(spec, plan, staff, now)
            call_command("sla_monitor", verbosity=0, stdout=io.StringIO())
        self.stdout.write(f"Demo logins (password {PASSWORD}):")
        for spec in CUSTOMERS:
            self.stdout.write(f"  portal     {spec.username:<14} {spec.legal_name}")
        for username, group in STAFF:
            self.stdout.write(f"  workspace  {username:<14} {group or 'account manager'}")


def ensure_staff() -> dict[str, object]:
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


def build_history(spec: DemoCustomer, plan: Plan, staff: dict, now) -> None:
    import time_machine

    from billing.services import payment_record
    from billing.services.payments import topup_invoice_draft
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

    agent, manager = staff["demo-agente"], staff["demo-gerente"]
    start = now - timedelta(days=90)

    def at(days: float, hour: int = 10):
        """`days` after the start, at `hour` in the customer's zone."""
        moment = (start + timedelta(days=days)).astimezone(customer.time_zone_info)
        moment = min(moment.replace(hour=hour), now - timedelta(minutes=5))
        return time_machine.travel(moment, tick=False)

    with transaction.atomic():
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
        pack = CreditPack.objects.create(
            plan=plan,
            name=f"{spec.pack_credits} horas",
            credits=Decimal(spec.pack_credits),
            price=Money(spec.pack_price, plan.currency),
        )
        contact = contact_create(
            customer=customer,
            name=f"Contacto {spec.legal_name.split()[0]}",
            email=f"{spec.username}@cliente.example",
            can_request=True,
        )
        user = get_user_model().objects.create_user(
            spec.username, email=contact.email, password=PASSWORD
        )
        Contact.objects.filter(pk=contact.pk).update(user=user)
        contact.refresh_from_db()

    def buy(days: float) -> None:
        with at(days):
            invoice = topup_invoice_draft(customer=customer, credit_pack=pack)
            payment_record(
                customer=customer,
                amount=invoice.total,
                provider="bank_transfer",
                provider_ref=f"demo-{spec.username}-{days}",
                received_on=timezone.localdate(),
                invoice=invoice,
                credit_pack=pack,
                by=staff["demo-finanzas"],
            )

    def open_(days: float, subject: str, impact=Impact.MEDIUM, urgency=Urgency.MEDIUM, hour=10):
        with at(days, hour):
            return ticket_open(
                channel=Channel.PORTAL,
                requester=contact,
                subject=subject,
                description=f"{subject}. (demo)",
                impact=impact,
                urgency=urgency,
            ).ticket

    def work(ticket: Ticket, days: float, minutes: int, note: str, resolve=True, hour=11):
        with at(days, hour):
            ticket_assign(ticket, assignee=agent, by=agent)
            ticket_agent_reply(ticket, by=agent, body="Estamos revisando su solicitud.")
            worklog_add(ticket, by=agent, started_at=timezone.now(), minutes=minutes, note=note)
        if resolve:
            with at(days, hour + 2):
                ticket_resolve(ticket, by=agent, reason="resuelto")

    buy(0)
    # closed, charged by started hours
    first = open_(3, "Restablecer contraseña del correo", Impact.LOW, Urgency.LOW)
    work(first, 3, 35, "Contraseña restablecida")
    with at(5):
        ticket_close(first, by=agent)
    second = open_(12, "Servidor web lento", Impact.HIGH, Urgency.MEDIUM)
    work(second, 12, 95, "Caché de PHP ajustada")
    with at(14):
        ticket_close(second, by=agent)
    # resolved, reopened by the customer, resolved again
    third = open_(25, "Certificado SSL vencido", Impact.HIGH, Urgency.HIGH)
    work(third, 25, 50, "Certificado renovado")
    with at(26):
        ticket_reopen(third, by=user, reason="El subdominio sigue con el certificado viejo")
    work(third, 26, 30, "Subdominio incluido", hour=14)
    # a scheduled session the customer missed (charged the minimum), then resolved
    fourth = open_(35, "Migración de buzones", Impact.MEDIUM, Urgency.LOW)
    with at(35, 12):
        session = session_schedule(
            fourth, by=agent, starts_at=timezone.now() + timedelta(days=1), minutes=60
        )
    with at(36, 12):
        session_mark_no_show(session, by=agent)
    work(fourth, 37, 120, "Buzones migrados")
    if spec.topups > 1:
        buy(45)
    # abandoned: two information requests never answered
    fifth = open_(50, "Error al enviar formularios")
    with at(50, 12):
        ticket_agent_reply(
            fifth, by=agent, body="¿Qué mensaje de error ve?", asks_for_information=True
        )
    with at(53, 12):
        ticket_agent_reply(fifth, by=agent, body="Seguimos esperando.", asks_for_information=True)
    with at(57, 12):
        ticket_transition(fifth, to_status=Ticket.Status.ABANDONED, reason="sin respuesta")
    # a breach: a critical request nobody answered in time, then worked late
    breach = open_(60, "Caída total del sitio", Impact.HIGH, Urgency.HIGH, hour=9)
    work(breach, 62, 45, "Servicio restablecido", hour=15)
    # open now, in every open state; the customer who bought one pack has too few credits
    # left by now, so its requests are refused (kept as intake attempts) and it sees the
    # low-balance warning
    waiting = open_(88, "Copia de seguridad incompleta")
    if waiting is not None:
        with at(88, 11):
            ticket_agent_reply(
                waiting, by=agent, body="¿Qué carpeta falta?", asks_for_information=True
            )
    in_progress = open_(89.5, "Correo rebota a un dominio", Impact.MEDIUM, Urgency.HIGH, hour=9)
    if in_progress is not None:
        with at(89.5, 10):
            ticket_agent_reply(in_progress, by=agent, body="Revisando los registros DNS.")
            ticket_customer_reply(in_progress, contact=contact, body="Gracias, quedo atento.")
    open_(89.9, "Alta de un usuario nuevo", Impact.LOW, Urgency.LOW, hour=23)
