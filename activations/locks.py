"""The activations app's row lock. Order: (invoice ->) activation -> its steps (guarded by
the activation's row, no lock of their own). The purchase issues its invoice (billing's own
locks), or locks the invoice it links (`billing.locks.invoice_lock`, so a payment landing
at once is seen or sees the activation), before the activation row exists; nothing else is
locked while an activation is held."""

from activations.models import Activation


def activation_lock(pk: int) -> Activation:
    return (
        Activation.objects.select_for_update(of=("self",))
        .select_related("product", "calendar_version", "customer")
        .get(pk=pk)
    )
