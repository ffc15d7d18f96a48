"""Support included in the plan (seeds 000, 001, 002): no credit gate, nothing held or
charged; worked time is still logged, recorded and explained. Prepaid credits (seed 003)
keep the gate (tests/tickets/test_intake.py and friends, unchanged)."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from contracts.models import Channel, Plan
from creditdesk.reports.data import month_bounds, sla_report_data
from creditdesk.reports.rendering import sla_report_csv
from credits.models import CreditHold, LedgerEntry
from tests.factories import (
    log_finished_work,
    make_agent,
    make_contact,
    make_contract,
    make_customer,
    make_portal_user,
)
from tickets.models import IntakeAttempt, Ticket
from tickets.services.charging import session_mark_no_show, session_schedule
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_resolve, ticket_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def nivel_1():
    """Seed 002's Nivel 1 customer, who has never bought a credit."""
    call_command("load_presets", "support-tiers", stdout=io.StringIO())
    plan = Plan.objects.get(code="soporte-nivel-1")
    customer = make_customer(legal_name="Tienda Andina S.A.S.")
    make_contract(customer, plan)
    return make_contact(customer, email="ana@tienda.example")


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.PORTAL])
def test_an_included_customer_without_credits_opens_a_request(nivel_1, channel):
    contact = nivel_1

    result = ticket_open(channel=channel, requester=contact, subject="El sitio no carga")

    assert result.accepted, result.refusal
    assert result.ticket.hold is None
    assert not CreditHold.objects.exists()
    assert not IntakeAttempt.objects.filter(reason="insufficient_credits").exists()


def test_resolution_records_the_worked_time_and_charges_nothing(nivel_1):
    contact = nivel_1
    agent = make_agent()
    ticket = ticket_open(channel=Channel.EMAIL, requester=contact, subject="DNS").ticket
    log_finished_work(
        ticket, by=agent, started_at=timezone.now(), minutes=95, note="Zona corregida"
    )
    ticket_transition(ticket, to_status=Ticket.Status.IN_PROGRESS, by=agent)

    ticket_resolve(ticket, by=agent, reason="resuelto")

    ticket.refresh_from_db()
    assert ticket.billed_minutes == 95
    assert ticket.billed_credits == 0
    plan = ticket.contract.plan.name
    assert ticket.charge_explanation_in("en") == (
        f"95 min worked, included in the “{plan}” plan: no credits charged."
    )
    assert f"incluidos en el plan «{plan}»" in ticket.charge_explanation_in("es")
    assert not LedgerEntry.objects.exists()
    assert not ticket.work_logs.filter(charged=False).exists()


def test_a_missed_session_is_recorded_without_a_charge(nivel_1, time_machine):
    contact = nivel_1
    agent = make_agent()
    ticket = ticket_open(channel=Channel.PORTAL, requester=contact, subject="Migración").ticket
    session = session_schedule(
        ticket, by=agent, starts_at=timezone.now() + timedelta(hours=2), minutes=60
    )
    time_machine.move_to(timezone.now() + timedelta(hours=3))

    missed = session_mark_no_show(session, by=agent)

    assert missed.status == missed.Status.NO_SHOW
    assert missed.no_show_entry is None
    assert not LedgerEntry.objects.exists()


def test_the_portal_speaks_of_included_support_not_credits(nivel_1):
    contact = nivel_1
    user = make_portal_user(contact)
    client = Client()
    client.force_login(user)

    dashboard = client.get("/portal/").text
    assert 'data-testid="support-included"' in dashboard
    assert 'data-testid="balance"' not in dashboard
    assert 'href="/portal/credits/"' not in dashboard  # not offered in the navigation
    new = client.get("/portal/tickets/new/").text
    assert "créditos disponibles" not in new
    credits = client.get("/portal/credits/").text
    assert 'data-testid="support-included-packs"' in credits

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Included in your plan" in client.get("/portal/").text


def test_the_sla_report_of_an_included_plan_has_no_credits_section(nivel_1):
    contact = nivel_1
    ticket_open(channel=Channel.PORTAL, requester=contact, subject="Correo")
    contract = contact.customer.contracts.get()
    month = month_bounds(timezone.localdate().replace(day=1))[0]

    report = sla_report_data(contract=contract, period_start=month)

    assert report.credits is None
    assert ",credits," not in sla_report_csv(report)
