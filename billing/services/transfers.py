"""Bank transfers customers report from the portal, confirmed or rejected by finance.

1. `transfer_report`: a contact says what was transferred (amount, day, bank reference) and
   what it pays (one of their open invoices, or a credit pack on sale to them), with a proof
   (`billing.proofs`: PDF, JPEG or PNG up to 5 MB, read from the content). The proof is
   written to the private storage first, the row after; if the row is refused the file is
   deleted. Nothing about money is written yet: a report is a claim, not a payment.
2. `transfer_confirm` (finance, once the money is seen in the bank): under the report's row
   lock, a pending report becomes one payment through `payment_record`, the path every
   bank transfer finance records takes (invoice -> payment locks, `payment_apply`: the
   invoice issued and paid, a pack's credits landing exactly once). Two finance users
   confirming at once: the second waits on the lock, then finds the report decided and is
   refused (`TransferAlreadyDecided`); one payment.
3. `transfer_reject`: with a reason, under the same lock, from pending only.

Either decision mails the customer after commit (`billing.transfer_mail`, a task, once per
report and decision). Lock order: transfer report -> invoice -> payment -> ... (the rest of
`billing.locks`).
"""

import uuid
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from djmoney.money import Money

from background.queue import enqueue_on_commit
from billing import transfer_mail
from billing.exceptions import BillingError
from billing.locks import transfer_report_lock
from billing.models import BankTransferReport, Invoice, Payment
from billing.proofs import proof_check, proof_storage
from billing.selectors import invoices_with_amount_due
from billing.services.payments import payment_record
from contracts.models import CreditPack, Customer
from contracts.selectors import contract_get_live, credit_packs_on_sale
from contracts.services import customer_today
from core.amounts import parse_money
from core.errors import InvalidInput, ReasonRequired, text_at_most
from core.instants import day_within

Status = BankTransferReport.Status
REFERENCE_MAX: int = BankTransferReport._meta.get_field("reference").max_length or 0
REASON_MAX = 2000


class TransferAlreadyDecided(BillingError):
    code = "transfer_already_decided"
    message_es = "Esta transferencia ya fue {status_es}; no se decide dos veces."
    message_en = "This transfer was already {status_en}; it is not decided twice."


class TransferTargetRefused(BillingError):
    code = "transfer_target_refused"
    message_es = "No se puede informar un pago para esto: {why_es}."
    message_en = "A payment cannot be reported for this: {why_en}."


class TransferAlreadyReported(BillingError):
    code = "transfer_already_reported"
    message_es = "Ya informó una transferencia con la referencia {reference}."
    message_en = "A transfer with reference {reference} was already reported."


_DECIDED: dict[str, tuple[str, str]] = {
    Status.CONFIRMED: ("confirmada", "confirmed"),
    Status.REJECTED: ("rechazada", "rejected"),
}


def _required(field: str) -> InvalidInput:
    from django import forms

    message = forms.Field.default_error_messages["required"]
    return InvalidInput({field: [ValidationError(message, code="required")]})


def transfer_payable_invoices(customer: Customer) -> QuerySet[Invoice]:
    """The customer's invoices a transfer may pay: issued and not paid yet (with their series,
    which their number reads, and what is still due on each: one query for the form's choices
    however many there are)."""
    return invoices_with_amount_due(
        Invoice.objects.filter(
            customer=customer, status=Invoice.Status.ISSUED, kind=Invoice.Kind.INVOICE
        )
        .select_related("series")
        .order_by("issued_on", "pk")
    )


def transfer_packs(customer: Customer) -> QuerySet[CreditPack]:
    return credit_packs_on_sale(contract=contract_get_live(customer=customer))


def transfer_report(
    *,
    customer: Customer,
    by: User,
    amount: Money,
    transferred_on: date,
    reference: str,
    filename: str,
    content: bytes,
    invoice: Invoice | None = None,
    credit_pack: CreditPack | None = None,
) -> BankTransferReport:
    """A pending report with its proof; bounds checked before anything is written."""
    amount = parse_money(
        amount,
        field="amount",
        currency=customer.currency,
        sign="positive",
        max_digits=BankTransferReport._meta.get_field("amount").max_digits,
    )
    today = customer_today(customer)
    day_within(
        transferred_on,
        field="transferred_on",
        earliest=today - timedelta(days=366),
        latest=today,
    )
    reference = (reference or "").strip()
    if not reference:
        raise _required("reference")
    text_at_most(reference, field="reference", limit=REFERENCE_MAX)
    if (invoice is None) == (credit_pack is None):
        raise TransferTargetRefused(
            field="invoice",
            why_es="elija una factura o un paquete de créditos (uno de los dos)",
            why_en="choose an invoice or a credit pack (one of them)",
        )
    if invoice is not None and not transfer_payable_invoices(customer).filter(pk=invoice.pk):
        raise TransferTargetRefused(
            field="invoice",
            why_es="la factura no está pendiente de pago",
            why_en="the invoice is not awaiting payment",
        )
    if credit_pack is not None and not transfer_packs(customer).filter(pk=credit_pack.pk):
        raise TransferTargetRefused(
            field="credit_pack",
            why_es="el paquete no está a la venta para su plan",
            why_en="the pack is not on sale for your plan",
        )
    taken = BankTransferReport.objects.filter(customer=customer, reference__iexact=reference)
    if taken.exclude(status=Status.REJECTED).exists():
        raise TransferAlreadyReported(field="reference", reference=reference)
    proof = proof_check(filename=filename, content=content)
    extension = proof.content_type.rpartition("/")[2].replace("jpeg", "jpg")
    stored = proof_storage().save(
        f"transfer-proofs/{customer.pk}/{uuid.uuid4().hex}.{extension}",
        ContentFile(proof.content),
    )
    try:
        with transaction.atomic():
            return BankTransferReport.objects.create(
                customer=customer,
                reported_by=by,
                amount=amount,
                transferred_on=transferred_on,
                reference=reference,
                invoice=invoice,
                credit_pack=credit_pack,
                proof=stored,
                proof_name=proof.filename,
                proof_content_type=proof.content_type,
                proof_size=len(proof.content),
                proof_sha256=proof.sha256,
            )
    except Exception:
        proof_storage().delete(stored)
        raise


def _refuse_decided(report: BankTransferReport) -> None:
    if report.status != Status.PENDING:
        status_es, status_en = _DECIDED[report.status]
        raise TransferAlreadyDecided(status_es=status_es, status_en=status_en)


def transfer_confirm(*, report: BankTransferReport, by: User) -> BankTransferReport:
    """Finance saw the money: one payment through `payment_record`, exactly once. A payment
    that does not fit its invoice (another amount) is recorded and flagged for finance by
    `payment_apply`, as for any transfer finance records."""
    with transaction.atomic():
        locked = transfer_report_lock(report.pk)
        _refuse_decided(locked)
        payment = payment_record(
            customer=locked.customer,
            amount=locked.amount,
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref=locked.reference,
            received_on=locked.transferred_on,
            invoice=locked.invoice,
            credit_pack=locked.credit_pack,
            by=by,
        )
        locked.status = Status.CONFIRMED
        locked.payment = payment
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.save(update_fields=["status", "payment", "decided_at", "decided_by"])
        enqueue_on_commit(transfer_mail.send_transfer_decision, locked.pk)
    return locked


def transfer_reject(*, report: BankTransferReport, by: User, reason: str) -> BankTransferReport:
    """Finance did not find the money (or the proof does not show it): rejected, with why."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    text_at_most(reason, field="reason", limit=REASON_MAX)
    with transaction.atomic():
        locked = transfer_report_lock(report.pk)
        _refuse_decided(locked)
        locked.status = Status.REJECTED
        locked.rejection_reason = reason
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by"])
        enqueue_on_commit(transfer_mail.send_transfer_decision, locked.pk)
    return locked


def transfer_reports_pending() -> QuerySet[BankTransferReport]:
    """Finance's queue, oldest first."""
    return (
        BankTransferReport.objects.filter(status=Status.PENDING)
        .select_related("customer", "invoice__series", "credit_pack", "reported_by")
        .order_by("created_at", "pk")
    )


def transfer_reports_decided() -> QuerySet[BankTransferReport]:
    return (
        BankTransferReport.objects.exclude(status=Status.PENDING)
        .select_related("customer", "invoice", "credit_pack", "decided_by", "payment")
        .order_by("-decided_at", "-pk")
    )
