"""What activations hear from the apps below: a paid invoice (`invoice.paid`, in the payment's
transaction)."""

from django.dispatch import receiver

from background.queue import enqueue_many_with_transaction
from core.events import domain_event


@receiver(domain_event, dispatch_uid="activations.invoice_paid")
def invoice_paid(sender: str, instances: list, **kwargs) -> None:
    """Enqueue the payment step of the invoice's activations with the payment (a task: the
    clock of an instant product starts from it, idempotent however often the payment is
    replayed)."""
    if sender != "invoice.paid":
        return
    from activations import tasks

    enqueue_many_with_transaction(
        tasks.activations_payment_credited, [(invoice.pk,) for invoice in instances]
    )
