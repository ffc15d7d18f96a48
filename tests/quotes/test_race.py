"""Real threads on PostgreSQL: a quote is decided exactly once however many clicks race
(accept against accept, accept against reject), one invoice at most, and concurrent sends
take consecutive numbers."""

import pytest

from billing.models import Invoice
from core.errors import CreditdeskError
from quotes.models import Quote
from quotes.services import quote_accept, quote_draft, quote_reject, quote_send
from tests.quotes.conftest import MONEY_LINES, in_days
from tests.threads import run_together

WORKERS = 6


def draft(shop, ticket):
    return quote_draft(
        ticket=ticket,
        kind=Quote.Kind.MONEY,
        lines=MONEY_LINES,
        valid_until=in_days(5),
        by=shop.agent,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_accepts_and_rejects_decide_the_quote_once(shop, ticket):
    quote = quote_send(draft(shop, ticket), by=shop.agent)

    def decide(i: int):
        if i % 2:
            return quote_reject(quote, contact=shop.contact, by=shop.user)
        return quote_accept(quote, contact=shop.contact, by=shop.user)

    results = run_together(decide, threads=WORKERS)
    decided = [r for r in results if isinstance(r, Quote)]
    refused = [r for r in results if isinstance(r, CreditdeskError)]
    assert len(decided) == 1, results
    assert len(refused) == WORKERS - 1
    assert {r.code for r in refused} == {"quote_already_decided"}
    final = Quote.objects.get(pk=quote.pk)
    assert final.status == decided[0].status
    expected = 1 if final.status == Quote.Status.ACCEPTED else 0
    assert Invoice.objects.filter(customer=shop.customer).count() == expected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_take_consecutive_numbers(shop, ticket):
    quotes = [draft(shop, ticket) for _ in range(WORKERS)]
    results = run_together(lambda i: quote_send(quotes[i], by=shop.agent), threads=WORKERS)
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(Quote.objects.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + WORKERS))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_expiry_jobs_and_an_acceptance_racing_leave_one_outcome(shop, ticket):
    """Two expiry runs (a catch-up and the operator's) and the customer's clicks at once:
    the quote ends accepted with its invoice, or expired with none, and is marked once."""
    from datetime import timedelta

    from django.utils import timezone

    from quotes.services import quotes_expire

    quote = quote_send(draft(shop, ticket), by=shop.agent)
    later = timezone.now() + timedelta(days=7)

    def act(i: int):
        if i % 2:
            return quotes_expire(now=later)
        return quote_accept(quote, contact=shop.contact, by=shop.user)

    results = run_together(act, threads=WORKERS)
    marked = sum(r for r in results if isinstance(r, int))
    accepted = [r for r in results if isinstance(r, Quote)]
    unexpected = [
        r for r in results if isinstance(r, Exception) and not isinstance(r, CreditdeskError)
    ]
    assert not unexpected, results
    final = Quote.objects.get(pk=quote.pk)
    invoices = Invoice.objects.filter(customer=shop.customer).count()
    if final.status == Quote.Status.ACCEPTED:
        assert (len(accepted), marked, invoices) == (1, 0, 1)
    else:
        assert final.status == Quote.Status.EXPIRED
        assert (len(accepted), marked, invoices) == (0, 1, 0)
