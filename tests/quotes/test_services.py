"""Quotes' rules at the service level: bounds with field names, totals with tax, gapless
numbering, expiry, deciding once, money -> invoice, credits -> hold -> charge."""

from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from djmoney.money import Money

from billing.models import Invoice
from core.errors import CreditdeskError, InvalidInput
from credits.models import CreditHold, LedgerEntry
from quotes import services
from quotes.exceptions import (
    QuoteAlreadyDecided,
    QuoteExpired,
    QuoteNotDraft,
    QuoteNotSent,
    QuoteTicketClosed,
)
from quotes.models import Quote, QuoteSeries
from quotes.services import quote_accept, quote_draft, quote_reject, quote_send
from tests.factories import log_finished_work, make_contact
from tests.quotes.conftest import CREDIT_LINES, MONEY_LINES, in_days
from tickets.models import Ticket
from tickets.services.lifecycle import ticket_close, ticket_resolve, ticket_start_work

pytestmark = pytest.mark.django_db


def draft(ticket, by, kind=Quote.Kind.MONEY, lines=None, days=15):
    return quote_draft(
        ticket=ticket,
        kind=kind,
        lines=lines or (MONEY_LINES if kind == Quote.Kind.MONEY else CREDIT_LINES),
        valid_until=in_days(days),
        terms="50 % al aceptar.",
        by=by,
    )


def test_money_quote_totals_carry_the_customers_tax_rounded_per_line(shop, ticket):
    quote = draft(ticket, shop.agent)
    lines = list(quote.lines.all())
    assert [line.tax_rate for line in lines] == [Decimal("19.00")] * 2
    assert lines[0].subtotal == Money("450000", "COP")
    assert lines[0].tax == Money("85500", "COP")
    assert lines[1].tax == Money("15200.10", "COP")  # 80000.50 x 19 % = 15200.095, half up
    assert quote.subtotal == Money("530000.50", "COP")
    assert quote.tax == Money("100700.10", "COP")
    assert quote.total == Money("630700.60", "COP")
    assert quote.status == Quote.Status.DRAFT
    assert quote.number is None


def test_credit_quote_sums_its_credits(shop, ticket):
    quote = draft(
        ticket,
        shop.agent,
        Quote.Kind.CREDITS,
        [{"description": "A", "credits": "2.5"}, {"description": "B", "credits": "3"}],
    )
    assert quote.credits == Decimal("5.50")
    assert quote.total == Money("0", "COP")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lines": []}, "lines"),
        (
            {"lines": [{"description": "", "quantity": "1", "unit_price": "1"}]},
            "lines.0.description",
        ),
        ({"lines": [{"description": "x" * 301, "unit_price": "1"}]}, "lines.0.description"),
        (
            {"lines": [{"description": "A", "quantity": "-1", "unit_price": "1"}]},
            "lines.0.quantity",
        ),
        (
            {"lines": [{"description": "A", "quantity": "1", "unit_price": "abc"}]},
            "lines.0.unit_price",
        ),
        ({"lines": [{"description": "A", "unit_price": Money("1", "USD")}]}, "lines.0.unit_price"),
        (
            {"lines": [{"description": "A", "quantity": "100000", "unit_price": "99999999.99"}]},
            "lines.0",
        ),
        (
            {"lines": [{"description": "A", "quantity": "1000", "unit_price": "99999999.99"}] * 9},
            "lines",
        ),
        (
            {"lines": [{"description": "A", "quantity": "1e2", "unit_price": "1"}]},
            "lines.0.quantity",
        ),
        ({"valid_until": "2020-01-01"}, "valid_until"),
        ({"valid_until": "mañana"}, "valid_until"),
        ({"terms": "x" * 5001}, "terms"),
        ({"kind": "barter"}, "kind"),
    ],
)
def test_draft_refuses_bad_input_naming_the_field_and_writes_nothing(shop, ticket, changes, field):
    arguments = {
        "ticket": ticket,
        "kind": Quote.Kind.MONEY,
        "lines": MONEY_LINES,
        "valid_until": in_days(10),
        "terms": "",
        "by": shop.agent,
    } | changes
    with pytest.raises(CreditdeskError) as caught:
        quote_draft(**arguments)
    error = caught.value
    fields = error.fields if isinstance(error, InvalidInput) else {error.field: []}
    assert field in fields
    assert not Quote.objects.exists()


def test_a_quantity_beyond_the_maximum_says_so(shop, ticket):
    line = {"description": "A", "quantity": "100000.0001", "unit_price": "1"}
    with pytest.raises(CreditdeskError) as caught:
        draft(ticket, shop.agent, lines=[line])
    assert caught.value.field == "lines.0.quantity"
    assert caught.value.message("es") == (
        "lines.0.quantity: «100.000,0001» supera el máximo de 100.000."
    )
    assert caught.value.message("en") == (
        "lines.0.quantity: '100,000.0001' is over the maximum of 100,000."
    )


def test_a_line_whose_amount_rounds_to_nothing_is_refused(shop, ticket):
    """0.0001 x 0.01 is positive but bills 0.00: a quote for nothing is no quote."""
    tiny = {"description": "Minucia", "quantity": "0.0001", "unit_price": "0.01"}
    with pytest.raises(InvalidInput) as caught:
        draft(ticket, shop.agent, lines=[MONEY_LINES[0], tiny])
    assert caught.value.fields["lines.1.quantity"] == [
        "La línea suma cero al redondear: suba la cantidad o el precio."
    ]
    assert not Quote.objects.exists()


def test_credit_lines_need_positive_credits(shop, ticket):
    with pytest.raises(CreditdeskError) as caught:
        draft(ticket, shop.agent, Quote.Kind.CREDITS, [{"description": "A", "credits": "0"}])
    assert caught.value.field == "lines.0.credits"


def test_sending_numbers_quotes_in_their_own_gapless_series(shop, ticket):
    first, second = draft(ticket, shop.agent), draft(ticket, shop.agent)
    expired = draft(ticket, shop.agent, days=1)
    start = QuoteSeries.objects.get(code="PR").next_number
    quote_send(second, by=shop.agent)
    with (  # a refused send takes no number
        time_machine.travel(timezone.now() + timezone.timedelta(days=3)),
        pytest.raises(QuoteExpired),
    ):
        quote_send(expired, by=shop.agent)
    quote_send(first, by=shop.agent)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.number, first.number) == (start, start + 1)
    assert second.display_number == f"PR{start:06d}"
    assert QuoteSeries.objects.get(code="PR").next_number == start + 2
    with pytest.raises(QuoteNotDraft):
        quote_send(first, by=shop.agent)


def test_accepting_a_money_quote_issues_its_invoice_once(shop, ticket):
    quote = quote_send(draft(ticket, shop.agent), by=shop.agent)
    accepted = quote_accept(quote, contact=shop.contact, by=shop.user)
    assert accepted.status == Quote.Status.ACCEPTED
    assert accepted.decided_contact == shop.contact
    assert accepted.decided_by == shop.user
    assert accepted.decided_at is not None
    invoice = Invoice.objects.get(pk=accepted.invoice_id)
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice.total == quote.total
    assert invoice.tax == quote.tax
    assert invoice.lines.count() == 2
    with pytest.raises(QuoteAlreadyDecided):
        quote_accept(quote, contact=shop.contact, by=shop.user)
    with pytest.raises(QuoteAlreadyDecided):
        quote_reject(quote, contact=shop.contact, by=shop.user)
    assert Invoice.objects.filter(customer=shop.customer, kind="invoice").count() == 1


def test_rejecting_records_who_when_and_why(shop, ticket):
    quote = quote_send(draft(ticket, shop.agent), by=shop.agent)
    rejected = quote_reject(quote, contact=shop.contact, by=shop.user, reason="Muy caro")
    assert (rejected.status, rejected.decision_reason) == (Quote.Status.REJECTED, "Muy caro")
    assert rejected.invoice_id is None
    with pytest.raises(QuoteAlreadyDecided):
        quote_accept(quote, contact=shop.contact, by=shop.user)


def test_a_draft_cannot_be_decided_and_another_customers_contact_cannot_decide(shop, ticket):
    quote = draft(ticket, shop.agent)
    with pytest.raises(QuoteNotSent):
        quote_accept(quote, contact=shop.contact)
    quote_send(quote, by=shop.agent)
    with pytest.raises(InvalidInput):
        quote_accept(quote, contact=make_contact())
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SENT


def test_an_expired_quote_can_no_longer_be_accepted(shop, ticket):
    quote = quote_send(draft(ticket, shop.agent, days=2), by=shop.agent)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=2)):
        assert not Quote.objects.get(pk=quote.pk).is_expired  # its last day still counts
    with time_machine.travel(timezone.now() + timezone.timedelta(days=4)):
        assert Quote.objects.get(pk=quote.pk).is_expired
        with pytest.raises(QuoteExpired):
            quote_accept(quote, contact=shop.contact)
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SENT


def test_a_credit_quote_holds_its_credits_and_the_work_is_charged_against_them(shop, ticket):
    intake_hold = CreditHold.objects.get(pk=ticket.hold_id)
    quote = quote_send(draft(ticket, shop.agent, Quote.Kind.CREDITS), by=shop.agent)
    accepted = quote_accept(quote, contact=shop.contact, by=shop.user)

    hold = CreditHold.objects.get(pk=accepted.hold_id)
    assert hold.credits == Decimal("6.00")
    assert hold.is_active
    intake_hold.refresh_from_db()
    assert intake_hold.status == CreditHold.Status.RELEASED
    ticket.refresh_from_db()
    assert ticket.hold_id == hold.pk

    ticket_start_work(ticket, by=shop.agent)
    log_finished_work(ticket, by=shop.agent, started_at=timezone.now(), minutes=240)
    ticket_resolve(ticket, by=shop.agent)
    hold.refresh_from_db()
    assert hold.status == CreditHold.Status.CONVERTED
    charge = LedgerEntry.objects.get(hold=hold)
    assert charge.credits < 0


def test_a_credit_quote_beyond_the_balance_is_refused_and_nothing_changes(shop, ticket):
    big = [{"description": "Proyecto", "credits": "500"}]
    quote = quote_send(draft(ticket, shop.agent, Quote.Kind.CREDITS, big), by=shop.agent)
    with pytest.raises(CreditdeskError) as caught:
        quote_accept(quote, contact=shop.contact)
    assert caught.value.code == "insufficient_credits"
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SENT
    ticket.refresh_from_db()
    assert CreditHold.objects.get(pk=ticket.hold_id).is_active


def test_accepting_a_credit_quote_on_a_resolved_ticket_reopens_it_and_holds_the_quote(shop, ticket):
    """Resolved as "quote issued", the ticket's hold was charged or released, and a hold
    placed on a resolved ticket would be charged or released never. Accepting the quote in
    credits reopens the request (the work is to be done), so its next resolution charges
    the quote's credits."""
    quote = quote_send(draft(ticket, shop.agent, Quote.Kind.CREDITS), by=shop.agent)
    ticket_start_work(ticket, by=shop.agent)
    ticket_resolve(ticket, by=shop.agent, outcome="quote", outcome_quote=quote.display_number)

    accepted = quote_accept(quote, contact=shop.contact, by=shop.user)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert ticket.hold_id == accepted.hold_id
    assert ticket.events.filter(to_value=Ticket.Status.REOPENED).get().reason == (
        quote.display_number
    )
    held = CreditHold.objects.get(status="active")
    assert (held.reference_type, held.credits) == ("quotes.quote", quote.credits)
    log_finished_work(ticket, by=shop.agent, started_at=timezone.now(), minutes=60)
    ticket_resolve(ticket, by=shop.agent)
    assert not CreditHold.objects.filter(status="active").exists()


def test_a_credit_quote_on_a_resolved_ticket_the_customer_may_not_reopen_is_refused(shop, ticket):
    """Reopening asks for support again: a suspended customer may not, so the acceptance is
    refused with the reopen's reason and nothing is written (the quote still sent, the
    ticket resolved, no hold)."""
    from contracts.services import contract_suspend

    quote = quote_send(draft(ticket, shop.agent, Quote.Kind.CREDITS), by=shop.agent)
    ticket_start_work(ticket, by=shop.agent)
    ticket_resolve(ticket, by=shop.agent, outcome="quote", outcome_quote=quote.display_number)
    contract_suspend(shop.contract, reason="Mora")

    with pytest.raises(CreditdeskError) as caught:
        quote_accept(quote, contact=shop.contact, by=shop.user)

    assert caught.value.code == "contract_suspended"
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SENT
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert not CreditHold.objects.filter(status="active").exists()


def test_a_credit_acceptance_reads_the_ticket_under_its_lock(shop, ticket, monkeypatch):
    """A resolution that takes the ticket's lock while the acceptance holds the quote's is
    seen: the ticket's status is read after its lock, not with the quote, so the acceptance
    reopens the request instead of holding credits on a resolved one."""
    quote = quote_send(draft(ticket, shop.agent, Quote.Kind.CREDITS), by=shop.agent)
    ticket_start_work(ticket, by=shop.agent)
    lock_quote = services.quote_lock

    def quote_lock_then_resolution(pk):
        locked = lock_quote(pk)  # read with its ticket in progress
        ticket_resolve(Ticket.objects.get(pk=ticket.pk), by=shop.agent)
        return locked

    monkeypatch.setattr(services, "quote_lock", quote_lock_then_resolution)
    quote_accept(quote, contact=shop.contact, by=shop.user)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert ticket.hold.reference_type == "quotes.quote"
    assert ticket.hold.is_active


def test_a_draft_is_not_sent_once_its_ticket_is_closed(shop, ticket):
    """Drafting refuses a finished ticket; sending a draft written before it finished is
    refused alike, and takes no number."""
    quote = draft(ticket, shop.agent)
    ticket_start_work(ticket, by=shop.agent)
    ticket_resolve(ticket, by=shop.agent)
    ticket_close(ticket, by=shop.agent)
    start = QuoteSeries.objects.get(code="PR").next_number
    with pytest.raises(QuoteTicketClosed):
        quote_send(quote, by=shop.agent)
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.DRAFT
    assert QuoteSeries.objects.get(code="PR").next_number == start
