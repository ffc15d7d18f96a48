"""Every write of the billing app, by sub-domain; import from here.

Rows are locked through `billing.locks`, whose docstring gives the one lock order.
Stripe is called outside any transaction: record STARTED, call with a key derived from our
row, record the answer.
"""

from billing.services.invoices import (
    CreditNoteLine,
    credit_note_issue,
    invoice_add_line,
    invoice_create_draft,
    invoice_issue,
    invoice_mark_paid,
    invoice_void,
    line_amounts,
)
from billing.services.onsite import onsite_charge_record
from billing.services.overdue import overdue_lift_settled, overdue_suspend_due
from billing.services.payments import payment_apply, payment_record, payment_resolve
from billing.services.refunds import overpayment_settle, refund_issue
from billing.services.run import Period, billing_run, billing_run_request, period_last_over
from billing.services.subscriptions import subscription_start, subscriptions_end_due
from billing.services.topups import topup_start
from billing.services.webhooks import stripe_event_receive

__all__ = [
    "CreditNoteLine",
    "Period",
    "billing_run",
    "billing_run_request",
    "credit_note_issue",
    "invoice_add_line",
    "invoice_create_draft",
    "invoice_issue",
    "invoice_mark_paid",
    "invoice_void",
    "line_amounts",
    "onsite_charge_record",
    "overdue_lift_settled",
    "overdue_suspend_due",
    "overpayment_settle",
    "payment_apply",
    "payment_record",
    "payment_resolve",
    "period_last_over",
    "refund_issue",
    "stripe_event_receive",
    "subscription_start",
    "subscriptions_end_due",
    "topup_start",
]
