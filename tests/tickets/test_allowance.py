"""A monthly allowance of included hours (issue 17): resolution draws the work from the
month's allowance in the customer's time zone; on included hours, then credits, intake asks
for no credits while hours are left and resolution charges only the work beyond them."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone
from djmoney.money import Money

from contracts.models import Channel, Plan
from credits.models import AllowanceDraw, AllowanceMonth, CreditAccount, CreditHold, LedgerEntry
from credits.selectors import ledger_verify
from tests.factories import (
    log_finished_work,
    make_contact,
    make_contract,
    make_customer,
    make_plan,
    make_portal_user,
    make_service,
)
from tests.tickets.conftest import top_up
from tickets.locks import ticket_lock
from tickets.models import Ticket
from tickets.services.charging import (
    session_mark_no_show,
    session_schedule,
    ticket_charge,
)
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_reopen, ticket_resolve, ticket_transition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tuesday_morning")]


def requester_on(plan: Plan):
    customer = make_customer(legal_name="Hosting Andino S.A.S.")
    make_contract(customer, plan)
    return make_contact(customer, email=f"ana{plan.pk}@andino.example")


@pytest.fixture
def included(sla_policy):
    """Seed 002's Nivel 2 read with two hours a month; the rest invoiced at month end."""
    plan = make_plan(
        sla_policy=sla_policy,
        support_model=Plan.SupportModel.INCLUDED,
        included_hours=Decimal("2"),
        overage=Plan.Overage.MONEY,
        overage_hour_price=Money("80000", "COP"),
    )
    return requester_on(plan)


@pytest.fixture
def then_credits(sla_policy):
    """One hour a month included, then seed 003's credits (2 to open, 1 per started hour)."""
    plan = make_plan(
        sla_policy=sla_policy,
        support_model=Plan.SupportModel.INCLUDED_HOURS_THEN_CREDITS,
        included_hours=Decimal("1"),
    )
    return requester_on(plan)


def open_ticket(requester, subject="El sitio no carga"):
    return ticket_open(channel=Channel.PORTAL, requester=requester, subject=subject)


def work_and_resolve(ticket: Ticket, agent, minutes: int) -> Ticket:
    log_finished_work(ticket, by=agent, started_at=timezone.now(), minutes=minutes)
    if ticket.status != Ticket.Status.IN_PROGRESS:
        ticket_transition(ticket, to_status=Ticket.Status.IN_PROGRESS, by=agent)
    ticket_resolve(ticket, by=agent, reason="resuelto")
    ticket.refresh_from_db()
    return ticket


def month_of(requester) -> AllowanceMonth:
    return AllowanceMonth.objects.get(contract__customer=requester.customer)


def test_resolution_draws_the_work_from_the_months_allowance_then_counts_the_overage(
    included, agent
):
    first = work_and_resolve(open_ticket(included).ticket, agent, 90)

    assert first.charge_explanation_in("es") == (
        "90 min trabajados, de las horas incluidas del mes (quedan 30 de 120 min): "
        "sin cargo de créditos."
    )
    second = work_and_resolve(open_ticket(included, "Correo").ticket, agent, 75)

    assert second.charge_explanation_in("es") == (
        "75 min trabajados: 30 min de las horas incluidas del mes (quedan 0 de 120 min) y 45 "
        "min adicionales, que se facturan a fin de mes."
    )
    assert second.charge_explanation_in("en") == (
        "75 min worked: 30 min from this month's included hours (0 of 120 min left) and 45 "
        "min beyond them, invoiced at month end."
    )
    month = month_of(included)
    assert (month.month.isoformat(), month.used_minutes, month.over_minutes) == (
        "2026-11-01",
        120,
        45,
    )
    assert sorted(
        AllowanceDraw.objects.values_list("reference_id", "allowance_minutes", "over_minutes")
    ) == sorted([(str(first.pk), 90, 0), (str(second.pk), 30, 45)])
    assert (first.billed_credits, second.billed_credits) == (0, 0)
    assert not LedgerEntry.objects.exists()
    assert not CreditHold.objects.exists()


def test_the_month_is_the_customers_own(included, agent):
    ticket = open_ticket(included).ticket
    # 1 December 03:00 UTC is still 30 November, 22:00, in Bogotá
    with time_machine.travel("2026-12-01T03:00:00Z", tick=False):
        work_and_resolve(ticket, agent, 30)

    assert month_of(included).month.isoformat() == "2026-11-01"


def test_a_reopened_ticket_draws_only_its_new_minutes_and_a_retry_draws_nothing(included, agent):
    ticket = work_and_resolve(open_ticket(included).ticket, agent, 30)
    ticket_reopen(ticket, reason="sigue fallando")

    ticket = work_and_resolve(ticket, agent, 20)
    with transaction.atomic():  # the same charge again (a retried resolution)
        ticket_charge(ticket_lock(ticket.pk), at=timezone.now())

    assert list(
        AllowanceDraw.objects.order_by("pk").values_list("request_minutes", "allowance_minutes")
    ) == [(30, 30), (50, 20)]
    assert month_of(included).used_minutes == 50
    ticket.refresh_from_db()
    assert ticket.charge_explanation_in("en") == (
        "50 min worked, from this month's included hours (70 of 120 min left): no credits charged."
    )


def test_a_type_the_provider_does_not_bill_draws_nothing(included, agent):
    free = make_service(billed=False, name="Guía de uso")
    result = ticket_open(channel=Channel.PORTAL, requester=included, subject="¿Cómo?", service=free)

    work_and_resolve(result.ticket, agent, 45)

    assert not AllowanceMonth.objects.exists()


def test_included_hours_then_credits_asks_for_credits_only_once_they_are_used_up(
    then_credits, agent
):
    # given a customer who has never bought a credit and has one hour this month
    first = open_ticket(then_credits)
    assert first.accepted, first.refusal
    assert first.ticket.hold is None

    first_ticket = work_and_resolve(first.ticket, agent, 45)
    assert first_ticket.billed_credits == 0
    second = open_ticket(then_credits, "Correo")  # 15 minutes left: still no gate
    assert second.accepted, second.refusal
    assert second.ticket.hold is None

    # when the second request uses the last 15 minutes and 30 more
    second_ticket = work_and_resolve(second.ticket, agent, 45)

    # then only the 30 minutes beyond the hour are charged, by seed 003's rule
    assert second_ticket.billed_credits == Decimal("1")
    assert second_ticket.charge_explanation_in("es") == (
        "45 min trabajados: 15 min de las horas incluidas del mes (quedan 0 de 60 min); "
        "fuera de ellas, 30 min: mínimo 1 crédito = 1 crédito"
    )
    assert second_ticket.charge_explanation_in("en") == (
        "45 min worked: 15 min from this month's included hours (0 of 60 min left); "
        "beyond them, 30 min: 1 credit minimum = 1 credit"
    )
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.credits) == (LedgerEntry.Kind.CHARGE, Decimal("-1"))
    assert entry.reason == second_ticket.charge_explanation
    # and with the hour used up, the prepaid gate applies: 2 available credits to open
    refused = open_ticket(then_credits, "DNS")
    assert refused.refusal.code == "insufficient_credits"

    top_up(then_credits.customer, 5)
    third = open_ticket(then_credits, "DNS")
    assert third.accepted, third.refusal
    assert third.ticket.hold.credits == Decimal("1")
    third_ticket = work_and_resolve(third.ticket, agent, 70)

    assert third_ticket.billed_credits == Decimal("2")
    assert third_ticket.charge_explanation_in("es") == (
        "70 min trabajados: 0 min de las horas incluidas del mes (quedan 0 de 60 min); "
        "fuera de ellas, 70 min: mínimo 1 crédito + 1 por la hora 2 iniciada = 2 créditos"
    )
    account = CreditAccount.objects.get(customer=then_credits.customer)
    assert (account.balance, account.held) == (Decimal("2"), Decimal("0"))
    assert ledger_verify().ok


def test_a_new_month_gives_the_hours_back_and_releases_the_hold(then_credits, agent):
    top_up(then_credits.customer, 5)
    work_and_resolve(open_ticket(then_credits).ticket, agent, 60)  # the hour is used up
    held = open_ticket(then_credits, "Correo").ticket
    assert held.hold is not None

    # when it is resolved in December, whose hour is untouched
    with time_machine.travel("2026-12-02T14:00:00Z", tick=False):
        resolved = work_and_resolve(held, agent, 40)

    assert resolved.billed_credits == 0
    assert "quedan 20 de 60 min" in resolved.charge_explanation_in("es")
    assert CreditHold.objects.get(pk=held.hold_id).status == CreditHold.Status.RELEASED
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CHARGE).exists()


def test_a_missed_session_is_charged_only_once_the_hours_are_used_up(then_credits, agent):
    top_up(then_credits.customer, 5)
    ticket = open_ticket(then_credits).ticket
    session = session_schedule(ticket, by=agent, starts_at=timezone.now(), minutes=60)
    assert session_mark_no_show(session, by=agent).no_show_entry is None

    work_and_resolve(open_ticket(then_credits, "Correo").ticket, agent, 60)
    again = session_schedule(ticket, by=agent, starts_at=timezone.now(), minutes=60)

    assert session_mark_no_show(again, by=agent).no_show_entry.credits == Decimal("-1")


def test_the_portal_shows_the_hours_left_and_no_credits_without_them(included, agent):
    work_and_resolve(open_ticket(included).ticket, agent, 150)
    client = Client()
    client.force_login(make_portal_user(included))

    dashboard = client.get("/portal/").text

    assert 'data-testid="allowance-left">0 min<' in dashboard
    assert "usados 120 de 120 min" in dashboard
    assert 'data-testid="allowance-over"' in dashboard
    assert 'data-testid="support-included"' in dashboard
    assert 'data-testid="balance"' not in dashboard


def test_the_portal_shows_hours_and_credits_on_included_hours_then_credits(then_credits, agent):
    work_and_resolve(open_ticket(then_credits).ticket, agent, 20)
    user = make_portal_user(then_credits)
    client = Client()
    client.force_login(user)

    dashboard = client.get("/portal/").text

    assert 'data-testid="allowance-left">40 min<' in dashboard
    assert 'data-testid="balance"' in dashboard
    assert "mínimo para abrir" not in dashboard  # no gate while hours are left
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):  # December
        client.force_login(user)
        assert 'data-testid="allowance-left">60 min<' in client.get("/portal/").text
