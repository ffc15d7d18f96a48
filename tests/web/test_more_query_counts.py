"""The pages `test_query_counts.py` does not grow (issue 16: "every page and list endpoint has
a fixed number of queries whatever the number of rows"): the help centre, an incident's
pages and the maintenance banners, the activation catalogue, a quote's lines, a ticket's
quotes, incidents and attachments, reported transfers, webhooks, the auto top-up attempts,
an invoice's lines, payments and credit notes, a customer's page and the billing runs.

Each case counts a page with a few rows, adds many more (each carrying every related row
the page prints, so one query per row would show), and counts again: the count must not
move, and the page must show more rows the second time (an empty page proves nothing)."""

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from djmoney.money import Money
from PIL import Image

from activations.models import Activation
from activations.services import product_save
from billing.models import AutoTopUpAttempt, Payment
from billing.services import credit_note_issue
from billing.services.autotopup import (
    auto_top_up_charge,
    auto_top_up_check,
    auto_top_up_configure,
    card_setup_finish,
    card_setup_start,
)
from billing.services.payments import payment_record
from billing.services.run import Period, billing_run_request
from billing.services.transfers import transfer_confirm, transfer_reject, transfer_report
from contracts.models import Channel
from contracts.services import (
    contract_reactivate,
    contract_suspend,
    customer_note_add,
    customer_today,
)
from creditdesk.web.selectors import credits_summary
from credits.services import credit_account_get_or_create, credits_charge, credits_grant
from knowledge.models import ArticleView
from knowledge.services import article_feedback_give, article_view_record
from quotes.models import Quote, QuoteSeries
from quotes.services import quote_draft, quote_send
from sla.models import BusinessCalendar
from statuspage import services as status_services
from statuspage.models import Impact, State
from tests.billing.test_auto_top_up import OK_CARD, browser_saves_card
from tests.factories import (
    log_finished_work,
    make_agent,
    make_contact,
    make_contract,
    make_customer,
    make_finance_user,
    make_invoice,
    make_portal_user,
    make_staff_user,
)
from tests.knowledge.conftest import kb, make_article, make_category  # noqa: F401  (fixture)
from tests.statuspage.conftest import catalogue  # noqa: F401  (fixture)
from tests.web.conftest import top_up
from tests.web.test_query_counts import _clients
from tests.webhooks.conftest import receiver  # noqa: F401  (fixture)
from tickets.services.attachments import message_with_attachments
from tickets.services.charging import session_mark_no_show, session_schedule
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_agent_reply, ticket_assign
from webhooks import services as webhook_services

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)


@dataclass(frozen=True)
class Page:
    """A page as one reader opens it, and what marks each row of its growing lists."""

    client: Client
    url: str
    rows: tuple[str, ...]


@dataclass(frozen=True)
class Cost:
    queries: int
    rows: tuple[int, ...]


def _cost(page: Page) -> Cost:
    with CaptureQueriesContext(connection) as queries:
        response = page.client.get(page.url)
    assert response.status_code == 200, (page.url, response.status_code)
    content = response.content.decode()
    return Cost(len(queries), tuple(content.count(marker) for marker in page.rows))


def _grew(few: Cost, many: Cost) -> bool:
    return all(after > before for after, before in zip(many.rows, few.rows, strict=True))


def _costs(pages: dict[str, Page]) -> dict[str, Cost]:
    return {name: _cost(page) for name, page in pages.items()}


def _assert_fixed_cost(pages: dict[str, Page], grow: Callable[[], None]) -> None:
    few = _costs(pages)
    grow()
    many = _costs(pages)
    assert {name: cost.queries for name, cost in many.items()} == {
        name: cost.queries for name, cost in few.items()
    }
    not_grown = {
        name: (few[name], many[name]) for name in pages if not _grew(few[name], many[name])
    }
    assert not not_grown


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# --- the help centre ------------------------------------------------------------------------


def _articles(kb, count: int) -> None:  # noqa: F811
    """Articles in the mail category and new ones, some for the plan only, some translated,
    each read and answered by the contact this month (the report's rows)."""
    now = timezone.now()
    for index in range(count):
        n = next(_serial)
        category = (
            make_category("correo") if index % 2 == 0 else make_category(f"tema-{n}", f"Tema {n}")
        )
        article = make_article(
            f"Correo: pregunta frecuente {n}",
            f"Respuesta sobre el correo número {n}.",
            category=category,
            summary=f"Resumen {n}.",
            plans=[kb.plan] if index % 3 == 0 else None,
        )
        if index % 4 == 1:
            make_article(
                f"Email: frequent question {n}",
                f"An answer about email number {n}.",
                language="en",
                category=category,
                translation=article,
            )
        article_view_record(
            article=article, source=ArticleView.Source.BROWSING, at=now, contact=kb.contact
        )
        article_feedback_give(
            article=article,
            voter=f"contact:{kb.contact.pk}",
            helpful=index % 2 == 0,
            at=now,
            contact=kb.contact,
        )


def test_the_help_centre_and_an_article_cost_the_same_with_few_and_many_articles(kb):  # noqa: F811
    article_feedback_give(
        article=kb.mail,
        voter=f"contact:{kb.contact.pk}",
        helpful=True,
        at=timezone.now(),
        contact=kb.contact,
    )
    listed = ('<li><a href="/help/',)
    article = f"/help/{kb.mail.slug}/"
    pages = {
        "anonymous index": Page(_client(), "/help/", listed),
        "contact index": Page(_client(kb.user), "/help/", listed),
        "contact search": Page(_client(kb.user), "/help/?q=correo", listed),
        "contact category": Page(_client(kb.user), "/help/?category=correo", listed),
        "staff index": Page(_client(kb.agent), "/help/", listed),
        "contact article": Page(_client(kb.user), article, listed),
        "anonymous article": Page(_client(), article, listed),
        "report": Page(_client(kb.agent), "/workspace/knowledge/", ('data-testid="article-row"',)),
        "suggestions": Page(
            _client(kb.user), "/help/suggestions.json?q=pregunta%20frecuente", ('"url"',)
        ),
    }
    _articles(kb, 2)

    _assert_fixed_cost(pages, lambda: _articles(kb, 30))


# --- the status page ------------------------------------------------------------------------


def _linked_tickets(shop, incident, count: int) -> None:
    """Requests linked to the incident, and a new update sent to every open one."""
    top_up(shop.customer, str(3 * count))
    for index in range(count):
        ticket = ticket_open(
            channel=Channel.PORTAL, requester=shop.contact, subject=f"Sin correo {index}"
        ).ticket
        assert ticket is not None
        status_services.incident_ticket_link(incident, ticket, by=shop.agent)
    for index in range(count):
        status_services.incident_update_post(
            incident,
            state=State.IDENTIFIED if index % 2 else State.MONITORING,
            body=f"Avance {next(_serial)}.",
            body_en="Progress.",
            impact=Impact.PARTIAL if index % 2 else Impact.MAJOR,
            by=shop.agent,
        )
    status_services.incident_update_send(incident.updates.order_by("-pk").first(), by=shop.agent)


def test_an_incidents_pages_cost_the_same_with_few_and_many_updates_and_tickets(
    catalogue,  # noqa: F811
    shop,
):
    incident = status_services.incident_open(
        title="Correo caído",
        body="Investigamos.",
        impact=Impact.MAJOR,
        components=[catalogue.mail_component, catalogue.panel],
        by=shop.agent,
    )
    clients = _clients(shop)
    updates = ('id="update-',)
    pages = {
        "public": Page(_client(), f"/status/incidents/{incident.pk}/", updates),
        "contact": Page(clients["contact"], f"/status/incidents/{incident.pk}/", updates),
        "workspace": Page(
            clients["agent"],
            f"/workspace/status/incidents/{incident.pk}/",
            ('data-testid="update"', 'data-testid="linked-ticket"'),
        ),
        "admin": Page(
            clients["admin"],
            f"/workspace/status/incidents/{incident.pk}/",
            ('data-testid="update"', 'data-testid="linked-ticket"'),
        ),
        "feed": Page(_client(), "/status/feed.atom", ("<entry>",)),
    }
    _linked_tickets(shop, incident, 2)

    _assert_fixed_cost(pages, lambda: _linked_tickets(shop, incident, 30))


def _maintenance(shop, catalogue, count: int) -> None:  # noqa: F811
    """Windows under way and coming, over the customer's components and others, some
    cancelled (the workspace lists those too)."""
    now = timezone.now()
    components = [
        [catalogue.mail_component],
        [catalogue.hosting_component, catalogue.panel],
        [catalogue.vps_component],
    ]
    for index in range(count):
        starts = now + timedelta(hours=index % 5 - 1)
        window = status_services.maintenance_schedule(
            title=f"Mantenimiento {next(_serial)}",
            title_en="Maintenance",
            description="Cambio de discos.",
            components=components[index % 3],
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            by=shop.agent,
        )
        if index % 7 == 6:
            status_services.maintenance_cancel(window, by=shop.agent)


def test_maintenance_costs_the_same_few_or_many_on_every_page_that_lists_it(
    catalogue,  # noqa: F811
    shop,
):
    clients = _clients(shop)
    banner = ('data-testid="status-notice-maintenance"',)
    pages = {
        "public": Page(_client(), "/status/", ('data-testid="maintenance"',)),
        "json": Page(_client(), "/status.json", ('"starts_at"',)),
        "workspace": Page(
            clients["agent"], "/workspace/status/", ('data-testid="maintenance-row"',)
        ),
        "dashboard": Page(clients["contact"], "/portal/", banner),
        "request form": Page(clients["contact"], "/portal/tickets/new/", banner),
    }
    _maintenance(shop, catalogue, 2)

    _assert_fixed_cost(pages, lambda: _maintenance(shop, catalogue, 30))


# --- activations ------------------------------------------------------------------------------


def _products(count: int) -> None:
    calendar = BusinessCalendar.objects.get(slug="bogota")
    for index in range(count):
        n = next(_serial)
        if index % 2:
            product_save(name=f"Hosting {n}", kind=Activation.Kind.INSTANT, minutes_max=30 + n)
        else:
            product_save(
                name=f"Portal {n}",
                kind=Activation.Kind.BUSINESS_DAYS,
                business_days_min=2,
                business_days_max=5,
                calendar=calendar,
                prerequisite="Textos confirmados",
            )


def test_the_activation_catalogue_costs_the_same_with_few_and_many_products(shop):
    clients = _clients(shop)
    rows = ('href="/workspace/activations/products/',)
    pages = {
        "agent": Page(clients["agent"], "/workspace/activations/products/", ("<tr>",)),
        "manager": Page(clients["manager"], "/workspace/activations/products/", rows),
        "purchase form": Page(clients["manager"], "/workspace/activations/new/", ("<option",)),
    }
    _products(2)

    _assert_fixed_cost(pages, lambda: _products(30))


# --- quotes -----------------------------------------------------------------------------------


def _quote(shop, ticket, lines: int, *, kind: str = Quote.Kind.MONEY) -> Quote:
    if kind == Quote.Kind.MONEY:
        rows = [
            {"description": f"Tarea {n}", "quantity": "2", "unit_price": "150000.50"}
            for n in range(lines)
        ]
    else:
        rows = [{"description": f"Tarea {n}", "credits": "1.5"} for n in range(lines)]
    quote = quote_draft(
        ticket=ticket,
        kind=kind,
        lines=rows,
        valid_until=timezone.localdate() + timedelta(days=10),
        terms="Pago a 30 días.",
        by=shop.agent,
    )
    return quote_send(quote, by=shop.agent)


@pytest.fixture
def quote_series():
    QuoteSeries.objects.get_or_create(code="PR", defaults={"prefix": "PR"})


@pytest.mark.parametrize("kind", [Quote.Kind.MONEY, Quote.Kind.CREDITS])
def test_a_quote_costs_the_same_with_few_and_many_lines(shop, quote_series, kind):
    top_up(shop.customer, "5")
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="Migrar el correo"
    ).ticket
    clients = _clients(shop)
    few = _quote(shop, ticket, 2, kind=kind)
    many = _quote(shop, ticket, 30, kind=kind)
    line = ('data-label="Descripción"',)

    for who, url in (("agent", "/workspace/quotes/{}/"), ("contact", "/portal/quotes/{}/")):
        small = _cost(Page(clients[who], url.format(few.pk), line))
        large = _cost(Page(clients[who], url.format(many.pk), line))
        assert large.queries == small.queries, who
        assert _grew(small, large), who


# --- a ticket's quotes, incidents, attachments, work and sessions ----------------------------


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


def _ticket_extras(shop, catalogue, ticket, count: int) -> None:  # noqa: F811
    """Sent quotes in money and credits, open incidents linked, replies with attachments,
    work logged by agents and sessions (one a no-show, charged)."""
    agents = [shop.agent, make_agent(username=f"agente-{next(_serial)}")]
    for index in range(count):
        agent = agents[index % 2]
        _quote(shop, ticket, 1, kind=Quote.Kind.MONEY if index % 2 else Quote.Kind.CREDITS)
        incident = status_services.incident_open(
            title=f"Falla {next(_serial)}",
            body="Investigamos.",
            impact=Impact.PARTIAL,
            components=[catalogue.mail_component],
            by=agent,
        )
        status_services.incident_ticket_link(incident, ticket, by=agent)
        message_with_attachments(
            files=[
                SimpleUploadedFile(f"captura-{index}.png", _png(), content_type="image/png"),
                SimpleUploadedFile(f"nota-{index}.txt", b"registro", content_type="text/plain"),
            ],
            write=lambda agent=agent, index=index: ticket_agent_reply(
                ticket, by=agent, body=f"Adjunto {index}."
            ),
        )
        log_finished_work(
            ticket, by=agent, minutes=15, started_at=ticket.opened_at, note=f"Revisión {index}"
        )
        session = session_schedule(ticket, by=agent, starts_at=ticket.opened_at, minutes=30)
        if index % 3 == 0:
            session_mark_no_show(session, by=agent)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (20, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_tickets_pages_cost_the_same_with_few_and_many_quotes_incidents_and_files(
    catalogue,  # noqa: F811
    shop,
    quote_series,
    private_root,
):
    top_up(shop.customer, "200")
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Correo").ticket
    ticket_assign(ticket, assignee=shop.agent, by=shop.agent)
    clients = _clients(shop)
    quotes = ('href="/portal/quotes/',)
    files = ('href="/attachments/',)
    pages = {
        "agent": Page(
            clients["agent"],
            f"/workspace/tickets/{ticket.number}/",
            ('href="/workspace/quotes/', 'href="/workspace/status/incidents/', *files),
        ),
        "manager": Page(
            clients["manager"],
            f"/workspace/tickets/{ticket.number}/",
            ('href="/workspace/quotes/',),
        ),
        "contact": Page(clients["contact"], f"/portal/tickets/{ticket.number}/", (*quotes, *files)),
    }
    _ticket_extras(shop, catalogue, ticket, 2)

    _assert_fixed_cost(pages, lambda: _ticket_extras(shop, catalogue, ticket, 15))


# --- bank transfers ---------------------------------------------------------------------------


def _transfers(shop, count: int, finance) -> None:
    """Reports of the shop's invoices and of its pack, and another customer's of the same
    manager: pending, confirmed (with their payment) and rejected."""
    other = make_customer(account_manager=shop.manager)
    make_contract(other, shop.contract.plan)
    reporter = make_portal_user(make_contact(other), username=f"otro-{next(_serial)}")
    today = customer_today(shop.customer)
    for index in range(count):
        customer, by = (shop.customer, shop.user) if index % 4 else (other, reporter)
        state = ("PEN", "DEC", "DEC")[index % 3]
        if index % 2:
            invoice = make_invoice(customer, issue=True)
            target = {"invoice": invoice, "amount": invoice.total}
        else:
            target = {"credit_pack": shop.pack, "amount": Money("1071000", customer.currency)}
        report = transfer_report(
            customer=customer,
            by=by,
            transferred_on=today,
            reference=f"{state}-{next(_serial)}",
            filename="comprobante.pdf",
            content=_pdf(),
            **target,
        )
        if state == "DEC" and index % 2:
            transfer_confirm(report=report, by=finance)
        elif state == "DEC":
            transfer_reject(report=report, by=finance, reason="No aparece en el banco.")


def _pdf() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (255, 255, 255)).save(buffer, format="PDF")
    return buffer.getvalue()


def test_reported_transfers_cost_the_same_with_few_and_many_reports(shop, private_root):
    clients = _clients(shop)
    finance = make_finance_user(username=f"finanzas-{next(_serial)}")
    pages = {
        "contact": Page(clients["contact"], "/portal/transfers/", ('/proof/"', "<option")),
        "finance": Page(
            clients["finance"], "/workspace/finance/transfers/", ('data-testid="transfer-', "DEC-")
        ),
        "admin": Page(
            clients["admin"], "/workspace/finance/transfers/", ('data-testid="transfer-', "DEC-")
        ),
    }
    _transfers(shop, 3, finance)

    _assert_fixed_cost(pages, lambda: _transfers(shop, 30, finance))


# --- webhooks ---------------------------------------------------------------------------------


def _webhooks(shop, admin, receiver, count: int) -> None:  # noqa: F811
    """Endpoints of the manager's customers and the admin's for everyone, each with
    deliveries: tried once (delivered or failed) or still waiting."""
    receiver.answers.extend([200, 500] * count)
    for index in range(count):
        customer = shop.customer if index % 2 else make_customer(account_manager=shop.manager)
        endpoint = webhook_services.webhook_endpoint_create(
            owner=shop.manager if index % 3 else admin,
            url=f"{receiver.url}/{next(_serial)}",
            events=["ticket.created", "invoice.paid"],
            customer=customer if index % 3 else None,
            may_cover_all=not index % 3,
        )
        for delivery in webhook_services.deliveries_create(
            endpoints=[endpoint],
            event_type="ticket.created",
            customer_id=customer.pk,
            data={"number": f"T-{index}"},
            event_id=webhook_services.event_id_for(""),
            occurred_at=timezone.now(),
        ):
            if index % 4:
                webhook_services.delivery_attempt(delivery.pk, 1)


def test_webhooks_cost_the_same_with_few_and_many_endpoints_and_deliveries(shop, receiver):  # noqa: F811
    clients = _clients(shop)
    admin = make_staff_user(username=f"raiz-{next(_serial)}", is_superuser=True)
    rows = ('data-testid="webhook-endpoint"', 'data-testid="webhook-delivery"')
    pages = {
        "manager": Page(clients["manager"], "/workspace/webhooks/", rows),
        "admin": Page(clients["admin"], "/workspace/webhooks/", rows),
    }
    _webhooks(shop, admin, receiver, 2)

    _assert_fixed_cost(pages, lambda: _webhooks(shop, admin, receiver, 30))


# --- auto top-up ------------------------------------------------------------------------------


def _auto_top_up_on_a_saved_card(settings, shop) -> None:
    """The shop's customer with 8 credits, a card saved through Stripe and automatic top-ups
    of the shop's pack below 5 credits."""
    top_up(shop.customer, "8")
    started = card_setup_start(customer=shop.customer)
    card_setup_finish(
        customer=shop.customer,
        setup_intent_id=browser_saves_card(settings, started.client_secret, OK_CARD),
    )
    auto_top_up_configure(
        customer=shop.customer, enabled=True, threshold_credits="5", credit_pack=shop.pack
    )


def _crossings(shop, count: int) -> None:
    """Credits taken below the threshold, the card charged off-session, back above."""
    account = credit_account_get_or_create(customer=shop.customer)
    for _index in range(count):
        available = Decimal(credits_summary(customer=shop.customer, now=timezone.now()).available)
        credits_charge(account=account, credits=available - Decimal("4"), reason="trabajo")
        attempt = auto_top_up_check(customer_id=shop.customer.pk)
        assert attempt is not None
        assert auto_top_up_charge(attempt_id=attempt.pk) == AutoTopUpAttempt.Status.SUCCEEDED
        assert auto_top_up_check(customer_id=shop.customer.pk) is None  # re-armed


def test_the_credits_page_costs_the_same_with_few_and_many_auto_top_ups(
    settings,
    stripe_settings,
    shop,
):
    _auto_top_up_on_a_saved_card(settings, shop)
    pages = {
        "contact": Page(
            _clients(shop)["contact"], "/portal/credits/", ('href="/portal/credits/auto-top-up/',)
        ),
    }
    _crossings(shop, 2)

    _assert_fixed_cost(pages, lambda: _crossings(shop, 10))


# --- an invoice, a customer, the billing runs -------------------------------------------------


def _invoice(shop, lines: int, finance):
    """An issued invoice with `lines` lines, as many part payments (each flagged: it does not
    match the invoice) and credit notes."""
    invoice = make_invoice(
        shop.customer,
        contract=shop.contract,
        lines=[(f"Servicio {n}", Money("100000", "COP")) for n in range(lines)],
        issue=True,
    )
    today = customer_today(shop.customer)
    for n in range(lines):
        payment_record(
            customer=shop.customer,
            amount=Money("10000", "COP"),
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref=f"TR-{next(_serial)}",
            received_on=today,
            invoice=invoice,
            by=finance,
        )
        credit_note_issue(
            invoice=invoice, reason=f"Descuento {n}", amount=Money("1000", "COP"), by=finance
        )
    return invoice


def test_an_invoice_costs_the_same_with_few_and_many_lines_payments_and_notes(shop):
    finance = make_finance_user(username=f"finanzas-{next(_serial)}")
    client = _client(finance)
    rows = ('data-label="Descripción"', 'data-testid="payment-row"', "Descuento ")
    few = _cost(Page(client, f"/workspace/finance/invoices/{_invoice(shop, 2, finance).pk}/", rows))
    many = _cost(
        Page(client, f"/workspace/finance/invoices/{_invoice(shop, 30, finance).pk}/", rows)
    )

    assert many.queries == few.queries
    assert _grew(few, many), (few, many)


def _history(shop, count: int) -> None:
    """Contacts (every other one may not ask, and is refused at intake), notes, grants,
    suspensions and reactivations, payments, requests: everything the page and its timeline
    list."""
    account = credit_account_get_or_create(customer=shop.customer)
    today = customer_today(shop.customer)
    for index in range(count):
        n = next(_serial)
        contact = make_contact(shop.customer, name=f"Contacto {n}", can_request=index % 2 == 0)
        if not contact.can_request:
            refused = ticket_open(channel=Channel.PORTAL, requester=contact, subject="Ayuda")
            assert not refused.accepted
        customer_note_add(customer=shop.customer, author=shop.manager, text=f"Nota {n}")
        credits_grant(account=account, credits="1", reason=f"Cortesía {n}", by=shop.manager)
        contract_suspend(shop.contract, by=shop.manager, reason=f"Mora {n}")
        contract_reactivate(shop.contract, by=shop.manager, reason="Pagó")
        payment_record(
            customer=shop.customer,
            amount=Money("1071000", "COP"),
            provider=Payment.Provider.CASH,
            provider_ref=f"CA-{n}",
            received_on=today,
            credit_pack=shop.pack,
        )
        ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject=f"Caso {n}")


def test_a_customers_page_costs_the_same_with_a_short_and_a_long_history(shop):
    clients = _clients(shop)
    rows = ('data-testid="contact-row"', '<li class="message')
    url = f"/workspace/customers/{shop.customer.pk}/"
    pages = {
        "manager": Page(clients["manager"], url, rows),
        "admin": Page(clients["admin"], url, rows),
        "agent": Page(clients["agent"], url, ('data-testid="contact-row"',)),
    }
    top_up(shop.customer, "100")
    _history(shop, 2)

    _assert_fixed_cost(pages, lambda: _history(shop, 30))


def _runs(finance, months: range) -> None:
    for month in months:
        billing_run_request(period=Period.parse(f"2025-{month:02d}"), by=finance)


def test_the_billing_runs_page_costs_the_same_with_few_and_many_runs(shop):
    clients = _clients(shop)
    pages = {"finance": Page(clients["finance"], "/workspace/finance/billing-run/", ("2025",))}
    _runs(make_finance_user(username=f"finanzas-{next(_serial)}"), range(1, 3))

    _assert_fixed_cost(
        pages, lambda: _runs(make_finance_user(username=f"f-{next(_serial)}"), range(3, 13))
    )
