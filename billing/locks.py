"""The billing app's row locks, in the one order every billing write takes them.

    invoice (a credit note's corrected invoice first) -> payment -> refund
    -> the credit note being issued -> invoice series -> credit account (last; `credits`)

A billing run's row is locked alone (`billing_run_request`). The monthly run issues each
batch of drafts under one lock of the series row (`invoices_issue_prepared`), taken after
the batch's allowance months are settled and before its overdrafts reach credit accounts;
the series is held until the batch commits.
A Stripe event row is locked first, before the rows its handler locks in that order.
A bank transfer a customer reported is locked before the invoice and payment its
confirmation records (`billing.services.transfers`).
A customer's auto top-up row is locked before its attempt, and both before the invoice and
payment a crossing drafts (`billing.services.autotopup`).

Parent before child, each row by primary key: two writers that take rows in one order never
wait on each other in a cycle (a deadlock). A service that needs several locks calls these
functions in the order above. Stripe subscriptions are locked alone. Contract status and
plan changes go through `contracts.services` in their own transactions, after ours commit,
and Stripe is called outside any transaction.

Each lock reads its row's customer (or credit note) in the same query, unlocked
(`of=("self",)`), because the services need it and the customer is not billing's to lock.
"""

from datetime import date

from billing.models import (
    AutoTopUp,
    AutoTopUpAttempt,
    BankTransferReport,
    BillingRun,
    Invoice,
    InvoiceSeries,
    Payment,
    Refund,
    StripeEvent,
    StripeSubscription,
)


def invoice_lock(pk: int) -> Invoice:
    return Invoice.objects.select_for_update(of=("self",)).select_related("customer").get(pk=pk)


def payment_lock(pk: int) -> Payment:
    return Payment.objects.select_for_update(of=("self",)).select_related("customer").get(pk=pk)


def refund_lock(pk: int) -> Refund:
    return Refund.objects.select_for_update(of=("self",)).select_related("credit_note").get(pk=pk)


def credit_note_lock(refund: Refund) -> Invoice:
    """The credit note a refund drafted."""
    return Invoice.objects.select_for_update(of=("self",)).get(refund=refund)


def series_lock(code: str) -> InvoiceSeries:
    return InvoiceSeries.objects.select_for_update().get(code=code)


def subscription_lock(pk: int) -> StripeSubscription:
    return StripeSubscription.objects.select_for_update().get(pk=pk)


def stripe_event_lock(pk: int) -> StripeEvent:
    return StripeEvent.objects.select_for_update().get(pk=pk)


def billing_run_lock(period_start: date) -> BillingRun:
    return BillingRun.objects.select_for_update().get(period_start=period_start)


def auto_top_up_lock(customer_id: int) -> AutoTopUp | None:
    """The customer's auto top-up row (None when it never set one up)."""
    return (
        AutoTopUp.objects.select_for_update(of=("self",))
        .select_related("customer", "credit_pack")
        .filter(customer_id=customer_id)
        .first()
    )


def auto_top_up_attempt_lock(pk: int) -> AutoTopUpAttempt:
    return AutoTopUpAttempt.objects.select_for_update().get(pk=pk)


def transfer_report_lock(pk: int) -> BankTransferReport:
    """A reported bank transfer, with its customer, invoice and pack read unlocked."""
    return (
        BankTransferReport.objects.select_for_update(of=("self",))
        .select_related("customer", "invoice", "credit_pack")
        .get(pk=pk)
    )
