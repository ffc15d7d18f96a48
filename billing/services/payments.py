"""Payments: recorded by finance or confirmed by Stripe, applied to their invoice once.

`payment_apply` is the single path that turns received money into a paid invoice and
credits in the ledger. It locks the invoice, then the payment; `applied_at` on the payment
row, set in the same transaction, makes every later call a no-op, and the ledger's
idempotency key `payment:<pk>` is the second guard.

An issued invoice takes partial payments: each payment in its currency of at most what is
still due (`billing.selectors.invoice_amount_due`: total less credit notes and payments
applied) is applied, and the one that leaves nothing due marks it paid. Because the invoice's
row is locked before the amount due is read, two payments recorded at once are weighed one
after the other: the second sees the first applied and cannot take the invoice past its
total. A credit-pack top-up (a draft invoice) takes its exact price only. Payments that do
not fit (unknown pack, more than is due, a top-up's wrong amount, another currency, invoice
already paid or void) are kept, flagged for finance with a reason, and never credited.
An overpayment finance settles (`billing.services.refunds.overpayment_settle`) applies what
is due through `payment_apply_locked` too; the payment's `applied_amount` is what counts
toward the invoice, and the rest goes back.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from djmoney.money import Money

from billing import credit_ledger as ledger
from billing.exceptions import (
    CreditNoteNotPayable,
    DuplicatePaymentReference,
    NoLiveContract,
    PackNotForSale,
)
from billing.locks import invoice_lock, payment_lock
from billing.models import Invoice, InvoiceLine, Payment
from billing.selectors import invoice_amount_due, payment_misfit, payment_unreturned
from billing.services.invoices import (
    invoice_add_line,
    invoice_create_draft,
    issue_locked,
    mark_paid_locked,
)
from contracts.models import CreditPack, Customer
from contracts.selectors import credit_packs_on_sale
from contracts.services import customer_today
from core.amounts import InvalidAmount, parse_money
from core.errors import InvalidInput, choice_labels, text_at_most
from core.formatting import credits_text
from core.instants import day_within
from core.languages import SPANISH
from core.money import round_half_up

Attention = Payment.Attention


def flag_locked(
    payment: Payment,
    reason: str,
    detail: str = "",
    *,
    replace: bool = False,
    reopen: bool = False,
) -> Payment:
    """Mark a locked payment for finance; the first reason found is kept, unless `replace`
    (a reviewed payment that still does not fit says why now). With `reopen`, a payment
    finance had reviewed goes back before finance."""
    if replace or not payment.needs_attention:
        payment.needs_attention = True
        payment.attention_reason = reason
        payment.attention_detail = detail
        payment.save(update_fields=["needs_attention", "attention_reason", "attention_detail"])
    if reopen and payment.resolved_at is not None:
        payment.resolved_at, payment.resolved_by = None, None
        payment.save(update_fields=["resolved_at", "resolved_by"])
    return payment


def topup_invoice_draft(*, customer: Customer, credit_pack: CreditPack) -> Invoice:
    """A draft invoice for one credit pack; issued when its payment is applied. Card and
    bank transfer alike sell only what the customer's plan has on sale."""
    contract = ledger.live_contract(customer)
    if contract is None:
        raise NoLiveContract(field="customer")
    if not credit_packs_on_sale(contract=contract).filter(pk=credit_pack.pk).exists():
        raise PackNotForSale(field="credit_pack", pack=credit_pack.name)
    invoice = invoice_create_draft(
        customer=customer, contract=contract, source=Invoice.Source.TOP_UP
    )
    invoice_add_line(
        invoice=invoice,
        kind=InvoiceLine.Kind.CREDIT_PACK,
        # invoice lines are the document's record, written in Spanish like every line
        description=f"{credit_pack.name}: {credits_text(credit_pack.credits, SPANISH)} créditos",
        quantity=1,
        unit_price=credit_pack.price,
        credits=credit_pack.credits,
        credit_pack=credit_pack,
    )
    invoice.refresh_from_db()
    return invoice


def payment_apply(payment: Payment, *, by: User | None = None) -> Payment:
    """Idempotent. Locks invoice then payment; issues a draft, applies the payment (all it
    still holds, `payment_unreturned`: a top-up's amount, or part of what an issued invoice
    still has due), marks the invoice paid once nothing is due and lands its credits
    (credit-pack lines) exactly once. After commit, lifts a billing suspension it settled."""
    with transaction.atomic():
        invoice_id = (
            Payment.objects.filter(pk=payment.pk).values_list("invoice_id", flat=True).get()
        )
        invoice = invoice_lock(invoice_id) if invoice_id else None
        locked = payment_lock(payment.pk)
        if locked.applied_at is not None or locked.status != Payment.Status.SUCCEEDED:
            return locked
        if locked.needs_attention and locked.resolved_at is None:
            return locked
        if invoice is None:
            return flag_locked(locked, Attention.UNKNOWN_PAYMENT, "no invoice for this payment")
        held = payment_unreturned(locked)
        if held.amount <= 0:
            return locked  # given back in full (a refund made in Stripe): nothing to apply
        # Read under the invoice's lock: a payment applied by a transaction that held it
        # before is counted, so two at once never take the invoice past what is due.
        misfit = payment_misfit(locked, invoice)
        if misfit:
            # Reviewed and still not fitting, the record says why now (the first reason may
            # have been another); the payment stays unapplied for finance to give back.
            return flag_locked(locked, *misfit, replace=locked.resolved_at is not None)
        payment_apply_locked(invoice, locked, amount=held, by=by)
    return locked


def payment_apply_locked(
    invoice: Invoice, locked: Payment, *, amount: Money, by: User | None = None
) -> None:
    """Apply `amount` of a locked payment to its locked invoice, which the caller found it
    fits (`payment_misfit`, `overpayment_split`): issues a draft, records what counts toward
    the invoice, marks it paid once nothing is due and lands its credits once. The one place
    that applies money, for a whole payment and for the part of an overpayment that was
    due."""
    if invoice.status == Invoice.Status.DRAFT:
        today = customer_today(invoice.customer)
        issue_locked(
            invoice,
            lines=list(invoice.lines.all()),
            issued_on=today,
            due_on=today,
            grace_days=0,
            by=by,
        )
    locked.applied_at = timezone.now()
    locked.applied_amount = amount
    locked.save(update_fields=["applied_at", "applied_amount", "applied_amount_currency"])
    if invoice_settle_locked(invoice, by=by):
        bought = _credits_bought(invoice)
        if bought > 0:
            ledger.top_up(
                customer=invoice.customer,
                credits=bought,
                amount=invoice.total,
                idempotency_key=f"payment:{locked.pk}",
                reference_type="billing.payment",
                reference_id=str(locked.pk),
                packs=_packs_bought(invoice),
            )


def invoice_settle_locked(invoice: Invoice, *, by: User | None = None) -> bool:
    """Marks a locked, issued invoice paid once payments applied to it (and its credit notes)
    leave nothing due. True if it did. Only with a payment applied: an invoice credited in
    full without one was corrected, not paid; it stays issued, owing nothing, and so is no
    longer overdue (`billing.selectors.invoice_list_overdue`). Either way, once nothing is
    due, a billing suspension it caused is lifted after commit."""
    if invoice.status != Invoice.Status.ISSUED or invoice_amount_due(invoice).amount > 0:
        return False
    customer_id = invoice.customer_id
    transaction.on_commit(lambda: _lift_suspension(customer_id))
    if not invoice.payments.filter(applied_at__isnull=False).exists():
        return False
    mark_paid_locked(invoice, by=by)
    return True


def _credits_bought(invoice: Invoice) -> Decimal:
    return sum(
        (line.credits for line in invoice.lines.all() if line.kind == InvoiceLine.Kind.CREDIT_PACK),
        Decimal("0"),
    )


def _packs_bought(invoice: Invoice) -> list[CreditPack | None]:
    return [
        line.credit_pack
        for line in invoice.lines.all()
        if line.kind == InvoiceLine.Kind.CREDIT_PACK
    ]


def _lift_suspension(customer_id: int) -> None:
    from billing.services.overdue import overdue_lift_settled

    overdue_lift_settled(customer_id=customer_id)


# What finance writes about a payment it records.
NOTE_LIMIT = 2000


def payment_record(
    *,
    customer: Customer,
    amount: Money,
    provider: str,
    provider_ref: str,
    received_on: date,
    invoice: Invoice | None = None,
    credit_pack: CreditPack | None = None,
    by: User | None = None,
    note: str = "",
    raw_payload: dict[str, Any] | None = None,
) -> Payment:
    """Finance records a bank transfer or cash payment for an invoice or a credit pack; it is
    applied through `payment_apply`, the same path a Stripe payment takes."""
    if provider not in (Payment.Provider.BANK_TRANSFER, Payment.Provider.CASH):
        not_a_choice = ValidationError(
            models.Field.default_error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": provider},
        )
        raise InvalidInput({"provider": [not_a_choice]})
    if not isinstance(amount, Money) or round_half_up(amount) != amount:
        raise InvalidAmount(field="amount", value=amount, sign="positive")
    amount = parse_money(
        amount,
        field="amount",
        currency=str(amount.currency),
        sign="positive",
        max_digits=Payment._meta.get_field("amount").max_digits,
    )
    if not isinstance(received_on, date):
        raise InvalidInput({"received_on": [models.DateField.default_error_messages["invalid"]]})
    text_at_most(note, field="note", limit=NOTE_LIMIT)
    # The reference is how finance and the bank find the transfer again: kept exactly as
    # typed (an export that dropped an invisible character would name another reference).
    provider_ref = text_at_most(
        provider_ref.strip(),
        field="provider_ref",
        limit=Payment._meta.get_field("provider_ref").max_length or 255,
    )
    today = customer_today(customer)
    # A transfer is recorded once it arrived, and at most a year late.
    day_within(received_on, field="received_on", earliest=today - timedelta(days=366), latest=today)
    if invoice is not None and invoice.kind == Invoice.Kind.CREDIT_NOTE:
        # Money given back is a refund; a credit note owes the customer, it is never paid.
        corrected = invoice.corrects
        raise CreditNoteNotPayable(
            field="invoice",
            number=invoice.display_number,
            invoice=corrected.display_number if corrected is not None else "",
        )
    with transaction.atomic():
        if invoice is None:
            if credit_pack is None:  # one of the two says what is being paid
                required = forms.Field.default_error_messages["required"]
                raise InvalidInput({"invoice": [ValidationError(required, code="required")]})
            invoice = topup_invoice_draft(customer=customer, credit_pack=credit_pack)
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    provider=provider,
                    provider_ref=provider_ref,
                    status=Payment.Status.SUCCEEDED,
                    customer=customer,
                    invoice=invoice,
                    credit_pack=credit_pack,
                    amount=amount,
                    received_on=received_on,
                    recorded_by=by,
                    note=note,
                    raw_payload=raw_payload or {},
                )
        except IntegrityError as error:
            raise DuplicatePaymentReference(
                field="provider_ref",
                provider=choice_labels(provider, Payment.Provider),
                ref=provider_ref,
            ) from error
        if invoice.customer_id != customer.pk:
            flag_locked(payment, Attention.UNKNOWN_CUSTOMER, "invoice of another customer")
        payment_apply(payment, by=by)
    payment.refresh_from_db()
    return payment


def payment_resolve(payment: Payment, *, by: User, note: str) -> Payment:
    """Finance closes a flagged payment after dealing with it (refund, manual invoice...)."""
    with transaction.atomic():
        locked = payment_lock(payment.pk)
        locked.resolved_at = timezone.now()
        locked.resolved_by = by
        locked.note = (locked.note + "\n" + note).strip()
        locked.save(update_fields=["resolved_at", "resolved_by", "note"])
    return locked
