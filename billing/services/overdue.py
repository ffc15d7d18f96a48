"""Overdue invoices: insolvency (a query, read by credits' solvency hook), suspension after
a further period, and reactivation once nothing is overdue.

An issued invoice unpaid after `insolvent_on` (due date + the plan's grace days, fixed at
issue) makes its customer administratively insolvent. BILLING_SUSPEND_AFTER_DAYS (default
15) days later, `overdue_suspend_due` suspends the customer's active contract through
`contracts.services.contract_suspend` and records a BillingSuspension; once no invoice of
the customer is past `insolvent_on`, `overdue_lift_settled` reactivates it. Only contracts
billing suspended are reactivated by billing. Each suspension and each reactivation mails the
customer once, after commit (`billing.notifications`).

A contract staff reactivate while billing's suspension is open stays active: the job does not
suspend it again, and the customer's payment lifts the suspension without a second notice.

"Overdue on a day" is the customer's day, as for intake's insolvency check: `billing_daily`
runs hourly, so each customer's invoices turn overdue, and its contract is suspended or
reactivated, within the hour after its own midnight, never on UTC's.
"""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from background.queue import enqueue_on_commit
from billing import tasks
from billing.models import BillingSuspension
from billing.selectors import customer_is_administratively_insolvent, invoice_list_overdue_now
from contracts.models import Contract
from contracts.services import contract_reactivate, contract_suspend
from core.events import event_emit


def suspend_after_days() -> int:
    return int(settings.BILLING_SUSPEND_AFTER_DAYS)


def overdue_announce(*, now: datetime | None = None) -> int:
    """Announce every invoice overdue on its customer's today (`invoice.overdue`). Each run
    finds the same invoices again; the event's key makes listeners announce each one once."""
    overdue = list(invoice_list_overdue_now(now=now))
    for invoice in overdue:
        event_emit("invoice.overdue", invoice, key=f"invoice.overdue:{invoice.pk}")
    return len(overdue)


def overdue_suspend_due(*, now: datetime | None = None) -> list[BillingSuspension]:
    """Suspend each active contract whose customer has an invoice insolvent for long enough."""
    overdue = (
        invoice_list_overdue_now(now=now, days_before=suspend_after_days())
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
            try:
                with transaction.atomic():
                    suspension = BillingSuspension.objects.create(
                        contract=contract, invoice=invoice, suspended_at=timezone.now()
                    )
            except IntegrityError:
                # Billing's suspension is still open: staff reactivated the contract since,
                # and that stands until the customer pays (`overdue_lift_settled`).
                continue
            contract_suspend(
                contract,
                reason=f"Factura {invoice.display_number} vencida desde {invoice.insolvent_on}",
            )
            enqueue_on_commit(tasks.send_suspension_notice, suspension.pk)
        suspended.append(suspension)
    return suspended


def overdue_lift_settled(
    *, customer_id: int | None = None, now: datetime | None = None
) -> list[BillingSuspension]:
    """Reactivate contracts billing suspended whose customer has nothing overdue any more."""
    open_suspensions = BillingSuspension.objects.filter(lifted_at__isnull=True).select_related(
        "contract__customer"
    )
    if customer_id is not None:
        open_suspensions = open_suspensions.filter(contract__customer_id=customer_id)
    lifted = []
    for suspension in open_suspensions:
        contract = suspension.contract
        if customer_is_administratively_insolvent(contract.customer, now=now):
            continue
        with transaction.atomic():
            claimed = BillingSuspension.objects.filter(
                pk=suspension.pk, lifted_at__isnull=True
            ).update(lifted_at=timezone.now())
            if not claimed:
                continue
            contract.refresh_from_db(fields=["status"])
            # Reactivated by staff meanwhile: lifted quietly, the customer knows it is active.
            if contract.status == Contract.Status.SUSPENDED:
                contract_reactivate(contract, reason="Pago recibido: sin facturas vencidas")
                enqueue_on_commit(tasks.send_reactivation_notice, suspension.pk)
        lifted.append(suspension)
    return lifted
