"""Every admin list costs the same number of queries for one row on a page as for a hundred:
whatever a list shows of a row's related objects comes in the page's own queries
(`list_select_related`, annotations), never one query per row.

The demo leaves some lists with one row or none, where the comparison would prove nothing: the
test adds at least two rows of each such kind, as the product makes them (its services, the
scheduler, the login form, the Stripe webhook's processing, and the admin's own add form for
rows only the admin writes: API tokens, status page components, credits' validity terms). One
list stays empty: django-axes' failure log, which the product's settings leave off."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from djmoney.money import Money

from activations.services import activation_purchase
from billing.services import payment_record, stripe_event_receive
from billing.services.payments import topup_invoice_draft
from billing.services.run import Period, billing_run, period_last_over
from contracts.models import Channel, Contact, CreditPack, Customer, Plan
from contracts.services import (
    contact_create,
    contract_activate,
    contract_create,
    credit_pack_create,
    customer_create,
    customer_today,
    plan_update,
)
from creditdesk.management.commands.load_demo import PASSWORD
from knowledge.models import Article
from knowledge.services import article_feedback_give
from operations.scheduler import scheduler_tick
from sla.models import ActivationLeadTime
from statuspage.models import Component, Impact, State
from statuspage.services import incident_open, incident_update_post, maintenance_schedule
from tests.factories import log_finished_work, make_staff_user
from tickets.models import CannedReply
from tickets.services.canned import canned_reply_save
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_assign

pytestmark = pytest.mark.django_db

CARIBE, ANDINO, PAMPA, CLINICA = (
    "Inversiones Caribe C.A.",
    "Hotel Andino S.A.S.",
    "Estudio Pampa S.R.L.",
    "Clínica del Norte S.A.S.",
)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _admin_add(client, model: str, data: dict) -> None:
    """Saved on the admin's add form, the only place the product writes these rows."""
    response = client.post(f"/admin/{model}/add/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]


def _staff(username: str):
    return get_user_model().objects.get(username=username)


def _contact(legal_name: str) -> Contact:
    return Contact.objects.get(customer__legal_name=legal_name)


def api_tokens(admin_client) -> None:
    """An admin gives two portal users a token for the API (README: "Auth Token")."""
    for username in ("demo-caribe", "demo-andino"):
        _admin_add(admin_client, "authtoken/tokenproxy", {"user": _staff(username).pk})


def prepaid_customer_buying_a_pack() -> None:
    """A second customer on prepaid credits, signed up as the demo signs them up, pays a pack
    by bank transfer: its invoice, its payment and its credit account."""
    plan = Plan.objects.get(code="smartcloud-dedicado")
    manager = _staff("demo-gerente")
    customer = customer_create(
        legal_name="Logística Oriente C.A.",
        tax_id="J-40999888-1",
        country="VE",
        currency=plan.currency,
        time_zone="America/Caracas",
        billing_email="facturas@oriente.example",
        account_manager=manager,
    )
    contract = contract_create(customer=customer, plan=plan, starts_on=customer_today(customer))
    contract_activate(contract, by=manager, reason="alta")
    contact_create(customer=customer, name="Contacto Oriente", email="ti@oriente.example")
    pack = CreditPack.objects.get(plan=plan, name="10 horas")  # the pack Caribe bought
    invoice = topup_invoice_draft(customer=customer, credit_pack=pack)
    payment_record(
        customer=customer,
        amount=invoice.total,
        provider="bank_transfer",
        provider_ref="oriente-001",
        received_on=customer_today(customer),
        invoice=invoice,
        credit_pack=pack,
        by=_staff("demo-finanzas"),
    )


def credit_terms(admin_client) -> None:
    """Finance sets how long credits last on two plans (courtesy credits only, on a plan of
    included support), and on two packs (one new)."""
    smartcloud = Plan.objects.get(code="smartcloud-dedicado")
    credit_pack_create(plan=smartcloud, name="20 horas", credits=Decimal(20), price="850")
    for code, terms in (
        ("smartcloud-dedicado", {"purchase_validity_months": "12", "grant_validity_months": "3"}),
        ("soporte-nivel-1", {"grant_validity_months": "3"}),
    ):
        plan = Plan.objects.get(code=code)
        _admin_add(admin_client, "credits/plancreditterms", {"plan": plan.pk, **terms})
    for pack in CreditPack.objects.filter(plan=smartcloud):
        _admin_add(
            admin_client, "credits/packcreditterms", {"pack": pack.pk, "validity_months": "6"}
        )


def low_credits_alerts() -> None:
    """The hourly check finds both prepaid contracts' alerts (each row made on its first
    check)."""
    call_command("check_low_credits", stdout=StringIO())


def canned_replies() -> None:
    """Two ready answers, one per language, with the placeholders the tickets fill."""
    for language, title, body in (
        ("es", "Revisando", "Hola {cliente}, estamos revisando la solicitud {ticket}."),
        ("en", "Looking into it", "Hello {customer}, we are looking into request {ticket}."),
    ):
        canned_reply_save(CannedReply(language=language, title=title, body=body))


def onsite_visits(period: Period) -> None:
    """Clínica's tier gets an on-site surcharge; in `period` the agent visits it twice for a
    request, and each visit logged on site is an on-site charge for the monthly run."""
    plan_update(Plan.objects.get(code="soporte-nivel-2"), onsite_surcharge="90000")
    contact, agent = _contact(CLINICA), _staff("demo-agente")
    month = datetime.combine(period.start, time(), contact.customer.time_zone_info)
    with time_machine.travel(month + timedelta(days=9, hours=9), tick=False):
        ticket = ticket_open(
            channel=Channel.PORTAL,
            requester=contact,
            subject="Cableado del consultorio 3",
            description="Sin red en el consultorio 3.",
        ).ticket
        ticket_assign(ticket, assignee=agent, by=agent)
    for days, minutes in ((9, 90), (10, 60)):
        visit = month + timedelta(days=days, hours=14)
        with time_machine.travel(visit, tick=False):
            log_finished_work(
                ticket, by=agent, started_at=visit, minutes=minutes, note="Visita", onsite=True
            )


def monthly_runs(last: Period) -> None:
    """The monthly run bills the month before last and the last month (on-site charges too)."""
    before = Period.parse(f"{last.start - timedelta(days=1):%Y-%m}")
    for period in (before, last):
        billing_run(period=period)


def stripe_events() -> None:
    """Stripe tells of a payment nobody started here (kept for finance, never credited) and of
    a failed one of no payment of ours (nothing to do)."""
    caribe = Customer.objects.get(legal_name=CARIBE)
    for event_id, kind, intent in (
        ("evt_demo_1", "payment_intent.succeeded", "pi_demo_unknown"),
        ("evt_demo_2", "payment_intent.payment_failed", "pi_demo_failed"),
    ):
        outcome = stripe_event_receive(
            {
                "id": event_id,
                "type": kind,
                "created": int(timezone.now().timestamp()),
                "data": {
                    "object": {
                        "id": intent,
                        "object": "payment_intent",
                        "amount_received": 45000,
                        "currency": "usd",
                        "metadata": {"creditdesk_customer": str(caribe.pk)},
                    }
                },
            }
        )
        assert outcome == "processed"


def article_feedback() -> None:
    """Two portal readers answer "¿Fue útil?" on published articles."""
    articles = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("pk")
    for contact, article, helpful in (
        (_contact(ANDINO), articles[0], True),
        (_contact(PAMPA), articles[1], False),
    ):
        article_feedback_give(
            article=article,
            voter=f"contact:{contact.pk}",
            helpful=helpful,
            comment="" if helpful else "No cubre mi caso.",
            contact=contact,
            at=timezone.now(),
        )


def status_page(admin_client) -> None:
    """Two components (catalogue data, edited in the admin), two incidents told to their end,
    and two maintenance windows announced."""
    for position, (code, name) in enumerate((("correo", "Correo"), ("hosting", "Hosting web"))):
        _admin_add(
            admin_client,
            "statuspage/component",
            {"code": code, "name": name, "position": position, "is_active": "on"},
        )
    agent, now = _staff("demo-agente"), timezone.now()
    for component in Component.objects.all():
        incident = incident_open(
            title=f"{component.name}: lentitud",
            body="Investigamos la lentitud.",
            impact=Impact.DEGRADED,
            components=[component],
            by=agent,
        )
        incident_update_post(incident, state=State.RESOLVED, body="Resuelto.", by=agent)
        maintenance_schedule(
            title=f"{component.name}: actualización",
            components=[component],
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=2),
            by=agent,
        )


def activations() -> None:
    """Two customers buy a product of the catalogue: an invoice each and its activation."""
    agent = _staff("demo-agente")
    for legal_name, product, price in (
        (PAMPA, "Hosting", "25000"),
        (CARIBE, "Constructor Web", "40"),
    ):
        customer = Customer.objects.get(legal_name=legal_name)
        activation_purchase(
            customer=customer,
            product=ActivationLeadTime.objects.get(product=product),
            unit_price=Money(price, customer.currency),
            by=agent,
        )


def scheduled_jobs(capture_on_commit) -> None:
    """The scheduler's tick on the database task backend: a row per periodic job, and each
    job's task a row of the queue."""
    database = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=database), capture_on_commit(execute=True):
        assert scheduler_tick(now=timezone.now())


def logins() -> None:
    """Two wrong passwords and two sign-ins on the login form (django-axes' records)."""
    for username, password, status in (
        ("demo-caribe", "wrong", 200),
        ("demo-andino", "wrong", 200),
        ("demo-pampa", PASSWORD, 302),
        ("demo-clinica", PASSWORD, 302),
    ):
        answer = Client().post(
            "/accounts/login/",
            {"username": username, "password": password},
            REMOTE_ADDR="203.0.113.7",
        )
        assert answer.status_code == status, username


def test_every_admin_list_costs_the_same_queries_for_one_row_and_a_page_of_them(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    # given three months of demo history (every kind of row the demo makes), at least two rows
    # of each kind the demo makes fewer of, and an operator
    call_command("load_demo", stdout=StringIO())
    client.force_login(make_staff_user(is_superuser=True))
    last = period_last_over()
    api_tokens(client)
    prepaid_customer_buying_a_pack()
    credit_terms(client)
    low_credits_alerts()
    canned_replies()
    onsite_visits(last)
    monthly_runs(last)
    stripe_events()
    article_feedback()
    status_page(client)
    activations()
    scheduled_jobs(django_capture_on_commit_callbacks)
    logins()

    counts, rows = {}, {}
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        rows[url] = model.objects.count()
        # when its list is shown one row a page, then a hundred rows a page
        monkeypatch.setattr(model_admin, "list_per_page", 1)
        one = _queries(client, url)
        monkeypatch.setattr(model_admin, "list_per_page", 100)
        counts[url] = (one, _queries(client, url))

    # then the page of many rows asks the database as often as the page of one
    grows = {url: pair for url, pair in counts.items() if pair[0] != pair[1]}
    assert grows == {}
    # and the comparison compared lists with rows: every list holds several, but django-axes'
    # failure log, which the product leaves off (AXES_ENABLE_ACCESS_FAILURE_LOG): no login
    # writes it
    never_written = {reverse("admin:axes_accessfailurelog_changelist")}
    assert {url: n for url, n in rows.items() if n < 2 and url not in never_written} == {}
