"""Overdue invoices: insolvency (a query, read by credits' solvency hook), suspension after
a further period, and reactivation once nothing is overdue.

An issued invoice unpaid after `insolvent_on` (due date + the plan's grace days, fixed at
issue) makes its customer administratively insolvent. BILLING_SUSPEND_AFTER_DAYS (default
15) days later, `overdue_suspend_due` suspends the customer's active contract through
`contracts.services.contract_suspend` and records a BillingSuspension; once no invoice of
the customer is past `insolvent_on`, `overdue_lift_settled` reactivates it. Only contracts
billing suspended are reactivated by billing. Each suspension and each reactivation mails the
customer once, after commit (`billing.notifications`).
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from background.queue import enqueue_on_commit
from billing import tasks
from billing.models import BillingSuspension
from billing.selectors import invoice_list_overdue
from contracts.models import Contract
from contracts.services import contract_reactivate, contract_suspend
from core.events import event_emit


def suspend_after_days() -> int:
    return int(settings.BILLING_SUSPEND_AFTER_DAYS)


def overdue_announce(*, today: date | None = None) -> int:
    """Announce every invoice overdue today (`invoice.overdue`). Each daily run finds the
    same invoices again; the event's key makes listeners announce each invoice once."""
    overdue = list(invoice_list_overdue(on=today or timezone.localdate()))
    for invoice in overdue:
        event_emit("invoice.overdue", invoice, key=f"invoice.overdue:{invoice.pk}")
    return len(overdue)


def overdue_suspend_due(*, today: date | None = None) -> list[BillingSuspension]:
    """Suspend each active contract whose customer has an invoice insolvent for long enough."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=suspend_after_days())
    overdue = (
        invoice_list_overdue(on=cutoff)
        .filter(customer__contracts__status=Contract.Status.ACTIVE)
        .order_by("customer_id", "insolvent_on", "pk")
        .distinct()
    )
    suspended = []
    seen: set[int] = set()
    for invoice in overdue.select_related("series"):
        if invoice.customer_id in seen:
            continue
        seen.add(invoice.customer_id)
        contract = Contract.objects.filter(
            customer_id=invoice.customer_id, status=Contract.Status.ACTIVE
        ).first()
        if contract is None:
            continue
        with transaction.atomic():
            contract_suspend(
                contract,
                reason=f"Factura {invoice.display_number} vencida desde {invoice.insolvent_on}",
            )
            try:
                with transaction.atomic():
                    suspension = BillingSuspension.objects.create(
                        contract=contract, invoice=invoice, suspended_at=timezone.now()
                    )
            except IntegrityError:
                continue
            enqueue_on_commit(tasks.send_suspension_notice, suspension.pk)
        suspended.append(suspension)
    return suspended


def overdue_lift_settled(
    *, customer_id: int | None = None, today: date | None = None
) -> list[BillingSuspension]:
    """Reactivate contracts billing suspended whose customer has nothing overdue any more."""
    today = today or timezone.localdate()
    open_suspensions = BillingSuspension.objects.filter(lifted_at__isnull=True).select_related(
        "contract"
    )
    if customer_id is not None:
        open_suspensions = open_suspensions.filter(contract__customer_id=customer_id)
    lifted = []
    for suspension in open_suspensions:
        contract = suspension.contract
        if invoice_list_overdue(on=today).filter(customer_id=contract.customer_id).exists():
            continue
        with transaction.atomic():
            claimed = BillingSuspension.objects.filter(
                pk=suspension.pk, lifted_at__isnull=True
            ).update(lifted_at=timezone.now())
            if not claimed:
                continue
            contract.refresh_from_db(fields=["status"])
            if contract.status == Contract.Status.SUSPENDED:
                contract_reactivate(contract, reason="Pago recibido: sin facturas vencidas")
            enqueue_on_commit(tasks.send_reactivation_notice, suspension.pk)
        lifted.append(suspension)
    return lifted
