"""The quotes app's row locks, in the one order every quote write takes them.

    quote -> its ticket (`tickets.locks`) -> the invoice acceptance issues (`billing.locks`:
    invoice -> invoice series) -> the quote series -> the credit account (last; `credits`)

Sending locks the quote, then the quote series only for the number (held for one UPDATE,
as billing's invoice series is). Accepting and rejecting lock the quote first, so two
decisions on one quote queue and the second finds it decided.
"""

from quotes.models import Quote, QuoteSeries


def quote_lock(pk: int) -> Quote:
    return (
        Quote.objects.select_for_update(of=("self",))
        .select_related("customer", "ticket")
        .get(pk=pk)
    )


def quote_series_lock(code: str) -> QuoteSeries:
    return QuoteSeries.objects.select_for_update().get(code=code)
