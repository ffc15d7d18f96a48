"""A month in the life of a customer: buys credits, asks for help by mail, is charged for the
work and the on-site visit, is invoiced at month end, and every number adds up."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from djmoney.money import Money

from billing.models import Invoice, InvoiceLine, Payment
from billing.services import Period, billing_run, payment_record
from contracts import services as contracts
from contracts.models import Channel
from credits.models import CreditAccount, LedgerEntry
from credits.selectors import ledger_verify
from sla.models import SlaClock
from tests.factories import log_finished_work
from tests.tickets.conftest import BOGOTA_HOURS
from tickets.models import Ticket
from tickets.services import lifecycle
from tickets.services.mail_intake import mail_ingest

pytestmark = pytest.mark.django_db
MAIL = Path(__file__).parents[1] / "tickets" / "mail"


@pytest.fixture
def provider(django_user_model):
    from sla.calendars import Calendar
    from sla.choices import Priority
    from sla.services.setup import TargetSpec, calendar_publish, policy_publish

    calendar = calendar_publish(
        slug="bogota",
        name="Bogotá",
        calendar=Calendar.build("America/Bogota", BOGOTA_HOURS, country="CO"),
    ).calendar
    hours = timedelta(hours=1)
    policy = policy_publish(
        slug="soporte",
        name="Soporte",
        calendar=calendar,
        targets={p: TargetSpec(2 * hours, 8 * hours) for p in Priority.values},
    ).policy
    manager = django_user_model.objects.create_user(
        "gerente", "gerente@proveedor.example", is_staff=True
    )
    agent = django_user_model.objects.create_user(
        "agente", "agente@proveedor.example", is_staff=True
    )
    return policy, manager, agent


def test_a_customer_buys_credits_asks_by_mail_is_charged_and_invoiced(
    provider, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    policy, manager, agent = provider

    with time_machine.travel("2026-11-03T14:00:00Z", tick=False) as clock:
        # given an account manager sells Nivel 3 to a hosting customer
        plan = contracts.plan_create(
            code="nivel-3",
            name="Nivel 3",
            currency="COP",
            monthly_fee=Money("120900", "COP"),
            allowed_channels=[Channel.PORTAL, Channel.EMAIL],
            credit_price=Money("95000", "COP"),
            onsite_surcharge=Money("50000", "COP"),
            sla_policy=policy,
        )
        pack = plan.credit_packs.create(
            name="5 horas", credits=Decimal("5"), price=Money("450000", "COP")
        )
        customer = contracts.customer_create(
            legal_name="Hosting Andino S.A.S.",
            tax_id="900123456-7",
            country="CO",
            currency="COP",
            time_zone="America/Bogota",
            billing_email="facturas@andino.example",
            account_manager=manager,
        )
        contracts.contact_create(
            customer=customer, name="Ana Gómez", email="ana@andino.example", can_request=True
        )
        contract = contracts.contract_create(
            customer=customer, plan=plan, starts_on=date(2026, 11, 1)
        )
        contracts.contract_activate(contract, by=manager)

        # when finance records the bank transfer for a credit pack
        payment = payment_record(
            customer=customer,
            amount=pack.price * Decimal("1.19"),
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref="TRF-0001",
            received_on=timezone.localdate(),
            credit_pack=pack,
            by=manager,
        )

        # then the top-up invoice is paid and the credits landed once
        top_up_invoice = payment.invoice
        assert top_up_invoice.status == Invoice.Status.PAID
        assert top_up_invoice.total == Money("535500.00", "COP")
        account = CreditAccount.objects.get(customer=customer)
        assert account.balance == Decimal("5.00")

        # when Ana writes in and the agent works on it, partly on site
        with django_capture_on_commit_callbacks(execute=True):
            ticket = mail_ingest((MAIL / "plain_utf8.eml").read_bytes()).ticket
        assert ticket.number in mail.outbox[-1].subject
        lifecycle.ticket_assign(ticket, assignee=agent)
        lifecycle.ticket_agent_reply(ticket, by=agent, body="Lo revisamos.")
        log_finished_work(ticket, by=agent, started_at=timezone.now(), minutes=40)
        clock.shift(timedelta(hours=2))
        log_finished_work(ticket, by=agent, started_at=timezone.now(), minutes=30, onsite=True)
        lifecycle.ticket_resolve(ticket, by=agent)

    # then 70 minutes bill 2 credits, both SLA targets were met, and the ledger holds
    ticket.refresh_from_db()
    assert (ticket.billed_minutes, ticket.billed_credits) == (70, Decimal("2.00"))
    assert set(
        SlaClock.objects.filter(subject=ticket.clock_subject).values_list("state", flat=True)
    ) == {"met"}
    account.refresh_from_db()
    assert (account.balance, account.held) == (Decimal("3.00"), Decimal("0.00"))
    assert sum(LedgerEntry.objects.values_list("credits", flat=True)) == account.balance
    assert ledger_verify().ok

    # when the month is billed
    with time_machine.travel("2026-12-01T12:00:00Z", tick=False):
        summary = billing_run(period=Period.parse("2026-11"))

    # then one invoice carries the monthly fee and the on-site visit, with IVA
    assert summary.issued == 1
    monthly = Invoice.objects.get(source=Invoice.Source.MONTHLY)
    kinds = dict(monthly.lines.values_list("kind", "unit_price"))
    assert kinds[InvoiceLine.Kind.PLAN_FEE] == Decimal("120900.00")
    assert kinds[InvoiceLine.Kind.ONSITE] == Decimal("50000.00")
    assert monthly.total == Money("203371.00", "COP")  # (120,900 + 50,000) x 1.19
    assert (top_up_invoice.number, monthly.number) == (1, 2)  # one series, no gap
    assert Ticket.objects.get().status == Ticket.Status.RESOLVED
