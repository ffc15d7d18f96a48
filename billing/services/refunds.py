"""Refunds: money back on a payment, always with a credit note and the unused credits taken back.

Finance (`refund_issue`): a durable transaction records the Refund STARTED with a draft
credit note (which fixes the amount and refuses crediting more than the invoice), then Stripe
is called outside it (idempotency key `refund:<pk>`, metadata naming our refund), then
`refund_complete` issues the credit note and reverses the credits, once.
Stripe (`charge.refunded`, sent for refunds made in the Stripe dashboard too): each refund
in the charge not yet known gets the same treatment; one we started is only completed.
"""

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from djmoney.money import Money

from billing import credit_ledger, stripe_gateway
from billing.exceptions import (
    BillingError,
    PaymentNotRefundable,
    PaymentProviderError,
    RefundExceedsPayment,
)
from billing.locks import credit_note_lock, invoice_lock, payment_lock, refund_lock
from billing.models import Invoice, Payment, Refund
from billing.services.invoices import credit_note_draft, credit_note_issue_locked
from billing.services.payments import flag_locked
from core.money import money_sum
from core.text import row_id
from credits.rules import Explanation

Attention = Payment.Attention


def _not_applied(payment: Payment) -> PaymentNotRefundable:
    return PaymentNotRefundable(
        field="payment",
        payment=payment.pk,
        why_es="no se aplicó a una factura",
        why_en="it was not applied to an invoice",
    )


def _draft_refund(
    payment: Payment, *, amount: Money | None, reason: str, by: User | None
) -> Refund:
    """Inside a transaction: lock invoice then payment, draft the credit note, record STARTED."""
    if payment.invoice_id is None:
        raise _not_applied(payment)
    invoice = invoice_lock(payment.invoice_id)
    locked = payment_lock(payment.pk)
    if locked.applied_at is None:
        raise _not_applied(locked)
    # An invoice may take several payments, so a refund is bounded by its payment, not only
    # by the invoice (the credit note's bound): what the payment brought less what was given
    # back or is being given back. Without an amount, all of that; the invoice's own lines
    # only when the payment paid its whole total.
    given_back = money_sum(
        [r.amount for r in locked.refunds.exclude(status=Refund.Status.FAILED)], invoice.currency
    )
    left = locked.amount - given_back
    if amount is None and left != invoice.total:
        amount = left
    same_currency = amount is not None and str(amount.currency) == invoice.currency
    if left.amount <= 0 or (same_currency and amount is not None and amount > left):
        raise RefundExceedsPayment(field="amount", payment=locked.pk, left=left)
    note = credit_note_draft(invoice=invoice, reason=reason, amount=amount)
    return Refund.objects.create(
        payment=locked, amount=note.total, reason=reason, credit_note=note, created_by=by
    )


def refund_issue(
    *,
    payment: Payment,
    reason: str,
    amount: Money | None = None,
    by: User | None = None,
) -> Refund:
    """Refund all of a payment, or `amount` of it (tax included). See the module docstring."""
    if payment.invoice_id is None:
        raise PaymentNotRefundable(
            field="payment", payment=payment.pk, why_es="no tiene factura", why_en="no invoice"
        )
    with transaction.atomic(durable=True):
        refund = _draft_refund(payment, amount=amount, reason=reason, by=by)
    provider_ref = None
    if payment.provider == Payment.Provider.STRIPE:
        if not payment.provider_ref.startswith("pi_"):
            _refund_fail(refund, "not a PaymentIntent")
            raise PaymentNotRefundable(
                field="payment",
                payment=payment.pk,
                why_es="reembólsela desde Stripe",
                why_en="refund it from Stripe",
            )
        try:
            remote = stripe_gateway.refund_create(
                payment_intent_id=payment.provider_ref,
                amount=refund.amount,
                metadata={"creditdesk_refund": str(refund.pk)},
                idempotency_key=f"refund:{refund.pk}",
            )
        except PaymentProviderError as error:
            _refund_fail(refund, error.message("en"))
            raise
        provider_ref = remote["id"]
    return refund_complete(refund, provider_ref=provider_ref, by=by)


def _refund_fail(refund: Refund, error: str) -> None:
    with transaction.atomic(durable=True):
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.STARTED).update(
            status=Refund.Status.FAILED, error=error
        )
        Invoice.objects.filter(refund=refund, status=Invoice.Status.DRAFT).update(
            status=Invoice.Status.VOID, void_reason=f"Reembolso fallido: {error}"
        )


def refund_complete(refund: Refund, *, provider_ref: str | None, by: User | None = None) -> Refund:
    """Once: issue the credit note and take back the unused credits the refund covers.
    Locks the corrected invoice, the payment, then the refund."""
    with transaction.atomic():
        invoice_id = Payment.objects.values_list("invoice_id", flat=True).get(pk=refund.payment_id)
        invoice_lock(invoice_id)
        payment = payment_lock(refund.payment_id)
        locked = refund_lock(refund.pk)
        if locked.status != Refund.Status.STARTED:
            return locked
        note = credit_note_lock(locked)
        credit_note_issue_locked(note, by=by)
        credits = sum((line.credits for line in note.lines.all()), Decimal("0"))
        reversed_credits = Decimal("0")
        if credits > 0:
            reversed_credits = credit_ledger.take_back_unused(
                customer=note.customer,
                credits=credits,
                reason=Explanation(
                    f"Reembolso {locked.pk}: nota crédito {note.display_number}",
                    f"Refund {locked.pk}: credit note {note.display_number}",
                ),
                idempotency_key=f"refund:{locked.pk}",
                payment_id=payment.pk,
            )
            if reversed_credits < credits:
                flag_locked(
                    payment,
                    Attention.REFUND_MISMATCH,
                    f"refund {locked.pk} covers {credits} credits; {reversed_credits} taken back "
                    "(the rest were already used)",
                )
        locked.status = Refund.Status.SUCCEEDED
        locked.provider_ref = provider_ref
        locked.reversed_credits = reversed_credits
        locked.save(update_fields=["status", "provider_ref", "reversed_credits"])
        locked.credit_note = note
    return locked


def refunds_from_stripe_charge(charge: dict[str, Any]) -> None:
    """`charge.refunded`: complete refunds we started, record the others (made in Stripe)."""
    refs = [charge.get("payment_intent"), charge.get("invoice")]
    payment = (
        Payment.objects.filter(
            provider=Payment.Provider.STRIPE, provider_ref__in=[r for r in refs if r]
        )
        .order_by("pk")
        .first()
    )
    if payment is None:
        raise ValueError(f"charge {charge.get('id')}: no payment of ours")
    for remote in (charge.get("refunds") or {}).get("data") or []:
        if Refund.objects.filter(provider_ref=remote["id"]).exists():
            continue
        ours = (remote.get("metadata") or {}).get("creditdesk_refund")
        if ours and (refund_id := row_id(ours)) is not None:
            refund = Refund.objects.filter(pk=refund_id, payment=payment).first()
            if refund is not None:
                refund_complete(refund, provider_ref=remote["id"])
                continue
        amount = stripe_gateway.from_stripe_amount(int(remote["amount"]), remote["currency"])
        try:
            with transaction.atomic():
                refund = _draft_refund(
                    payment, amount=amount, reason="Reembolso hecho en Stripe", by=None
                )
                Refund.objects.filter(pk=refund.pk).update(provider_ref=remote["id"])
        except (BillingError, IntegrityError) as error:
            with transaction.atomic():
                flag_locked(
                    payment_lock(payment.pk),
                    Attention.REFUND_MISMATCH,
                    f"Stripe refund {remote['id']} of {amount}: {error}",
                )
            continue
        refund_complete(refund, provider_ref=remote["id"])
