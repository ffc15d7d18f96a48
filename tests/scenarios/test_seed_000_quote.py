"""Seed 000's third answer to a report: "el presupuesto para solucionar su inconveniente".

Estudio Pampa (hosting, Buenos Aires, ARS) reports that its site's contact form sends
nothing. The agent analyses it and drafts a quote in money in the workspace, sends it (the
customer's billing address and contact get it by mail with the PDF), and resolves the
report with the outcome "quote issued". Lucía accepts it in the portal: an invoice is issued
for the quote's lines with the next number of the invoice series (the quote keeps its own
series), and the agent hears of the decision by mail.

A customer paying with credits accepts a quote in credits instead: the credits are held on
the request, and the work logged afterwards is charged from that hold."""

import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from djmoney.money import Money
from pypdf import PdfReader

from billing.models import Invoice, InvoiceSeries
from contracts.models import Contact
from credits.models import CreditHold, LedgerEntry
from quotes.models import Quote
from tests.api.conftest import client_for
from tests.clients import signed_in
from tests.factories import make_agent
from tests.quotes.conftest import _quote_series, in_days  # noqa: F401  (autouse fixture)
from tests.scenarios.conftest import sign_estudio_pampa
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tests.web.conftest import shop, top_up  # noqa: F401  (fixture)
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BUENOS_AIRES)


def pdf_text(data: bytes) -> str:
    """The PDF's text with its line breaks as spaces (a table cell wraps long lines)."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


@pytest.fixture
def pampa():
    return sign_estudio_pampa()


def test_a_report_becomes_a_quote_accepted_and_invoiced(pampa, django_capture_on_commit_callbacks):
    signed, types = pampa
    customer = signed["client"]
    lucia = Contact.objects.get(pk=signed["contact"]["id"])
    agent = make_agent(username="tecnico", email="tecnico@altomarketing.example")
    workspace, portal = signed_in(agent), signed_in(lucia.user)

    # Tuesday 10:00: Lucía reports the problem through the panel
    with time_machine.travel(at(2026, 3, 10, 10), tick=False):
        opened = customer.post(
            "/api/v1/tickets/",
            {
                "subject": "El formulario de contacto del sitio no envía los mensajes",
                "service": types["sla4-diseno-software"],
            },
            format="json",
        )
        assert opened.status_code == 201, opened.json()
        ticket = Ticket.objects.get(pk=opened.json()["id"])

    # 11:00: the analysis says the plugin must be replaced; the agent drafts the quote
    with time_machine.travel(at(2026, 3, 10, 11), tick=False):
        new = f"/workspace/tickets/{ticket.number}/quotes/new/"
        assert workspace.get(new).status_code == 200
        drafted = workspace.post(
            new,
            {
                "kind": "money",
                "valid_until": "2026-03-20",
                "terms": "Se factura al aceptar; el trabajo empieza al día hábil siguiente.",
                "lines.0.description": "Reemplazo del complemento de formularios",
                "lines.0.quantity": "1",
                "lines.0.unit_price": "85000",
                "lines.1.description": "Pruebas de envío y entrega",
                "lines.1.quantity": "2",
                "lines.1.unit_price": "12500.50",
            },
        )
        assert drafted.status_code == 302, drafted.content.decode()[:2000]
        quote = Quote.objects.get(ticket=ticket)
        assert quote.status == Quote.Status.DRAFT
        assert quote.total.currency.code == "ARS"
        assert quote.total == quote.subtotal + quote.tax
        assert quote.tax > Money(0, "ARS")

        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            workspace.post(f"/workspace/quotes/{quote.pk}/send/")
        quote.refresh_from_db()
        assert quote.status == Quote.Status.SENT
        assert quote.display_number == "PR000001"  # the quotes' own series

    # the customer's billing address and its contact get the quote with its PDF
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"admin@pampa.example", "lucia@pampa.example"}
    sent = by_address["lucia@pampa.example"]
    assert sent.subject == f"Presupuesto PR000001 para su solicitud {ticket.number}"
    assert f"/portal/quotes/{quote.pk}/" in sent.body
    name, content, mimetype = sent.attachments[0]
    assert (name, mimetype) == ("presupuesto-PR000001.pdf", "application/pdf")
    paper = pdf_text(content)
    assert "PR000001" in paper
    assert "Reemplazo del complemento de formularios" in paper
    assert "Estudio Pampa S.R.L." in paper
    assert "20 de marzo de 2026" in paper  # valid until, in words

    # 11:30: the report is resolved with the outcome "quote issued", naming the quote
    with time_machine.travel(at(2026, 3, 10, 11, 30), tick=False):
        staff = client_for(agent)
        transitions = f"/api/v1/tickets/{ticket.pk}/transitions/"
        moved = staff.post(transitions, {"to_status": "in_progress"}, format="json")
        assert moved.status_code == 200, moved.json()
        resolved = staff.post(
            transitions,
            {"to_status": "resolved", "outcome": "quote", "outcome_quote": "PR000001"},
            format="json",
        )
        assert resolved.status_code == 200, resolved.json()
        assert resolved.json()["outcome"] == "quote"

    # Thursday: Lucía reads it in the portal and accepts it
    series = InvoiceSeries.objects.get(kind=InvoiceSeries.Kind.INVOICE, code="FV")
    next_invoice = series.next_number
    mail.outbox.clear()
    with time_machine.travel(at(2026, 3, 12, 9, 15), tick=False):
        page = portal.get(f"/portal/quotes/{quote.pk}/").content.decode()
        assert "PR000001" in page
        assert f"/portal/quotes/{quote.pk}/accept/" in page
        with django_capture_on_commit_callbacks(execute=True):
            accepted = portal.post(f"/portal/quotes/{quote.pk}/accept/", follow=True)
        assert "Presupuesto aceptado. Gracias." in accepted.content.decode()

    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED
    assert quote.decided_contact == lucia
    assert quote.decided_at == at(2026, 3, 12, 9, 15)

    # the invoice: the quote's lines, the next number of the invoice series
    invoice = Invoice.objects.get(pk=quote.invoice_id)
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice.customer_id == lucia.customer_id
    assert invoice.number == next_invoice
    series.refresh_from_db()
    assert series.next_number == next_invoice + 1
    assert invoice.total == quote.total
    assert [(line.description, line.quantity, line.total) for line in invoice.lines.all()] == [
        (f"PR000001 · {line.description}", line.quantity, line.total) for line in quote.lines.all()
    ]
    # a second click finds it decided, and nothing more is invoiced
    portal.post(f"/portal/quotes/{quote.pk}/accept/")
    assert Invoice.objects.filter(customer=lucia.customer).count() == 1

    # the agent who drafted it hears of the decision, in the language they drafted it in
    [told] = [message for message in mail.outbox if message.to == ["tecnico@altomarketing.example"]]
    assert told.subject == f"Estudio Pampa S.R.L. aceptó el presupuesto PR000001 ({ticket.number})"
    assert "Decidió: Lucía Gómez, el 12/03/2026 09:15" in told.body
    assert f"Se emitió la factura {invoice.display_number}" in told.body
    # the customer gets the invoice as every invoice is sent
    assert any(invoice.display_number in message.subject for message in mail.outbox)


def test_a_credit_quote_accepted_becomes_the_hold_the_work_is_charged_from(
    shop,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    top_up(shop.customer, "10")
    customer, staff = client_for(shop.user), client_for(shop.agent)
    opened = customer.post(
        "/api/v1/tickets/", {"subject": "Migrar el correo a otro servidor"}, format="json"
    )
    assert opened.status_code == 201, opened.json()
    ticket = Ticket.objects.get(pk=opened.json()["id"])

    drafted = staff.post(
        "/api/v1/quotes/",
        {
            "ticket": ticket.number,
            "kind": "credits",
            "lines": [
                {"description": "Migración de buzones", "credits": "3"},
                {"description": "Cambio de registros DNS", "credits": "1"},
            ],
            "valid_until": in_days(10).isoformat(),
        },
        format="json",
    )
    assert drafted.status_code == 201, drafted.json()
    pk = drafted.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(f"/api/v1/quotes/{pk}/send/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        accepted = signed_in(shop.user).post(f"/portal/quotes/{pk}/accept/", follow=True)
    assert "Presupuesto aceptado. Gracias." in accepted.content.decode()

    quote = Quote.objects.get(pk=pk)
    hold = CreditHold.objects.get(pk=quote.hold_id)
    assert hold.credits == Decimal("4.00")
    assert hold.is_active
    ticket.refresh_from_db()
    assert ticket.hold_id == hold.pk
    assert quote.invoice_id is None  # credits are not invoiced again

    # the work: three hours, logged once done, then resolved; the charge comes from the
    # quote's hold
    transitions = f"/api/v1/tickets/{ticket.pk}/transitions/"
    moved = staff.post(transitions, {"to_status": "in_progress"}, format="json")
    assert moved.status_code == 200, moved.json()
    with time_machine.travel(ticket.opened_at + timedelta(minutes=180), tick=False):
        logged = staff.post(
            f"/api/v1/tickets/{ticket.pk}/work-logs/",
            {"started_at": ticket.opened_at.isoformat(), "minutes": 180, "note": "Migración"},
            format="json",
        )
        assert logged.status_code == 201, logged.json()
        resolved = staff.post(
            transitions, {"to_status": "resolved", "outcome": "solved"}, format="json"
        )
    assert resolved.status_code == 200, resolved.json()

    hold.refresh_from_db()
    assert hold.status == CreditHold.Status.CONVERTED
    charge = LedgerEntry.objects.get(hold=hold)
    assert charge.credits < 0
    assert -charge.credits <= hold.credits
