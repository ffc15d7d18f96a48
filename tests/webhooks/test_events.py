"""Each event is emitted by the service where it happens and reaches a subscribed endpoint
with the object as the API shows it (incident events, about no customer, reach an endpoint
registered for one customer too)."""

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from billing.services.overdue import overdue_announce
from contracts.models import Channel
from contracts.services import contract_reactivate, contract_suspend
from core.events import events_emit
from sla.models import SlaClock
from sla.services.monitor import sla_monitor_run
from tests.factories import log_finished_work, make_agent, make_customer, make_invoice
from tests.web.conftest import top_up
from tests.webhooks.conftest import endpoint_for
from tickets.models import Ticket
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_reopen, ticket_resolve, ticket_transition
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db(transaction=True)


def _open(shop, credits="5"):
    if credits:
        top_up(shop.customer, credits)
    return ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Caso").ticket


def _resolve(shop):
    ticket = _open(shop)
    agent = make_agent()
    log_finished_work(ticket, by=agent, started_at=timezone.now(), minutes=70)
    ticket_transition(ticket, to_status=Ticket.Status.IN_PROGRESS, by=agent)
    return ticket_resolve(ticket, by=agent, reason="listo")


def _sla(shop, *, breached: bool):
    ticket = _open(shop)
    due = SlaClock.objects.filter(subject=ticket.clock_subject).order_by("due_at").first()
    moment = due.due_at + timedelta(minutes=1) if breached else due.warn_at
    sla_monitor_run(now=moment)
    return ticket


def _invoice(shop, *, paid=False):
    from billing.services import invoice_mark_paid

    invoice = make_invoice(shop.customer, issue=True)
    return invoice_mark_paid(invoice) if paid else invoice


def _voided(shop):
    from billing.services import invoice_void

    return invoice_void(_invoice(shop), reason="Emitida por error")


def _credited(shop):
    from billing.services import credit_note_issue

    invoice = _invoice(shop)
    credit_note_issue(invoice=invoice, reason="Descuento acordado")
    return invoice


def _overdue(shop):
    invoice = _invoice(shop)
    noon = datetime.combine(invoice.insolvent_on, time(12), tzinfo=UTC)
    overdue_announce(now=noon + timedelta(days=1))
    overdue_announce(now=noon + timedelta(days=2))  # announced once
    return invoice


def _suspend(shop):
    return contract_suspend(shop.contract, by=shop.manager, reason="mora")


def _reactivate(shop):
    contract_suspend(shop.contract, by=shop.manager, reason="mora")
    return contract_reactivate(shop.contract, by=shop.manager, reason="al día")


def _incident(shop):
    from statuspage.models import Component
    from statuspage.services import incident_open

    component = Component.objects.create(code=f"web-{Component.objects.count()}", name="Web")
    return incident_open(
        title="Caída", body="Investigamos.", impact="major_outage", components=[component]
    )


def _incident_update(shop, state):
    from statuspage.services import incident_update_post

    incident = _incident(shop)
    incident_update_post(incident, state=state, body="Novedades.")
    return incident


def _quote(shop, decide=None):
    from quotes.models import Quote, QuoteSeries
    from quotes.services import quote_accept, quote_draft, quote_reject, quote_send

    QuoteSeries.objects.get_or_create(code="PR", defaults={"prefix": "PR"})
    quote = quote_draft(
        ticket=_open(shop),
        kind=Quote.Kind.MONEY,
        lines=[{"description": "Migración", "quantity": "1", "unit_price": "100000"}],
        valid_until=timezone.localdate() + timedelta(days=5),
    )
    quote = quote_send(quote, by=shop.agent)
    if decide == "accept":
        quote = quote_accept(quote, contact=shop.contact)
    elif decide == "reject":
        quote = quote_reject(quote, contact=shop.contact)
    return quote


DRIVERS = {
    "ticket.created": (_open, "number"),
    "ticket.refused": (lambda shop: _open(shop, credits=None), "reason"),
    "ticket.resolved": (_resolve, "number"),
    "ticket.reopened": (
        lambda shop: ticket_reopen(_resolve(shop), by=shop.user, reason="sigue igual"),
        "number",
    ),
    "ticket.sla_warning": (lambda shop: _sla(shop, breached=False), "clock"),
    "ticket.sla_breached": (lambda shop: _sla(shop, breached=True), "clock"),
    "credits.topped_up": (lambda shop: top_up(shop.customer, "3"), "credits"),
    "credits.charged": (_resolve, "credits"),
    "credits.low": (lambda shop: _open(shop, credits="2"), "available"),
    "invoice.issued": (_invoice, "number"),
    "invoice.paid": (lambda shop: _invoice(shop, paid=True), "number"),
    "invoice.overdue": (_overdue, "number"),
    "invoice.voided": (_voided, "status"),
    "invoice.credited": (_credited, "amount_due"),
    "contract.suspended": (_suspend, "status"),
    "contract.reactivated": (_reactivate, "status"),
    "incident.created": (_incident, "title"),
    "incident.updated": (lambda shop: _incident_update(shop, "identified"), "state"),
    "incident.resolved": (lambda shop: _incident_update(shop, "resolved"), "resolved_at"),
    "quote.sent": (_quote, "number"),
    "quote.accepted": (lambda shop: _quote(shop, "accept"), "invoice"),
    "quote.rejected": (lambda shop: _quote(shop, "reject"), "decided_at"),
}


def test_every_event_has_a_driver():
    from core.events import EVENT_TYPES

    assert set(DRIVERS) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", list(DRIVERS))
def test_the_service_emits_the_event_with_the_api_representation(shop, receiver, event_type):
    endpoint_for(shop, receiver, [event_type])
    drive, field = DRIVERS[event_type]

    drive(shop)

    deliveries = WebhookDelivery.objects.filter(event_type=event_type)
    assert deliveries.count() == 1
    assert deliveries.get().status == WebhookDelivery.Status.DELIVERED
    [(_headers, body)] = receiver.requests
    event = json.loads(body)
    assert event["type"] == event_type
    assert field in event["data"]
    assert date.fromisoformat(event["timestamp"][:10]) <= timezone.now().date()


def test_an_invoice_found_overdue_again_is_neither_rendered_nor_inserted_again(shop, receiver):
    endpoint_for(shop, receiver, ["invoice.overdue"])
    invoice = _overdue(shop)  # announced, and found again a day later
    # when the hourly job finds it once more
    with CaptureQueriesContext(connection) as queries:
        overdue_announce(now=datetime.combine(invoice.insolvent_on, time(15), tzinfo=UTC))
    # then the endpoint's delivery is looked up, and nothing is written
    touching = [
        q["sql"] for q in queries.captured_queries if "webhooks_webhookdelivery" in q["sql"]
    ]
    assert [sql.split()[0] for sql in touching] == ["SELECT"]
    assert WebhookDelivery.objects.filter(event_type="invoice.overdue").count() == 1


def test_an_invoice_found_overdue_every_hour_writes_one_announcement(shop, receiver, db_tasks):
    """The hourly job finds it again and again: no task is written for an event every
    subscribed endpoint already has."""
    endpoint_for(shop, receiver, ["invoice.overdue"])
    webhook_endpoint_create(  # another customer's: never owed this invoice's event
        owner=shop.manager,
        url=receiver.url,
        events=["invoice.overdue"],
        customer=make_customer(account_manager=shop.manager),
        may_cover_all=False,
    )
    invoice = _invoice(shop)
    noon = datetime.combine(invoice.insolvent_on, time(12), tzinfo=UTC)
    overdue_announce(now=noon + timedelta(days=1))
    db_tasks()
    for hour in range(1, 6):
        overdue_announce(now=noon + timedelta(days=1, hours=hour))

    assert DBTaskResult.objects.filter(task_path="webhooks.tasks.announce_event").count() == 1
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("count", [2, 20])
def test_a_batch_of_events_costs_what_one_does(shop, receiver, db_tasks, count):
    """A monthly run's invoices, a monitor run's clocks: one read of the endpoints and one
    insert of the announcing tasks, whatever the batch's size."""
    endpoint_for(shop, receiver, ["invoice.issued"])
    invoices = [make_invoice(customer=shop.customer) for _ in range(count)]

    with CaptureQueriesContext(connection) as queries:
        events_emit("invoice.issued", invoices)

    assert len(queries) == 2
    assert DBTaskResult.objects.filter(task_path="webhooks.tasks.announce_event").count() == count
    db_tasks()
    announced = sorted(json.loads(body)["data"]["id"] for _headers, body in receiver.requests)
    assert announced == sorted(invoice.pk for invoice in invoices)
    assert len({json.loads(body)["id"] for _headers, body in receiver.requests}) == count


def test_an_events_texts_are_in_the_installations_language_whoever_acted(shop, receiver):
    endpoint_for(shop, receiver, ["ticket.refused"])
    with translation.override("en"):  # an English-speaking contact asks without credits
        _open(shop, credits=None)

    [(_headers, body)] = receiver.requests
    data = json.loads(body)["data"]
    assert data["reason"] == "insufficient_credits"
    assert "créditos" in data["message"]
