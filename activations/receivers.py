"""What activations hear from the apps below: a paid invoice (`invoice.paid`, after commit)."""

from django.dispatch import receiver

from background.queue import enqueue_on_commit
from core.events import domain_event


@receiver(domain_event, dispatch_uid="activations.invoice_paid")
def invoice_paid(sender: str, instance, **kwargs) -> None:
    """Enqueue the payment step of the invoice's activations (a task: the clock of an instant
    product starts from it, idempotent however often the payment is replayed)."""
    if sender != "invoice.paid":
        return
    from activations import tasks

    enqueue_on_commit(tasks.activations_payment_credited, instance.pk)
