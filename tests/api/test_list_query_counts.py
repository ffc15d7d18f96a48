"""Every list under /api/v1/ costs the same number of queries with a few rows as with many
(issue 16): each row's related objects come in the page's own queries, never one per row.

The other lists are grown elsewhere: tickets, sessions, customers, contacts, contracts,
invoices, payments, intake attempts and a customer's credit entries and holds in
tests/web/test_query_counts.py and tests/api/test_tickets.py; activations in
tests/activations/test_query_counts.py; calendars and SLA policies in tests/api/test_sla_read.py.
`/top-ups/` only creates. Rows are written by the services the product writes them with, and
carry every related object the list shows, so a query per row would show in the count."""

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from activations.models import Activation
from activations.services import product_save
from contracts.models import Channel
from contracts.services import credit_pack_create, plan_create
from quotes.models import Quote
from quotes.services import quote_accept, quote_draft, quote_reject, quote_send
from sla.models import BusinessCalendar
from statuspage.models import Component, Impact, State
from statuspage.services import (
    incident_open,
    incident_ticket_link,
    incident_update_post,
    maintenance_cancel,
    maintenance_schedule,
)
from tests.api.conftest import client_for
from tests.factories import log_finished_work, make_service, make_staff_user
from tests.knowledge.conftest import make_article, make_category
from tests.quotes.conftest import (  # noqa: F401  (autouse fixture: the quote series row)
    CREDIT_LINES,
    MONEY_LINES,
    _quote_series,
)
from tests.web.conftest import Shop, shop, top_up  # noqa: F401  (fixture)
from tests.webhooks.conftest import receiver  # noqa: F401  (fixture)
from tickets.models import CannedReply, Ticket
from tickets.services.attachments import message_with_attachments
from tickets.services.canned import canned_reply_save
from tickets.services.charging import (
    session_cancel,
    session_mark_held,
    session_schedule,
)
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_agent_reply, ticket_customer_reply
from webhooks.services import (
    deliveries_create,
    delivery_attempt,
    event_id_for,
    webhook_endpoint_create,
)

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 30  # within one page (50 rows), so every row is rendered
_numbers = itertools.count(1)


@dataclass
class Desk:
    shop: Shop
    ticket: Ticket  # the per-ticket lists' ticket
    readers: dict[str, Any]  # role -> user
    fixture: Callable[[str], Any]  # pytest's getfixturevalue, for what one list alone needs


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def desk(shop, request) -> Desk:  # noqa: F811
    top_up(shop.customer, "500")
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="Correo caído"
    ).ticket
    readers = {
        "contact": shop.user,
        "agent": shop.agent,
        "manager": shop.manager,
        "admin": make_staff_user(username="raiz"),
    }
    return Desk(shop, ticket, readers, request.getfixturevalue)


def _png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "teal").save(out, "PNG")
    return SimpleUploadedFile("captura.png", out.getvalue(), content_type="image/png")


# --- what each list shows, grown by `count` rows -------------------------------------------


def _canned_replies(desk: Desk, count: int) -> None:
    for index in range(count):
        n = next(_numbers)
        spanish = index % 2 == 0
        canned_reply_save(
            CannedReply(
                title=f"Respuesta {n}",
                body="Hola {cliente}, revisamos {ticket}." if spanish else "Hi {customer}.",
                language="es" if spanish else "en",
            )
        )


def _webhook_endpoints(desk: Desk, count: int) -> None:
    """The customer's endpoints, and every third one for every customer (only admins read
    those)."""
    desk.fixture("settings").WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = True
    for index in range(count):
        for_all = index % 3 == 2
        webhook_endpoint_create(
            owner=desk.shop.manager,
            url=f"http://127.0.0.1:9/hooks/{next(_numbers)}",
            events=["ticket.created", "invoice.paid"],
            customer=None if for_all else desk.shop.customer,
            may_cover_all=for_all,
        )


def _webhook_deliveries(desk: Desk, count: int) -> None:
    """Deliveries to the customer's endpoint, each with a failed attempt and a delivered one
    in its log."""
    catcher = desk.fixture("receiver")
    desk.fixture("settings").WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = True
    endpoint = webhook_endpoint_create(
        owner=desk.shop.manager,
        url=f"{catcher.url}/{next(_numbers)}",  # one endpoint per destination and customer
        events=["ticket.created"],
        customer=desk.shop.customer,
        may_cover_all=False,
    )
    for _index in range(count):
        [delivery] = deliveries_create(
            endpoints=[endpoint],
            event_type="ticket.created",
            customer_id=desk.shop.customer.pk,
            data={"number": next(_numbers)},
            event_id=event_id_for(""),
            occurred_at=timezone.now(),
        )
        catcher.answers.append(500)
        delivery_attempt(delivery.pk, 1)
        delivery_attempt(delivery.pk, 2)


def _articles(desk: Desk, count: int) -> None:
    """Published articles about mail, in categories of their own, some translated and some
    for the customer's plan only."""
    plan = desk.shop.contract.plan
    for index in range(count):
        n = next(_numbers)
        category = make_category(f"categoria-{n}", f"Categoría {n}", name_en=f"Category {n}")
        spanish = make_article(
            f"Correo {n}: configurar la casilla",
            "Configure el correo en el panel.",
            category=category,
            plans=[plan] if index % 3 == 1 else None,
        )
        if index % 2 == 0:
            make_article(
                f"Email {n}: set up the mailbox",
                "Set up the email in the panel.",
                language="en",
                category=category,
                translation=spanish,
            )


def _quotes(desk: Desk, count: int) -> None:
    """Quotes on requests of their own: accepted into an invoice, accepted into a hold,
    rejected, and drafts (only staff read those)."""
    valid_until = timezone.localdate() + timedelta(days=30)
    for index in range(count):
        subject = f"Migración {next(_numbers)}"
        ticket = ticket_open(
            channel=Channel.PORTAL, requester=desk.shop.contact, subject=subject
        ).ticket
        money = index % 4 != 1
        quote = quote_draft(
            ticket=ticket,
            kind=Quote.Kind.MONEY if money else Quote.Kind.CREDITS,
            lines=MONEY_LINES if money else CREDIT_LINES,
            valid_until=valid_until,
            by=desk.shop.agent,
        )
        if index % 4 == 3:
            continue
        quote = quote_send(quote, by=desk.shop.agent)
        if index % 4 == 2:
            quote_reject(quote, contact=desk.shop.contact, by=desk.shop.user, reason="Caro")
        else:
            quote_accept(quote, contact=desk.shop.contact, by=desk.shop.user)


def _activation_products(desk: Desk, count: int) -> None:
    calendar = BusinessCalendar.objects.get(slug="bogota")
    for index in range(count):
        name = f"Producto {next(_numbers)}"
        if index % 2:
            product_save(name=name, kind=Activation.Kind.INSTANT, minutes_max=30)
        else:
            product_save(
                name=name,
                kind=Activation.Kind.BUSINESS_DAYS,
                business_days_min=2,
                business_days_max=5,
                calendar=calendar,
                prerequisite="Textos del sitio",
            )


def _components(desk: Desk, count: int) -> list[Component]:
    """Components as the admin saves them, each over a service type of its own (every
    third over none: it carries every service)."""
    made = []
    for index in range(count):
        n = next(_numbers)
        component = Component.objects.create(
            code=f"componente-{n}", name=f"Componente {n}", name_en=f"Component {n}", position=n
        )
        if index % 3:
            component.services.set([make_service()])
        made.append(component)
    return made


def _incidents(desk: Desk, count: int) -> None:
    """Incidents on two components each, with updates, some resolved, linked to the
    customer's requests (while open: a resolved incident takes no new link)."""
    components = _components(desk, 2)
    for index in range(count):
        incident = incident_open(
            title=f"Falla {next(_numbers)}",
            body="Investigamos.",
            impact=Impact.PARTIAL,
            components=components,
            by=desk.shop.agent,
        )
        incident_ticket_link(incident, desk.ticket, by=desk.shop.agent)
        incident_update_post(incident, state=State.IDENTIFIED, body="Causa hallada.")
        if index % 2:
            incident_update_post(incident, state=State.RESOLVED, body="Listo.")


def _maintenance(desk: Desk, count: int) -> None:
    components = _components(desk, 2)
    now = timezone.now()
    for index in range(count):
        window = maintenance_schedule(
            title=f"Mantenimiento {next(_numbers)}",
            components=components,
            starts_at=now + timedelta(days=index + 1),
            ends_at=now + timedelta(days=index + 1, hours=2),
            by=desk.shop.agent,
        )
        if index % 3 == 2:
            maintenance_cancel(window, by=desk.shop.agent)


def _status_page(desk: Desk, count: int) -> None:
    _components(desk, count)
    _incidents(desk, count)
    _maintenance(desk, count)


def _plans(desk: Desk, count: int) -> None:
    policy = desk.shop.contract.plan.sla_policy
    for _index in range(count):
        n = next(_numbers)
        plan_create(
            currency="COP",
            code=f"plan-lista-{n}",
            name=f"Plan {n}",
            monthly_fee="120900",
            credit_price="95000",
            sla_policy=policy,
            allowed_channels=[Channel.PORTAL, Channel.API],
        )


def _credit_packs(desk: Desk, count: int) -> None:
    plan = desk.shop.contract.plan
    for _index in range(count):
        credit_pack_create(
            plan=plan, name=f"Paquete {next(_numbers)}", credits=Decimal("5"), price="450000"
        )


def _services(desk: Desk, count: int) -> None:
    policy = desk.shop.contract.plan.sla_policy
    for index in range(count):
        make_service(
            sla_policy=policy if index % 2 else None,
            allowed_channels=[Channel.PHONE] if index % 3 == 0 else [],
        )


def _messages(desk: Desk, count: int) -> None:
    """Replies both ways, internal notes, and every other message with a picture."""
    ticket = desk.ticket
    writers = [
        lambda: ticket_customer_reply(ticket, contact=desk.shop.contact, body="Sigue caído."),
        lambda: ticket_agent_reply(ticket, by=desk.shop.agent, body="Revisando."),
        lambda: ticket_agent_reply(ticket, by=desk.shop.agent, body="Nota", public=False),
    ]
    for index in range(count):
        write = writers[index % len(writers)]
        if index % 2:
            message_with_attachments(files=[_png()], write=write)
        else:
            write()


def _work_logs(desk: Desk, count: int) -> None:
    for index in range(count):
        log_finished_work(
            desk.ticket,
            by=desk.shop.agent,
            started_at=desk.ticket.opened_at,
            minutes=30,
            note=f"Diagnóstico {index}",
            onsite=index % 5 == 0,
            billable=index % 4 != 3,
        )


def _sessions(desk: Desk, count: int) -> None:
    now = timezone.now()
    for index in range(count):
        session = session_schedule(
            desk.ticket, by=desk.shop.agent, starts_at=now + timedelta(days=index + 1)
        )
        if index % 3 == 1:
            session_mark_held(session)
        elif index % 3 == 2:
            session_cancel(session)


@dataclass(frozen=True)
class Listing:
    url: str
    readers: tuple[str, ...]
    grow: Callable[[Desk, int], object]


LISTINGS = [
    Listing("/api/v1/canned-replies/", ("agent",), _canned_replies),
    Listing("/api/v1/webhook-endpoints/", ("manager", "admin"), _webhook_endpoints),
    Listing("/api/v1/webhook-deliveries/", ("manager", "admin"), _webhook_deliveries),
    Listing("/api/v1/articles/", ("contact", "agent"), _articles),
    Listing("/api/v1/articles/?q=correo", ("contact", "agent"), _articles),
    Listing("/api/v1/quotes/", ("contact", "agent"), _quotes),
    Listing("/api/v1/activation-products/", ("contact", "manager"), _activation_products),
    Listing("/api/v1/status/", ("contact",), _status_page),
    Listing("/api/v1/status/components/", ("contact", "agent"), _components),
    Listing("/api/v1/status/incidents/", ("contact", "agent"), _incidents),
    Listing("/api/v1/status/maintenance/", ("contact", "agent"), _maintenance),
    Listing("/api/v1/plans/", ("contact", "admin"), _plans),
    Listing("/api/v1/credit-packs/", ("contact", "admin"), _credit_packs),
    Listing("/api/v1/services/", ("contact", "admin"), _services),
    Listing("/api/v1/tickets/{ticket}/messages/", ("contact", "agent"), _messages),
    Listing("/api/v1/tickets/{ticket}/work-logs/", ("contact", "agent"), _work_logs),
    Listing("/api/v1/tickets/{ticket}/sessions/", ("contact", "agent"), _sessions),
]


def _reads(desk: Desk, listing: Listing) -> dict[str, tuple[int, int]]:
    """Each reader's (queries, rows shown) for the list; a document that is not a page (the
    status page) shows the rows of all its lists."""
    url = listing.url.format(ticket=desk.ticket.pk)
    reads = {}
    for who in listing.readers:
        client = client_for(desk.readers[who])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (who, url, response.content[:300])
        body = response.json()
        rows = (
            [body["results"]]
            if "results" in body
            else [value for value in body.values() if isinstance(value, list)]
        )
        reads[who] = (len(queries), sum(len(row) for row in rows))
    return reads


@pytest.mark.parametrize("listing", LISTINGS, ids=lambda listing: listing.url)
def test_a_list_costs_the_same_queries_for_few_and_many_rows(desk, listing):
    listing.grow(desk, FEW)
    few = _reads(desk, listing)
    listing.grow(desk, MANY - FEW)
    many = _reads(desk, listing)

    assert {who: read[0] for who, read in many.items()} == {
        who: read[0] for who, read in few.items()
    }
    # a reader who saw none of the new rows would prove nothing
    assert all(many[who][1] > few[who][1] for who in many), (few, many)
