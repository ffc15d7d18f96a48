"""Invoices and credit notes: drafts, lines, issue under the series lock, paid, void.

Rows are locked through `billing.locks`, in the order its docstring gives.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from djmoney.money import Money

from background.queue import enqueue_many_with_transaction
from billing import batch_sql, tasks
from billing.exceptions import (
    CreditNoteExceedsInvoice,
    CreditNoteNeedsLines,
    EmptyInvoice,
    InvalidQuantity,
    NotCorrectable,
)
from billing.locks import invoice_lock, series_lock
from billing.models import Invoice, InvoiceLine, InvoiceSeries, InvoiceStatusChange
from billing.tax import tax_rate_for
from billing.transitions import check_transition
from contracts.models import Contract, CreditPack, Customer
from contracts.services import customer_today
from contracts.transitions import LIVE
from core.amounts import CurrencyMismatch, InvalidAmount, is_plain_number
from core.bulk import rows_insert
from core.errors import ReasonRequired, choice_labels, text_at_most
from core.events import event_emit, events_emit
from core.money import minor_unit_digits, money_divide, money_sum, round_half_up, zero

Status = Invoice.Status
Kind = Invoice.Kind

DEFAULT_SERIES = {Kind.INVOICE: "FV", Kind.CREDIT_NOTE: "NC"}


def payment_term_days() -> int:
    return int(settings.BILLING_PAYMENT_TERM_DAYS)


@dataclass(frozen=True)
class LineAmounts:
    subtotal: Money
    tax: Money
    total: Money


def invoice_line_build(
    invoice: Invoice,
    *,
    position: int,
    kind: str,
    description: str,
    quantity: Decimal,
    unit_price: Money,
    tax_rate: Decimal,
    credits: Decimal = Decimal("0"),
    credit_pack: CreditPack | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    gross: Money | None = None,
) -> InvoiceLine:
    """An unsaved line of `invoice` with its amounts rounded once (`line_amounts`): the one
    place a line's subtotal, tax and total are set, for drafts, credit notes and the run.
    With `gross` (a credit note for an amount) the line totals exactly that, at quantity 1
    (`line_amounts_of_gross`)."""
    if gross is None:
        amounts = line_amounts(quantity=quantity, unit_price=unit_price, tax_rate=tax_rate)
    else:
        amounts = line_amounts_of_gross(gross=gross, tax_rate=tax_rate)
        quantity, unit_price = Decimal(1), amounts.subtotal
    return InvoiceLine(
        invoice=invoice,
        position=position,
        kind=kind,
        description=description,
        quantity=quantity,
        currency=invoice.currency,
        unit_price=unit_price,
        tax_rate=tax_rate,
        subtotal=amounts.subtotal,
        tax=amounts.tax,
        total=amounts.total,
        credits=credits,
        credit_pack=credit_pack,
        period_start=period_start,
        period_end=period_end,
    )


def line_amounts(*, quantity: Decimal, unit_price: Money, tax_rate: Decimal) -> LineAmounts:
    """Per-line rounding (see core.money): subtotal and tax each rounded half up once."""
    subtotal = round_half_up(unit_price * quantity)
    tax = round_half_up(money_divide(subtotal * tax_rate, 100))
    return LineAmounts(subtotal=subtotal, tax=tax, total=subtotal + tax)


def line_amounts_of_gross(*, gross: Money, tax_rate: Decimal) -> LineAmounts:
    """One line (quantity 1) whose total is exactly `gross`, tax included.

    Its subtotal is the one `line_amounts` taxes up to `gross` when there is one. Per-line
    rounding skips some totals (at 19 %: 0.03, 0.09, 0.16...); for those the subtotal is gross
    / (1 + rate) rounded and the tax is the rest, a cent from the rate's, because a credit
    note must credit what finance asked for: one cent short, the rest of an invoice could never
    be credited and a refusal would name a sum nobody typed."""
    estimate = round_half_up(money_divide(gross, 1 + tax_rate / Decimal(100)))
    unit = Money(Decimal(1).scaleb(-minor_unit_digits(str(gross.currency))), gross.currency)
    # A line's total grows by one or two units per unit of subtotal (rate <= 100 %), so
    # the subtotal that adds up exactly, if any, is within a few units of the estimate.
    for offset in (0, -1, 1, -2, 2, -3, 3):
        subtotal = estimate + unit * offset
        if subtotal.amount <= 0:
            continue
        amounts = line_amounts(quantity=Decimal(1), unit_price=subtotal, tax_rate=tax_rate)
        if amounts.total == gross:
            return amounts
    return LineAmounts(subtotal=estimate, tax=gross - estimate, total=gross)


def _quantity(value: Any) -> Decimal:
    if isinstance(value, str) and not is_plain_number(value):
        raise InvalidQuantity(value=value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise InvalidQuantity(value=value) from error
    if isinstance(value, float) or not number.is_finite() or number <= 0:
        raise InvalidQuantity(value=value)
    return number


def invoice_create_draft(
    *,
    customer: Customer,
    contract: Contract | None = None,
    source: str = Invoice.Source.MANUAL,
    period_start: date | None = None,
    period_end: date | None = None,
) -> Invoice:
    """A draft has no number; its currency is the customer's."""
    return Invoice.objects.create(
        customer=customer,
        contract=contract,
        source=source,
        currency=customer.currency,
        subtotal=zero(customer.currency),
        tax=zero(customer.currency),
        total=zero(customer.currency),
        period_start=period_start,
        period_end=period_end,
    )


def _lock_draft(invoice: Invoice) -> Invoice:
    locked = invoice_lock(invoice.pk)
    if locked.status != Status.DRAFT:
        check_transition(locked.status, Status.DRAFT)
    return locked


def invoice_add_line(
    *,
    invoice: Invoice,
    kind: str,
    description: str,
    quantity: Decimal | int | str,
    unit_price: Money,
    tax_rate: Decimal | None = None,
    taxable: bool = True,
    credits: Decimal = Decimal("0"),
    credit_pack: CreditPack | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> InvoiceLine:
    """Locks the draft, adds a rounded line and keeps the draft's totals equal to its lines."""
    quantity = _quantity(quantity)
    if not isinstance(unit_price, Money) or unit_price.amount < 0:
        raise InvalidAmount(field="unit_price", value=unit_price, sign="non_negative")
    with transaction.atomic():
        locked = _lock_draft(invoice)
        if str(unit_price.currency) != locked.currency:
            raise CurrencyMismatch(
                field="unit_price", expected=locked.currency, given=str(unit_price.currency)
            )
        if tax_rate is None:
            tax_rate = tax_rate_for(
                customer=locked.customer, on=customer_today(locked.customer), taxable=taxable
            )
        line = invoice_line_build(
            locked,
            position=locked.lines.count() + 1,
            kind=kind,
            description=description,
            quantity=quantity,
            unit_price=unit_price,
            tax_rate=tax_rate,
            credits=credits,
            credit_pack=credit_pack,
            period_start=period_start,
            period_end=period_end,
        )
        line.save(force_insert=True)
        Invoice.objects.filter(pk=locked.pk).update(
            subtotal=F("subtotal") + line.subtotal.amount,
            tax=F("tax") + line.tax.amount,
            total=F("total") + line.total.amount,
        )
    invoice.refresh_from_db()
    return line


def _grace_days(invoice: Invoice) -> int:
    contract = invoice.contract
    if contract is None:
        contract = (
            Contract.objects.select_related("plan")
            .filter(customer_id=invoice.customer_id, status__in=LIVE)
            .first()
        )
    return contract.plan.payment_grace_days if contract else 0


def _record_status(
    invoice: Invoice, from_status: str, to_status: str, by: User | None = None, reason: str = ""
) -> None:
    InvoiceStatusChange.objects.create(
        invoice=invoice,
        from_status=from_status,
        to_status=to_status,
        by=by,
        reason=reason,
        at=timezone.now(),
    )


def invoice_issue_prepare(
    invoice: Invoice,
    *,
    lines: list[InvoiceLine],
    issued_on: date,
    due_on: date,
    grace_days: int,
) -> Invoice:
    """What issuing sets besides the number, on the unsaved or locked `invoice`: totals from
    its lines, the buyer as it is now, the dates (the one place for these rules, used by
    `issue_locked` and by the monthly run's batches). No queries, nothing saved."""
    if not lines:
        raise EmptyInvoice(field="lines")
    currency = invoice.currency
    invoice.subtotal = money_sum([line.subtotal for line in lines], currency)
    invoice.tax = money_sum([line.tax for line in lines], currency)
    invoice.total = money_sum([line.total for line in lines], currency)
    customer = invoice.customer
    invoice.buyer_legal_name = customer.legal_name
    invoice.buyer_tax_id = customer.tax_id
    invoice.buyer_address = customer.address
    invoice.buyer_country = customer.country
    invoice.buyer_email = customer.billing_email
    invoice.buyer_tax_exempt = customer.tax_exempt
    invoice.issued_on = issued_on
    invoice.due_on = due_on
    # The first day the customer is insolvent: after the due date and every grace day.
    invoice.insolvent_on = due_on + timedelta(days=grace_days + 1)
    invoice.issued_at = timezone.now()
    return invoice


def _numbers_assign(invoices: list[Invoice]) -> None:
    """Give `invoices` (all of one kind) the next numbers of their series, in list order:
    the series row locked once (last, see `billing.locks`) and bumped once by their count.
    Gapless because a rolled-back issue rolls back the series bump with it."""
    series = series_lock(DEFAULT_SERIES[Kind(invoices[0].kind)])
    for offset, invoice in enumerate(invoices):
        invoice.series = series
        invoice.number = series.next_number + offset
    InvoiceSeries.objects.filter(pk=series.pk).update(next_number=F("next_number") + len(invoices))


def issue_locked(
    invoice: Invoice,
    *,
    lines: list[InvoiceLine],
    issued_on: date,
    due_on: date,
    grace_days: int,
    by: User | None = None,
) -> Invoice:
    """Issue a draft the caller has locked (or just created): totals, buyer snapshot, number.

    The series row is locked last and held only for the number, so concurrent issuers queue
    on it for one UPDATE each; numbers are gapless because a rolled-back issue rolls back
    the series bump with it. Enqueues the invoice's mail on commit (`billing.notifications`).
    """
    invoice_issue_prepare(
        invoice, lines=lines, issued_on=issued_on, due_on=due_on, grace_days=grace_days
    )
    _numbers_assign([invoice])
    from_status = invoice.status
    invoice.status = Status.ISSUED
    invoice.save()
    _record_status(invoice, from_status, Status.ISSUED, by=by)
    if invoice.kind == Kind.INVOICE:  # credit notes are announced with their refund
        _issued_announce([invoice])
    return invoice


def _issued_announce(invoices: list[Invoice]) -> None:
    """`invoice.issued` for every invoice at once (`core.events.events_emit`: a monthly
    batch costs its listeners what one invoice does), and the invoices' mails as tasks
    enqueued with the transaction. The mail (and the PDF it attaches) is a task's work:
    issuing stays one short transaction, and a rolled-back issue mails nobody."""
    events_emit("invoice.issued", invoices)
    enqueue_many_with_transaction(
        tasks.send_invoice_issued, [(invoice.pk,) for invoice in invoices]
    )


def invoices_issue_prepared(invoices: list[Invoice], *, by: User | None = None) -> list[Invoice]:
    """Issue many drafts of kind invoice at once, in list order, inside the caller's
    transaction: drafts the caller inserted in it with their lines and with
    `invoice_issue_prepare` already applied (the monthly run's batch). The same steps as
    `issue_locked`, each once for all: the series row locked and bumped once (consecutive
    numbers), one UPDATE to issued and the status rows in one INSERT (`billing.batch_sql`),
    `invoice.issued` announced for the batch at once (`core.events.events_emit`), the mails'
    task rows written in one INSERT in the same transaction
    (`background.queue.enqueue_many_with_transaction`)."""
    if not invoices:
        return invoices
    if any(invoice.kind != Kind.INVOICE or invoice.status != Status.DRAFT for invoice in invoices):
        raise ValueError("invoices_issue_prepared takes drafts of kind invoice")
    _numbers_assign(invoices)
    series = invoices[0].series
    assert series is not None  # noqa: S101  # set by _numbers_assign
    batch_sql.invoices_mark_issued(invoices, series_id=series.pk)
    now = timezone.now()
    for invoice in invoices:
        invoice.status = Status.ISSUED
        # As stored now, as `Invoice.save` would leave it: a later save of this instance is
        # then checked as an issued invoice's (only the mutable fields may change).
        invoice._loaded = invoice._content()
    rows_insert(
        [
            InvoiceStatusChange(
                invoice_id=invoice.pk,
                from_status=Status.DRAFT,
                to_status=Status.ISSUED,
                by=by,
                at=now,
                reason="",
            )
            for invoice in invoices
        ]
    )
    _issued_announce(invoices)
    return invoices


def invoice_issue(
    invoice: Invoice,
    *,
    issued_on: date | None = None,
    due_on: date | None = None,
    by: User | None = None,
) -> Invoice:
    """Draft -> issued. Locks the invoice, then the series (see `issue_locked`)."""
    with transaction.atomic():
        locked = invoice_lock(invoice.pk)
        check_transition(locked.status, Status.ISSUED)
        issued_on = issued_on or customer_today(locked.customer)
        due_on = due_on or issued_on + timedelta(days=payment_term_days())
        issue_locked(
            locked,
            lines=list(locked.lines.all()),
            issued_on=issued_on,
            due_on=due_on,
            grace_days=_grace_days(locked),
            by=by,
        )
    return locked


def mark_paid_locked(invoice: Invoice, *, by: User | None = None) -> Invoice:
    check_transition(invoice.status, Status.PAID)
    invoice.status = Status.PAID
    invoice.paid_at = timezone.now()
    invoice.save(update_fields=["status", "paid_at"])
    event_emit("invoice.paid", invoice)
    _record_status(invoice, Status.ISSUED, Status.PAID, by=by)
    return invoice


def invoice_mark_paid(invoice: Invoice, *, by: User | None = None) -> Invoice:
    """Issued -> paid, without a payment row: payments go through `payment_apply` instead."""
    with transaction.atomic():
        locked = invoice_lock(invoice.pk)
        mark_paid_locked(locked, by=by)
    return locked


# A void's or a credit note's reason: printed on the document and its PDF.
REASON_LIMIT = 1000


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ReasonRequired()
    return text_at_most(reason, field="reason", limit=REASON_LIMIT)


def invoice_void(invoice: Invoice, *, reason: str, by: User | None = None) -> Invoice:
    """Draft or issued -> void; an issued invoice keeps its number (the series stays gapless)."""
    reason = _reason(reason)
    with transaction.atomic():
        locked = invoice_lock(invoice.pk)
        from_status = locked.status
        check_transition(from_status, Status.VOID)
        locked.status = Status.VOID
        locked.voided_at = timezone.now()
        locked.void_reason = reason
        locked.save(update_fields=["status", "voided_at", "void_reason"])
        _record_status(locked, from_status, Status.VOID, by=by, reason=reason)
        if from_status == Status.ISSUED:  # integrators never heard of a draft
            event_emit("invoice.voided", locked)
    return locked


@dataclass(frozen=True)
class CreditNoteLine:
    description: str
    quantity: Decimal
    unit_price: Money
    tax_rate: Decimal
    credits: Decimal = Decimal("0")
    # A line for a gross amount totals exactly it (`line_amounts_of_gross`), at quantity 1.
    gross: Money | None = None


def _lines_for_amount(invoice: Invoice, amount: Money) -> list[CreditNoteLine]:
    """One line whose subtotal + tax is exactly `amount` (`line_amounts_of_gross`)."""
    rates = {line.tax_rate for line in invoice.lines.all()}
    if len(rates) != 1:
        raise CreditNoteNeedsLines(field="lines")
    rate = rates.pop()
    amounts = line_amounts_of_gross(gross=amount, tax_rate=rate)
    bought = sum((line.credits for line in invoice.lines.all()), Decimal("0"))
    credits = Decimal("0")
    if bought and invoice.total.amount:
        credits = (bought * amount.amount / invoice.total.amount).quantize(Decimal("0.01"))
    return [
        CreditNoteLine(
            description=f"Corrección parcial de {invoice.display_number}",
            quantity=Decimal(1),
            unit_price=amounts.subtotal,
            tax_rate=rate,
            credits=min(credits, bought),
            gross=amount,
        )
    ]


def credit_note_draft(
    *,
    invoice: Invoice,
    reason: str,
    lines: list[CreditNoteLine] | None = None,
    amount: Money | None = None,
    submission_key: UUID | None = None,
) -> Invoice:
    """A draft credit note on a locked invoice. Without lines or amount it reverses all lines;
    with an amount (gross, tax included) it needs the invoice to have one tax rate.
    `submission_key`: the finance form's that asked for it (`credit_note_issue`)."""
    reason = _reason(reason)
    if invoice.kind != Kind.INVOICE or invoice.status not in (Status.ISSUED, Status.PAID):
        raise NotCorrectable(
            field="invoice",
            number=invoice.display_number or invoice.pk,
            status=choice_labels(invoice.status, Status),
        )
    if amount is not None:
        if str(amount.currency) != invoice.currency:
            raise CurrencyMismatch(
                field="amount", expected=invoice.currency, given=str(amount.currency)
            )
        if amount.amount <= 0 or round_half_up(amount) != amount:
            raise InvalidAmount(field="amount", value=amount, sign="positive")
        lines = _lines_for_amount(invoice, amount)
    elif lines is None:
        lines = [
            CreditNoteLine(
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                credits=line.credits,
            )
            for line in invoice.lines.all()
        ]
    note = Invoice.objects.create(
        kind=Kind.CREDIT_NOTE,
        source=Invoice.Source.CORRECTION,
        customer=invoice.customer,
        contract=invoice.contract,
        corrects=invoice,
        correction_reason=reason,
        submission_key=submission_key,
        currency=invoice.currency,
        subtotal=zero(invoice.currency),
        tax=zero(invoice.currency),
        total=zero(invoice.currency),
    )
    created = []
    for position, spec in enumerate(lines, start=1):
        if str(spec.unit_price.currency) != invoice.currency:
            raise CurrencyMismatch(
                field="unit_price", expected=invoice.currency, given=str(spec.unit_price.currency)
            )
        line = invoice_line_build(
            note,
            position=position,
            kind=InvoiceLine.Kind.CORRECTION,
            description=spec.description,
            quantity=spec.quantity,
            unit_price=spec.unit_price,
            tax_rate=spec.tax_rate,
            credits=spec.credits,
            gross=spec.gross,
        )
        line.save(force_insert=True)
        created.append(line)
    if not created:
        raise EmptyInvoice(field="lines")
    total = money_sum([line.total for line in created], note.currency)
    already = money_sum(
        [n.total for n in invoice.credit_notes.exclude(pk=note.pk).exclude(status=Status.VOID)],
        invoice.currency,
    )
    if already + total > invoice.total:
        raise CreditNoteExceedsInvoice(
            field="amount", credited=already + total, total=invoice.total
        )
    Invoice.objects.filter(pk=note.pk).update(
        subtotal=money_sum([line.subtotal for line in created], note.currency).amount,
        tax=money_sum([line.tax for line in created], note.currency).amount,
        total=total.amount,
    )
    note.refresh_from_db()
    return note


def credit_note_issue_locked(note: Invoice, *, by: User | None = None) -> Invoice:
    """Issue a draft credit note whose corrected invoice the caller locked, and announce
    `invoice.credited` with that invoice (a refund's note and finance's alike)."""
    today = customer_today(note.customer)
    issue_locked(
        note, lines=list(note.lines.all()), issued_on=today, due_on=today, grace_days=0, by=by
    )
    event_emit("invoice.credited", note.corrects)
    return note


def credit_note_issue(
    *,
    invoice: Invoice,
    reason: str,
    lines: list[CreditNoteLine] | None = None,
    amount: Money | None = None,
    by: User | None = None,
    submission_key: UUID | None = None,
) -> Invoice:
    """Locks the corrected invoice, refuses to credit more than its total, issues in series NC.
    A note that covers what payments left due (a transfer short by the bank's fee) marks the
    invoice paid (`payments.invoice_settle_locked`). With the form's `submission_key`, a
    second submit of the same form returns the note the first issued and issues no other."""
    # payments issues and pays invoices through this module, so it is imported here
    from billing.services.payments import invoice_settle_locked

    with transaction.atomic():
        locked = invoice_lock(invoice.pk)
        if submission_key is not None:
            # read under the invoice's lock: a twin submit that held it first is seen here
            earlier = Invoice.objects.filter(corrects=locked, submission_key=submission_key)
            if (note := earlier.first()) is not None:
                return note
        note = credit_note_draft(
            invoice=locked,
            reason=reason,
            lines=lines,
            amount=amount,
            submission_key=submission_key,
        )
        credit_note_issue_locked(note, by=by)
        invoice_settle_locked(locked, by=by)
    return note
