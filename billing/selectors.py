"""Reads of the billing app: invoices, overdue invoices, payments needing finance."""

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from billing.models import Invoice, Payment
from contracts.models import Customer


def invoice_list(
    *, customer: Customer | None = None, status: str | None = None
) -> QuerySet[Invoice]:
    queryset = Invoice.objects.select_related("customer", "series")
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    if status is not None:
        queryset = queryset.filter(status=status)
    return queryset


def invoice_list_overdue(*, on: date | None = None) -> QuerySet[Invoice]:
    """Issued, unpaid invoices past due date + grace days on `on` (today by default)."""
    on = on or timezone.localdate()
    return Invoice.objects.filter(
        kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED, insolvent_on__lte=on
    )


def customer_is_administratively_insolvent(customer: Customer) -> bool:
    """The check billing registers with credits' solvency: any invoice overdue today."""
    return invoice_list_overdue().filter(customer=customer).exists()


def payment_list_needing_attention() -> QuerySet[Payment]:
    """Payments finance must look at: recorded, flagged with a reason, not yet resolved."""
    return (
        Payment.objects.filter(needs_attention=True, resolved_at__isnull=True)
        .select_related("customer", "invoice", "credit_pack")
        .order_by("created_at", "pk")
    )
