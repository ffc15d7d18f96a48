"""What activations hear from the apps below: a paid invoice (`invoice.paid`, in the payment's
transaction), and an invoice voided or credited (`invoice.voided`, `invoice.credited`, in
billing's transaction)."""

from django.dispatch import receiver

from activations.models import Activation
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


@receiver(domain_event, dispatch_uid="activations.invoice_withdrawn")
def invoice_withdrawn(sender: str, instances: list, **kwargs) -> None:
    """Enqueue the cancellation of the invoice's open activations (the task decides whether a
    credit note undid the whole sale), committed with the void or the credit note."""
    if sender not in ("invoice.voided", "invoice.credited"):
        return
    from activations import tasks
    from activations.services import OPEN_STATUSES

    # Most voided or credited invoices bought no product: no task for them.
    purchases = (
        Activation.objects.filter(
            invoice_id__in=[invoice.pk for invoice in instances], status__in=OPEN_STATUSES
        )
        .order_by("invoice_id")
        .values_list("invoice_id", flat=True)
        .distinct()
    )
    enqueue_many_with_transaction(
        tasks.activations_invoice_withdrawn, [(invoice_id,) for invoice_id in purchases]
    )
