"""Refunds: money back on a payment. Money that paid the invoice goes back with a credit note
and the unused credits it bought taken back; money the invoice never took (an overpayment's
excess, a payment never applied) goes back with neither (`Refund.returns_unapplied`), and
leaves what the invoice was paid as it was.

Finance (`refund_issue`): a durable transaction records the Refund STARTED with a draft
credit note (which fixes the amount and refuses crediting more than the invoice), then Stripe
is called outside it (idempotency key `refund:<pk>`, metadata naming our refund), then
`refund_complete` issues the credit note and reverses the credits, once.
Finance on a transfer's or cash overpayment (`overpayment_settle`): one durable transaction
applies what is due (`payments.payment_apply_locked`, as any payment) and records the refund
of the rest STARTED; finance sends the money back and `refund_complete` records it. A card's
excess is refunded from Stripe's dashboard (`billing.selectors.returned_by_finance`).
Stripe (`charge.refunded`, sent for refunds made in the Stripe dashboard too): each refund
in the charge not yet known gets the same treatment; one we started is only completed, and
one we recorded as failed that Stripe made after all is recorded anew, as one made in
Stripe. One of money the payment still holds unapplied is recorded as that money going back.
"""

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from djmoney.money import Money

from billing import credit_ledger, stripe_gateway
from billing.exceptions import (
    BillingError,
    OverpaymentNotSettled,
    PaymentNotRefundable,
    PaymentProviderError,
    RefundExceedsPayment,
)
from billing.locks import credit_note_lock, invoice_lock, payment_lock, refund_lock
from billing.models import Invoice, Payment, Refund
from billing.selectors import (
    overpayment_split,
    payment_misfit,
    payment_refundable,
    payment_unreturned,
    refundable_by_us,
    returned_by_finance,
)
from billing.services.invoices import credit_note_draft, credit_note_issue_locked
from billing.services.payments import flag_locked, payment_apply_locked
from contracts.services import customer_today
from core.errors import choice_labels
from core.formatting import money_text
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
    payment: Payment,
    *,
    amount: Money | None,
    reason: str,
    by: User | None,
    submission_key: UUID | None = None,
) -> tuple[Refund, bool]:
    """Inside a transaction: lock invoice then payment, draft the credit note, record STARTED.
    (the refund, True), or (the refund an earlier submit of the same form recorded, False)."""
    if payment.invoice_id is None:
        raise _not_applied(payment)
    invoice = invoice_lock(payment.invoice_id)
    locked = payment_lock(payment.pk)
    if submission_key is not None:
        earlier = Refund.objects.filter(payment=locked, submission_key=submission_key).first()
        if earlier is not None:
            return earlier, False
    if locked.applied_at is None:
        raise _not_applied(locked)
    # An invoice may take several payments, so a refund is bounded by its payment, not only
    # by the invoice (the credit note's bound). Without an amount, all that is left of it; the
    # invoice's own lines only when the payment paid its whole total.
    left = payment_refundable(locked)
    if amount is None and left != invoice.total:
        amount = left
    same_currency = amount is not None and str(amount.currency) == invoice.currency
    if left.amount <= 0 or (same_currency and amount is not None and amount > left):
        raise RefundExceedsPayment(field="amount", payment=locked.pk, left=left)
    note = credit_note_draft(invoice=invoice, reason=reason, amount=amount)
    refund = _refund_record(
        locked,
        amount=note.total,
        reason=reason,
        credit_note=note,
        created_by=by,
        submission_key=submission_key,
    )
    return refund, True


def _refund_record(payment: Payment, **fields: Any) -> Refund:
    # The customer's day, as a credit note's issue date; the installation's for a payment of
    # a customer not known (a Stripe payment no customer of ours was found for).
    customer = payment.customer
    returned_on = customer_today(customer) if customer is not None else timezone.localdate()
    return Refund.objects.create(payment=payment, returned_on=returned_on, **fields)


def refund_issue(
    *,
    payment: Payment,
    reason: str,
    amount: Money | None = None,
    by: User | None = None,
    submission_key: UUID | None = None,
) -> Refund:
    """Refund all of a payment, or `amount` of it (tax included). See the module docstring.
    With finance's form's `submission_key`, a second submit of the same form gets the refund
    the first recorded (completed if the first stopped before), and nothing more is refunded."""
    if payment.invoice_id is None:
        raise PaymentNotRefundable(
            field="payment", payment=payment.pk, why_es="no tiene factura", why_en="no invoice"
        )
    with transaction.atomic(durable=True):
        refund, new = _draft_refund(
            payment, amount=amount, reason=reason, by=by, submission_key=submission_key
        )
    if not new and refund.status != Refund.Status.STARTED:
        return refund  # recorded by an earlier submit of the same form
    if not refundable_by_us(payment):
        _refund_fail(refund, "not a PaymentIntent")
        raise _refund_from_stripe(payment)
    return _refund_send(refund, payment, by=by)


def _refund_from_stripe(payment: Payment) -> PaymentNotRefundable:
    return PaymentNotRefundable(
        field="payment",
        payment=payment.pk,
        why_es="reembólsela desde Stripe",
        why_en="refund it from Stripe",
    )


def _refund_send(refund: Refund, payment: Payment, *, by: User | None) -> Refund:
    """Outside any transaction: give a STARTED refund's money back (through Stripe for a card
    payment; a transfer or cash was sent back by finance) and complete it."""
    provider_ref = None
    if payment.provider == Payment.Provider.STRIPE:
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
        refund_fail_locked(refund, error)


def refund_fail_locked(refund: Refund, error: str) -> None:
    """Inside a transaction: nothing went back, so the refund is FAILED, its draft credit note
    void, and the form that asked for it may be sent again (its key let go)."""
    Refund.objects.filter(pk=refund.pk, status=Refund.Status.STARTED).update(
        status=Refund.Status.FAILED, error=error, submission_key=None
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
        if locked.returns_unapplied:
            # Money the invoice never took: nothing to credit, no credits bought with it.
            locked.status = Refund.Status.SUCCEEDED
            locked.provider_ref = provider_ref
            locked.save(update_fields=["status", "provider_ref"])
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


def _not_settled(payment: Payment, why_es: Any, why_en: Any) -> OverpaymentNotSettled:
    return OverpaymentNotSettled(field="payment", payment=payment.pk, why_es=why_es, why_en=why_en)


def _settle_locked(
    invoice: Invoice | None, locked: Payment, *, by: User | None
) -> tuple[Refund, bool]:
    """Under the invoice's and the payment's locks: apply what is due and record the refund of
    the rest STARTED; or, for an overpayment settled before, its refund of the rest. True when
    the refund is new. Refuses anything else, writing nothing."""
    if invoice is None or locked.status != Payment.Status.SUCCEEDED:
        raise _not_settled(locked, "no se ha recibido", "it was not received")
    if locked.applied_at is not None:
        done = locked.refunds.filter(returns_unapplied=True).order_by("-pk").first()
        if done is not None:
            return done, False  # settled already (a second submit): returned once
        raise _not_settled(locked, "ya se aplicó completo", "it is already applied in full")
    split = overpayment_split(locked, invoice)
    if split is None:
        misfit = payment_misfit(locked, invoice)
        if misfit is None:
            raise _not_settled(
                locked, "cabe en lo pendiente; confírmelo", "it fits what is due; confirm it"
            )
        if misfit[0] == Attention.OVERPAYMENT:  # more than nothing: credited in full
            raise _not_settled(
                locked,
                "la factura no tiene nada pendiente; devuélvalo completo",
                "nothing is due on the invoice; return all of it",
            )
        label = choice_labels(misfit[0], Attention)
        raise _not_settled(locked, label, label)
    due, rest = split
    payment_apply_locked(invoice, locked, amount=due, by=by)
    why = (
        f"Pago mayor que lo pendiente: aplicado {money_text(due, language='es')}, "
        f"devuelto el resto, {money_text(rest, language='es')}"
    )
    locked.resolved_at = timezone.now()
    locked.resolved_by = by
    locked.note = (locked.note + "\n" + why).strip()
    locked.save(update_fields=["resolved_at", "resolved_by", "note"])
    refund = _refund_record(locked, amount=rest, reason=why, returns_unapplied=True, created_by=by)
    return refund, True


def overpayment_settle(*, payment: Payment, by: User | None = None) -> Refund:
    """Finance settles a transfer or cash payment worth more than what is still due on its
    issued invoice: what is due is applied as any payment is (the invoice paid, its suspension
    lifted after commit) and the rest, sent back by finance, is recorded as a refund of the
    payment that `returns_unapplied`, with no credit note. A card's rest is returned from
    Stripe's dashboard instead (`returned_by_finance`). Idempotent: a second call returns the
    same refund, completing it if the first stopped between its two transactions. Locks the
    invoice, then the payment, in one durable transaction."""
    if not returned_by_finance(payment):
        raise OverpaymentNotSettled(
            field="payment",
            payment=payment.pk,
            why_es="devuelva el resto desde Stripe",
            why_en="return the rest from Stripe",
        )
    with transaction.atomic(durable=True):
        invoice_id = Payment.objects.values_list("invoice_id", flat=True).get(pk=payment.pk)
        invoice = invoice_lock(invoice_id) if invoice_id else None
        locked = payment_lock(payment.pk)
        refund, new = _settle_locked(invoice, locked, by=by)
    if not new and refund.status != Refund.Status.STARTED:
        return refund  # settled by an earlier submit
    return _refund_send(refund, locked, by=by)


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
        reason = "Reembolso hecho en Stripe"
        ours = (remote.get("metadata") or {}).get("creditdesk_refund")
        if ours and (refund_id := row_id(ours)) is not None:
            refund = Refund.objects.filter(pk=refund_id, payment=payment).first()
            if refund is not None and refund.status != Refund.Status.FAILED:
                # Decided again under the refund's lock: one that failed meanwhile (our side's
                # timeout recorded) is recorded below.
                refund = refund_complete(refund, provider_ref=remote["id"])
                if refund.status != Refund.Status.FAILED:
                    continue
            if refund is not None:
                # Recorded as failed (an error, a timeout, while Stripe went on), its credit
                # note voided, yet the money went back: recorded as a refund made in Stripe,
                # so the books say what the customer got and what is left to refund.
                reason = f"Reembolso hecho en Stripe; el reembolso {refund.pk} se registró fallido"
        amount = stripe_gateway.from_stripe_amount(int(remote["amount"]), remote["currency"])
        if _stripe_returned_unapplied(payment, remote["id"], amount):
            continue
        try:
            with transaction.atomic():
                # Events handled at once list the same refund (each lists all of the charge's):
                # the one that takes the payment's lock first records it.
                if payment.invoice_id:
                    invoice_lock(payment.invoice_id)
                payment_lock(payment.pk)
                if Refund.objects.filter(provider_ref=remote["id"]).exists():
                    continue
                refund, _new = _draft_refund(payment, amount=amount, reason=reason, by=None)
                Refund.objects.filter(pk=refund.pk).update(provider_ref=remote["id"])
        except (BillingError, IntegrityError) as error:
            with transaction.atomic():
                locked = payment_lock(payment.pk)
                # Once per Stripe refund, before finance even when it had reviewed the
                # payment; a later event listing the same refund leaves finance's review be.
                if f"Stripe refund {remote['id']} " not in locked.attention_detail:
                    flag_locked(
                        locked,
                        Attention.REFUND_MISMATCH,
                        f"Stripe refund {remote['id']} of {money_text(amount, language='en')}: "
                        f"{error}",
                        replace=locked.resolved_at is not None,
                        reopen=True,
                    )
            continue
        refund_complete(refund, provider_ref=remote["id"])


def _stripe_returned_unapplied(payment: Payment, remote_id: str, amount: Money) -> bool:
    """A refund made in Stripe of money the payment holds unapplied (all of a payment never
    applied, an overpayment's rest): recorded as that money going back, with no credit note.
    In full, the payment leaves finance's list; in part, one never applied stays on it saying
    what is left. False, writing nothing, for a refund of more than that: one of money that
    paid the invoice. Locks the invoice, then the payment."""
    with transaction.atomic():
        invoice_id = Payment.objects.values_list("invoice_id", flat=True).get(pk=payment.pk)
        if invoice_id:
            invoice_lock(invoice_id)
        locked = payment_lock(payment.pk)
        if Refund.objects.filter(provider_ref=remote_id).exists():
            return True  # another delivery of the event recorded it meanwhile
        held = payment_unreturned(locked)
        if held.amount <= 0 or amount.currency != held.currency or amount > held:
            return False
        _refund_record(
            locked,
            amount=amount,
            reason="Reembolso hecho en Stripe",
            returns_unapplied=True,
            status=Refund.Status.SUCCEEDED,
            provider_ref=remote_id,
        )
        rest = held - amount
        if rest.amount <= 0:
            if locked.needs_attention and locked.resolved_at is None:
                locked.resolved_at = timezone.now()
                locked.note = (locked.note + "\nDevuelto desde Stripe.").strip()
                locked.save(update_fields=["resolved_at", "note"])
        elif locked.applied_at is None:
            flag_locked(
                locked,
                Attention.PARTLY_RETURNED,
                f"Stripe refund {remote_id} returned {money_text(amount, language='en')}; "
                f"{money_text(rest, language='en')} is neither applied to the "
                "invoice nor returned",
                replace=True,
                reopen=True,
            )
    return True
