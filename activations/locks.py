"""The activations app's row lock. Order: activation -> its steps (guarded by the
activation's row, no lock of their own). Nothing else is locked while it is held: the
purchase issues its invoice (billing's own locks) before the activation row exists."""

from activations.models import Activation


def activation_lock(pk: int) -> Activation:
    return (
        Activation.objects.select_for_update(of=("self",))
        .select_related("product", "calendar_version", "customer")
        .get(pk=pk)
    )
