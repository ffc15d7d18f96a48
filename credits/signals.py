"""Signals the credits app sends for the apps above it, which it never imports.

`available_credits_changed` is sent after commit, with `customer_id`, when a ledger entry or
a hold changed what a customer has available, and for each contract the hourly low-credits
check looks at (`credits.alerts`). Billing's auto top-up listens (`billing.receivers`): it
charges a saved card when credits fall below the customer's threshold, and re-arms once they
are back above it. A receiver must be cheap: it runs in the request that wrote the credits.
"""

from django.db import transaction
from django.dispatch import Signal

available_credits_changed = Signal()


def available_credits_announce(customer_id: int) -> None:
    """Send `available_credits_changed` once the current transaction commits."""
    transaction.on_commit(
        lambda: available_credits_changed.send(sender=None, customer_id=customer_id),
        robust=True,
    )
