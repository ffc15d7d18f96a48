"""The pages and downloads the other query-count tests leave out (issue 16: "every page and
list endpoint has a fixed number of queries whatever the number of rows"): an activation's
page, a product's page, a payment's page, an auto top-up attempt's page, the reopen link's
page, the workspace's customer and contact forms, a webhook's form, the new quote form, the
month's SLA report (its CSV and PDF, in the portal and the API) and the finance export's
files (CSV and XLSX, in the workspace and the API).

Where a page lists rows that grow (an activation's steps, the calendars a product may run
on, the account managers an admin may name, the month's breaches, the export's documents),
the case adds many more and the page must show more of them at the same count. Where what
a page shows is bounded (one payment, one attempt, one ticket's subject), the case grows the
rows around it (the customer's other payments, attempts, tickets, contacts) and the page
must still show its object at the same count."""

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
import time_machine
from djmoney.money import Money

from activations.models import Activation
from activations.services import activation_purchase, activation_step_meet, product_save
from billing.models import Payment
from billing.services.payments import payment_record
from contracts.models import Channel
from contracts.services import customer_today
from sla.models import BusinessCalendar
from tests.api.test_detail_query_counts import Answer, _pdf_rows, _read, ticket_created_delivery
from tests.factories import make_account_manager, make_contact
from tests.web.conftest import top_up
from tests.web.test_finance_pages import _documents
from tests.web.test_more_query_counts import (
    Page,
    _assert_fixed_cost,
    _auto_top_up_on_a_saved_card,
    _client,
    _cost,
    _costs,
    _crossings,
    _grew,
    _serial,
)
from tests.web.test_query_counts import _clients
from tests.webhooks.conftest import endpoint_for, receiver  # noqa: F401  (fixture)
from tickets.models import Ticket, TicketEvent
from tickets.reopen_links import reopen_token, resolution_event
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import (
    ticket_agent_reply,
    ticket_reopen,
    ticket_resolve,
)
from webhooks import services as webhook_services

pytestmark = pytest.mark.django_db


def _assert_bounded_cost(
    pages: dict[str, Page], grow: Callable[[], None], *, growing: frozenset[str] = frozenset()
) -> None:
    """`_assert_fixed_cost` for pages that show one object: the count must not move and each
    page must show its object both times; the pages named in `growing` also list rows that
    grew, and must show more of them."""
    few = _costs(pages)
    grow()
    many = _costs(pages)
    assert {name: cost.queries for name, cost in many.items()} == {
        name: cost.queries for name, cost in few.items()
    }
    blank = [name for name in pages if not (all(few[name].rows) and all(many[name].rows))]
    assert not blank, (few, many)
    not_grown = {
        name: (few[name], many[name]) for name in growing if not _grew(few[name], many[name])
    }
    assert not not_grown


# --- an activation ----------------------------------------------------------------------------


def test_an_activations_page_costs_the_same_bare_or_with_its_request_payment_and_steps(
    shop, django_capture_on_commit_callbacks
):
    """An instant product's activation (one step, unpaid, no request) against a business-days
    one with a prerequisite, a request, its payment credited and every step met."""
    calendar = BusinessCalendar.objects.get(slug="bogota")
    instant = product_save(name="Hosting", kind=Activation.Kind.INSTANT, minutes_max=30)
    portal = product_save(
        name="Portal Noticioso",
        kind=Activation.Kind.BUSINESS_DAYS,
        business_days_min=2,
        business_days_max=5,
        calendar=calendar,
        prerequisite="Textos confirmados",
    )
    top_up(shop.customer, "5")
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Portal").ticket
    price = Money("100000", "COP")
    bare = activation_purchase(
        customer=shop.customer, product=instant, unit_price=price, by=shop.manager
    )
    full = activation_purchase(
        customer=shop.customer,
        product=portal,
        unit_price=price,
        ticket_number=ticket.number,
        by=shop.manager,
    )
    with django_capture_on_commit_callbacks(execute=True):  # the task ticks "pago acreditado"
        payment_record(
            customer=shop.customer,
            amount=full.invoice.total,
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref="TR-ACT-1",
            received_on=customer_today(shop.customer),
            invoice=full.invoice,
        )
    prerequisite = full.steps.get(position=2)
    activation_step_meet(step=prerequisite, by=shop.agent, note="Textos recibidos")
    clients = _clients(shop)
    steps = ('<span class="badge ok">', 'href="/workspace/tickets/')
    for who, url, rows in (
        ("agent", "/workspace/activations/{}/", steps),
        ("manager", "/workspace/activations/{}/", steps),
        ("contact", "/api/v1/activations/{}/", ('"position"',)),
        ("manager", "/api/v1/activations/{}/", ('"position"',)),
    ):
        small = _cost(Page(clients[who], url.format(bare.pk), rows))
        large = _cost(Page(clients[who], url.format(full.pk), rows))
        assert large.queries == small.queries, (who, url)
        assert _grew(small, large), (who, url, small, large)


# --- a product of the catalogue ---------------------------------------------------------------


def test_a_products_page_costs_the_same_with_few_and_many_calendars(shop):
    product = product_save(
        name="Portal Noticioso",
        kind=Activation.Kind.BUSINESS_DAYS,
        business_days_min=2,
        business_days_max=5,
        calendar=BusinessCalendar.objects.get(slug="bogota"),
        prerequisite="Textos confirmados",
    )
    manager = _clients(shop)["manager"]
    options = ("<option",)
    pages = {
        "edit": Page(manager, f"/workspace/activations/products/{product.pk}/", options),
        "new": Page(manager, "/workspace/activations/products/new/", options),
    }

    def calendars() -> None:
        for _index in range(20):
            n = next(_serial)
            BusinessCalendar.objects.create(slug=f"calendario-{n}", name=f"Calendario {n}")

    _assert_fixed_cost(pages, calendars)


# --- a payment and an auto top-up attempt -----------------------------------------------------


def _pack_payments(shop, count: int) -> None:
    today = customer_today(shop.customer)
    for _index in range(count):
        payment_record(
            customer=shop.customer,
            amount=Money("1071000", "COP"),
            provider=Payment.Provider.CASH,
            provider_ref=f"CA-{next(_serial)}",
            received_on=today,
            credit_pack=shop.pack,
        )


def test_a_payments_page_costs_the_same_with_few_and_many_payments(shop):
    _pack_payments(shop, 1)
    first = Payment.objects.filter(customer=shop.customer).earliest("pk")
    contact = _clients(shop)["contact"]
    pages = {
        "page": Page(contact, f"/portal/payments/{first.pk}/", ("Paquete 10 horas",)),
        "status": Page(
            contact, f"/portal/payments/{first.pk}/?fragment=status", ('class="alert success"',)
        ),
    }

    _assert_bounded_cost(pages, lambda: _pack_payments(shop, 20))


def test_an_auto_top_up_attempts_page_costs_the_same_with_few_and_many_attempts(
    settings,
    stripe_settings,
    shop,
):
    _auto_top_up_on_a_saved_card(settings, shop)
    _crossings(shop, 2)
    first = shop.customer.auto_top_up.attempts.earliest("pk")
    contact = _clients(shop)["contact"]
    shown = ('data-testid="attempt-status"', "Paquete 10 horas")
    pages = {"first": Page(contact, f"/portal/credits/auto-top-up/attempts/{first.pk}/", shown)}

    _assert_bounded_cost(pages, lambda: _crossings(shop, 8))

    newest = shop.customer.auto_top_up.attempts.latest("pk")
    latest = _cost(Page(contact, f"/portal/credits/auto-top-up/attempts/{newest.pk}/", shown))
    assert latest.queries == _cost(pages["first"]).queries
    assert all(latest.rows)


# --- the reopen link --------------------------------------------------------------------------


def _resolved(shop, subject: str, *, rounds: int) -> Ticket:
    """A request answered and resolved `rounds` times, reopened in between."""
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject=subject).ticket
    for index in range(rounds):
        if index:
            ticket_reopen(ticket, reason="Sigue fallando")
        ticket_agent_reply(ticket, by=shop.agent, body=f"Revisado {index}.")
        ticket_resolve(ticket, by=shop.agent)
    return ticket


def test_the_reopen_page_costs_the_same_for_a_short_and_a_long_request(shop):
    """The link's page reads the request and its latest resolution: a request resolved once
    against one reopened and resolved many times, with a stale link of it (already reopened,
    so no form), among many other requests of the customer."""
    top_up(shop.customer, "60")
    short = _resolved(shop, "Correo lento", rounds=1)
    long = _resolved(shop, "VPN caída", rounds=12)
    for index in range(15):
        _resolved(shop, f"Otro caso {index}", rounds=1)
    stale_resolution = long.events.filter(
        kind=TicketEvent.Kind.STATUS, to_value=Ticket.Status.RESOLVED
    ).earliest("pk")
    anonymous = _client()
    form = ('name="reason"',)

    def page(ticket: Ticket, resolution, marker: tuple[str, ...]) -> Page:
        return Page(anonymous, f"/reopen/{reopen_token(ticket, resolution)}/", marker)

    small = _cost(page(short, resolution_event(short), ("«Correo lento»", *form)))
    large = _cost(page(long, resolution_event(long), ("«VPN caída»", *form)))
    stale = _cost(page(long, stale_resolution, ("«VPN caída»", "ya no reabre")))

    assert large.queries == small.queries
    assert stale.queries == small.queries
    assert all(small.rows)
    assert all(large.rows)
    assert all(stale.rows)


# --- the customer and contact forms -----------------------------------------------------------


def _around_the_customer(shop, count: int) -> None:
    """Staff an admin may name account manager, and the customer's contacts and requests."""
    top_up(shop.customer, str(3 * count))
    for _index in range(count):
        n = next(_serial)
        make_account_manager(username=f"gerente-{n}")
        make_contact(shop.customer, name=f"Contacto {n}")
        ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject=f"Caso {n}")


def test_the_customer_and_contact_forms_cost_the_same_with_few_and_many_rows_around(shop):
    clients = _clients(shop)
    customer = f"/workspace/customers/{shop.customer.pk}"
    contact = f"{customer}/contacts/{shop.contact.pk}/"
    managers = ('<option value="',)
    pages = {
        "admin new customer": Page(clients["admin"], "/workspace/customers/new/", managers),
        "admin customer": Page(clients["admin"], f"{customer}/edit/", managers),
        "manager new customer": Page(
            clients["manager"], "/workspace/customers/new/", ('name="legal_name"',)
        ),
        "manager customer": Page(clients["manager"], f"{customer}/edit/", ("Hotel Andino",)),
        "admin new contact": Page(clients["admin"], f"{customer}/contacts/new/", ("Hotel Andino",)),
        "manager new contact": Page(
            clients["manager"], f"{customer}/contacts/new/", ("Hotel Andino",)
        ),
        "admin contact": Page(clients["admin"], contact, ("Ana Ruiz",)),
        "manager contact": Page(clients["manager"], contact, ("Ana Ruiz",)),
    }
    _around_the_customer(shop, 2)

    _assert_bounded_cost(
        pages,
        lambda: _around_the_customer(shop, 20),
        growing=frozenset({"admin new customer", "admin customer"}),
    )


# --- the webhook and new quote forms -------------------------------------------------------


def test_the_webhook_and_new_quote_forms_cost_the_same_with_few_and_many_rows_around(
    shop,
    receiver,  # noqa: F811
):
    """A webhook's form and the questions before deleting it or giving it a new secret show its
    address, whatever its deliveries (the delete question counts them); the new quote
    form its request, whatever the request's messages and the customer's other requests."""
    top_up(shop.customer, "100")
    endpoint = endpoint_for(shop, receiver, events=("ticket.created", "invoice.paid"))
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Migrar").ticket
    clients = _clients(shop)
    address = (f'value="{receiver.url}"', "checked")
    pages = {
        "manager webhook": Page(
            clients["manager"], f"/workspace/webhooks/{endpoint.pk}/edit/", address
        ),
        "admin webhook": Page(
            clients["admin"], f"/workspace/webhooks/{endpoint.pk}/edit/", address
        ),
        "delete question": Page(
            clients["manager"],
            f"/workspace/webhooks/{endpoint.pk}/delete/confirm/",
            (receiver.url,),
        ),
        "new secret question": Page(
            clients["manager"],
            f"/workspace/webhooks/{endpoint.pk}/rotate-secret/confirm/",
            (receiver.url,),
        ),
        "agent quote": Page(
            clients["agent"], f"/workspace/tickets/{ticket.number}/quotes/new/", (ticket.number,)
        ),
    }

    def grow(count: int) -> None:
        receiver.answers.extend([200] * count)
        for index in range(count):
            ticket_agent_reply(ticket, by=shop.agent, body=f"Avance {index}.")
            ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject=f"Caso {index}")
            delivery = ticket_created_delivery(endpoint)
            webhook_services.delivery_attempt(delivery.pk, 1)

    grow(2)

    _assert_bounded_cost(pages, lambda: grow(20))


# --- the month's SLA report -------------------------------------------------------------------

REPORTED = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def _late_requests(shop, count: int) -> None:
    """Requests opened in November 2026 and first answered two days later: each a breach of
    the month's report."""
    with time_machine.travel(REPORTED - timedelta(hours=1), tick=False):
        top_up(shop.customer, str(3 * count))
    for index in range(count):
        opened_at = REPORTED + timedelta(hours=index)
        with time_machine.travel(opened_at, tick=False):
            opened = ticket_open(
                channel=Channel.PORTAL,
                requester=shop.contact,
                subject=f"Sin respuesta {next(_serial)}",
                impact="high",
                urgency="high",
            )
        assert opened.accepted, opened
        with time_machine.travel(opened_at + timedelta(days=2), tick=False):
            ticket_agent_reply(opened.ticket, by=shop.agent, body="Disculpe la demora.")


def test_the_sla_report_costs_the_same_with_few_and_many_breaches(shop):
    """The CSV lists every breach; the PDF the worst ten (2 and then 10 here)."""
    clients = _clients(shop)
    breaches = ("\nbreach,",)
    contract = f"/api/v1/contracts/{shop.contract.pk}"
    pages = {
        "contact csv": Page(clients["contact"], "/portal/sla-reports/2026-11/csv/", breaches),
        "manager csv": Page(
            clients["manager"], f"{contract}/sla-report/csv/?month=2026-11", breaches
        ),
        "manager compliance": Page(
            clients["manager"],
            f"{contract}/sla-compliance/?since=2026-11-01T00:00:00Z&until=2026-12-01T00:00:00Z",
            ('"late_by_seconds"',),
        ),
    }
    on_paper = _pdf_rows("T-2026-")
    papers = [
        Answer("contact", "/portal/sla-reports/2026-11/pdf/", on_paper),
        Answer("manager", f"{contract}/sla-report/pdf/?month=2026-11", on_paper),
    ]
    _late_requests(shop, 2)

    with time_machine.travel(datetime(2026, 12, 10, 15, 0, tzinfo=UTC), tick=False):
        few = [_read(clients, paper, shop.contract.pk) for paper in papers]
        _assert_fixed_cost(pages, lambda: _late_requests(shop, 15))
        many = [_read(clients, paper, shop.contract.pk) for paper in papers]

    assert [queries for queries, _rows in many] == [queries for queries, _rows in few]
    assert all(after > before > 0 for (_q, after), (_p, before) in zip(many, few, strict=True))


# --- the finance export -----------------------------------------------------------------------


def _csv_rows(content: bytes) -> int:
    return content.count(b"\n")


def _xlsx_rows(content: bytes) -> int:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return sum(1 for sheet in workbook.worksheets for _row in sheet.iter_rows())


def test_the_finance_export_costs_the_same_with_few_and_many_documents(shop):
    """The export's files, not its form (tests/web/test_finance_pages.py counts the form):
    every document, line and payment of the range, streamed (the stream is read while the
    queries are counted)."""
    clients = _clients(shop)
    every_day = "date_from=2000-01-01&date_to=2999-12-31"
    answers = [
        Answer("finance", f"/billing/finance-export/?{every_day}", _csv_rows),
        Answer("finance", f"/billing/finance-export/?{every_day}&format=xlsx", _xlsx_rows),
        Answer("admin", f"/billing/finance-export/?{every_day}", _csv_rows),
        Answer("finance", f"/api/v1/invoices/export/?{every_day}", _csv_rows),
    ]
    _documents(3, batch="pocos-")
    few = [_read(clients, answer, 0) for answer in answers]
    _documents(30, batch="muchos-")
    many = [_read(clients, answer, 0) for answer in answers]

    assert [queries for queries, _rows in many] == [queries for queries, _rows in few]
    assert all(after > before > 0 for (_q, after), (_p, before) in zip(many, few, strict=True))
