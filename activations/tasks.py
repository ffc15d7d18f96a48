"""The activations app's background tasks (each idempotent)."""

from background.queue import background_task


@background_task
def activations_payment_credited(invoice_id: int) -> int:
    """Tick "pago acreditado" on the activations of a paid invoice, starting their clocks."""
    from activations.services import activations_payment_credited as credited

    return credited(invoice_id=invoice_id)


@background_task
def activations_invoice_withdrawn(invoice_id: int) -> int:
    """Cancel the open activations of an invoice voided or credited in full."""
    from activations.services import activations_invoice_withdrawn as withdrawn

    return withdrawn(invoice_id=invoice_id)


@background_task
def send_activation_alert(activation_id: int, late: bool) -> int:
    """Mail the staff an activation's warning or lateness (once each)."""
    from activations import notifications

    return notifications.send_activation_alert(activation_id, late=late)
