"""No control character reaches a row through the texts people write: names, addresses,
notes, reasons, descriptions, terms, titles. They end up in PDFs, mails, CSV/XLSX exports
and webhook payloads, where XML cannot carry one and PostgreSQL refuses a NUL. Each
service refuses the text on its field with `core.errors.CONTROL_CHARACTERS` (the words of
`text_at_most`) and writes nothing; tab, newline and carriage return stay allowed."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.utils import timezone

from activations.services import product_save
from contracts import services as contracts
from core.errors import InvalidInput
from credits.services import credit_account_get_or_create, credits_grant, credits_top_up
from knowledge.models import Article, Category
from knowledge.services import article_feedback_give, article_save, category_save
from quotes.models import QuoteSeries
from quotes.services import quote_draft
from sla.calendars import Calendar
from sla.choices import Priority
from sla.services.setup import LevelSpec, calendar_publish, policy_publish
from tests.api.conftest import World, client_for, world  # noqa: F401  (fixture)
from tests.factories import log_finished_work, make_plan
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tickets.models import CannedReply
from tickets.services.canned import canned_reply_save
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import (
    ticket_agent_reply,
    ticket_customer_reply,
    ticket_override_priority,
)

MARK = "Marcazq"  # in every text tried, so a row that kept one is found wherever it went
SHOWN = "Sin caracteres de control"

CONTROL = [
    pytest.param("\x00", id="NUL"),
    pytest.param("\x01", id="SOH"),
    pytest.param("\x1b", id="ESC"),
]


def _rows_with_mark() -> list[str]:
    """Every text column of every model holding MARK: what a refusal must not have written."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField)):
                continue
            if model._base_manager.filter(**{f"{field.attname}__contains": MARK}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def _quote_lines(description: str = "Migración de buzones") -> list[dict[str, str]]:
    return [{"description": description, "quantity": "1", "unit_price": "150000"}]


def _quote(w: World, *, terms: str = "", description: str = "Migración") -> Any:
    QuoteSeries.objects.get_or_create(code="PR", defaults={"prefix": "PR"})
    return quote_draft(
        ticket=w.a.ticket,
        kind="money",
        lines=_quote_lines(description),
        valid_until=timezone.localdate() + timedelta(days=10),
        terms=terms,
        by=w.agent,
    )


def _other_priority(w: World) -> str:
    return next(p for p in (Priority.P1, Priority.P4) if p != w.a.ticket.priority)


def _article(**texts: str) -> Article:
    category = category_save(Category(slug="correo", name_es="Correo"))
    fields = {"title": "Configurar el correo", "body": "Pasos.", "summary": ""} | texts
    return article_save(
        Article(category=category, language="es", status=Article.Status.PUBLISHED, **fields)
    )


def _calendar(**extra: Any) -> Calendar:
    return Calendar.build("America/Bogota", {0: [("08:00", "17:00")]}, **extra)


def _policy(w: World, *, name: str = "Nueva", **extra: Any) -> Any:
    calendar = calendar_publish(slug="nuevo", name="Nuevo", calendar=_calendar()).calendar
    return policy_publish(slug="nueva", name=name, calendar=calendar, targets={}, **extra)


# (field named by the refusal, the service call with `text` in that field)
Write = Callable[[World, str], Any]
WRITES: list[tuple[str, str, Write]] = [
    (
        "customer legal name",
        "legal_name",
        lambda w, t: contracts.customer_create(
            legal_name=t,
            tax_id="901234567-8",
            country="CO",
            currency="COP",
            time_zone="America/Bogota",
            billing_email="facturas@andino.example",
        ),
    ),
    (
        "customer address",
        "address",
        lambda w, t: contracts.customer_update(w.a.customer, address=t),
    ),
    (
        "contact name",
        "name",
        lambda w, t: contracts.contact_create(
            customer=w.a.customer, name=t, email="nuevo@cliente.example"
        ),
    ),
    ("contact phone", "phone", lambda w, t: contracts.contact_update(w.a.contact, phone=t)),
    (
        "customer note",
        "text",
        lambda w, t: contracts.customer_note_add(customer=w.a.customer, author=w.admin, text=t),
    ),
    ("plan description", "description", lambda w, t: contracts.plan_update(w.plan, description=t)),
    (
        "credit pack name",
        "name",
        lambda w, t: contracts.credit_pack_create(plan=w.plan, name=t, credits=5, price=100),
    ),
    (
        "contract suspension reason",
        "reason",
        lambda w, t: contracts.contract_suspend(w.a.contract, by=w.admin, reason=t),
    ),
    (
        "plan change reason",
        "reason",
        lambda w, t: contracts.contract_change_plan(
            w.a.contract,
            plan=make_plan(currency=w.a.customer.currency),
            effective_on=timezone.localdate(),
            by=w.admin,
            reason=t,
        ),
    ),
    (
        "ticket description",
        "description",
        lambda w, t: ticket_open(
            channel="portal", requester=w.a.contact, subject="Caída del correo", description=t
        ),
    ),
    (
        "agent reply",
        "body",
        lambda w, t: ticket_agent_reply(w.a.ticket, by=w.agent, body=t),
    ),
    (
        "customer reply",
        "body",
        lambda w, t: ticket_customer_reply(w.a.ticket, contact=w.a.contact, body=t),
    ),
    (
        "work log note",
        "note",
        lambda w, t: log_finished_work(w.a.ticket, by=w.agent, minutes=30, note=t),
    ),
    (
        "priority override reason",
        "reason",
        lambda w, t: ticket_override_priority(
            w.a.ticket, priority=_other_priority(w), by=w.agent, reason=t
        ),
    ),
    (
        "canned reply title",
        "title",
        lambda w, t: canned_reply_save(CannedReply(title=t, body="Hola", language="es")),
    ),
    (
        "canned reply body",
        "body",
        lambda w, t: canned_reply_save(CannedReply(title="Saludo", body=t, language="es")),
    ),
    ("quote terms", "terms", lambda w, t: _quote(w, terms=t)),
    ("quote line description", "lines.0.description", lambda w, t: _quote(w, description=t)),
    (
        "credit grant reason",
        "reason",
        lambda w, t: credits_grant(
            account=credit_account_get_or_create(customer=w.a.customer), credits=1, reason=t
        ),
    ),
    (
        "top-up reference",
        "reference_id",
        lambda w, t: credits_top_up(
            account=credit_account_get_or_create(customer=w.a.customer), credits=1, reference_id=t
        ),
    ),
    (
        "catalogue product name",
        "name",
        lambda w, t: product_save(name=t, kind="instant", minutes_max=60),
    ),
    (
        "catalogue product note",
        "note",
        lambda w, t: product_save(name="Correo", kind="instant", minutes_max=60, note=t),
    ),
    (
        "knowledge category name",
        "name_es",
        lambda w, t: category_save(Category(slug="otra", name_es=t)),
    ),
    ("article title", "title", lambda w, t: _article(title=t)),
    ("article body", "body", lambda w, t: _article(body=t)),
    (
        "calendar name",
        "name",
        lambda w, t: calendar_publish(slug="nuevo", name=t, calendar=_calendar()),
    ),
    (
        "calendar note",
        "note",
        lambda w, t: calendar_publish(slug="nuevo", name="Nuevo", calendar=_calendar(), note=t),
    ),
    (
        "calendar holiday name",
        "dates",
        lambda w, t: calendar_publish(
            slug="nuevo", name="Nuevo", calendar=_calendar(closures=[(date(2026, 12, 24), t)])
        ),
    ),
    ("policy name", "name", lambda w, t: _policy(w, name=t)),
    ("policy note", "note", lambda w, t: _policy(w, note=t)),
    (
        "resolution level name",
        "levels",
        lambda w, t: _policy(w, levels=[LevelSpec(1, t, timedelta(hours=2))]),
    ),
    (
        "article feedback comment",
        "comment",
        lambda w, t: article_feedback_give(
            article=_article(), voter="v1", helpful=False, at=timezone.now(), comment=t
        ),
    ),
]


@pytest.mark.parametrize("control", CONTROL)
@pytest.mark.parametrize(("field", "write"), [pytest.param(f, w, id=i) for i, f, w in WRITES])
def test_a_control_character_is_refused_on_its_field_and_nothing_is_written(
    world: World,  # noqa: F811
    field: str,
    write: Write,
    control: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        write(world, f"{MARK} antes{control}después")
    assert list(refused.value.fields) == [field]
    assert SHOWN in refused.value.message("es")
    assert _rows_with_mark() == []


MULTI_LINE = f"{MARK} línea uno\r\nlínea dos\n\tcon sangría"


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(w, id=i)
        for i, f, w in WRITES
        if i
        in {
            "customer address",
            "customer note",
            "ticket description",
            "agent reply",
            "work log note",
            "quote terms",
            "article body",
        }
    ],
)
def test_tabs_and_line_ends_stay_allowed_in_multi_line_texts(
    world: World,  # noqa: F811
    write: Write,
) -> None:
    write(world, MULTI_LINE)
    assert _rows_with_mark() != []


# --- the other entry points: the API and the admin ----------------------------------------


@pytest.mark.parametrize("control", CONTROL[1:])  # a NUL is refused by the API's own field
def test_the_api_answers_400_naming_the_field(world: World, control: str) -> None:  # noqa: F811
    answer = client_for(world.admin).post(
        "/api/v1/customers/",
        {
            "legal_name": f"{MARK} Andino{control} S.A.S.",
            "tax_id": "901234567-8",
            "country": "CO",
            "currency": "COP",
            "billing_email": "facturas@andino.example",
        },
        format="json",
    )
    assert answer.status_code == 400, answer.content
    assert list(answer.json()["fields"]) == ["legal_name"]
    assert _rows_with_mark() == []


@pytest.mark.parametrize("control", CONTROL[1:])
def test_the_api_refuses_a_ticket_description(world: World, control: str) -> None:  # noqa: F811
    answer = client_for(world.a.user).post(
        "/api/v1/tickets/",
        {"subject": "Caída", "description": f"{MARK}{control}"},
        format="json",
    )
    assert answer.status_code == 400, answer.content
    assert list(answer.json()["fields"]) == ["description"]
    assert _rows_with_mark() == []


def test_the_admin_shows_the_refusal_on_the_customers_field(world: World) -> None:  # noqa: F811
    client = Client()
    client.force_login(world.admin)
    customer = world.a.customer
    response = client.post(
        f"/admin/contracts/customer/{customer.pk}/change/",
        {
            "legal_name": customer.legal_name,
            "tax_id": customer.tax_id,
            "country": customer.country,
            "currency": customer.currency,
            "time_zone": customer.time_zone,
            "language": customer.language,
            "billing_email": customer.billing_email,
            "address": f"{MARK}\x1b[31m",
            "membership": customer.membership,
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 200  # the form again, not a redirect
    assert SHOWN in response.content.decode()
    assert _rows_with_mark() == []
