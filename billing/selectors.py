"""Reads of the billing app: invoices, overdue invoices, payments needing finance, and
finance's figures (totals per currency of a filtered list, receivables ageing)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from djmoney.money import Money

from billing.filters import InvoiceFilter
from billing.models import BillingRun, Invoice, InvoiceLine, Payment, Refund
from contracts.models import Customer
from contracts.selectors import due_on_customers_day
from contracts.services import customer_today
from core.formatting import money_text

Kind = Invoice.Kind
Status = Invoice.Status
_AMOUNT = DecimalField(max_digits=14, decimal_places=2)


def _credited_sum(invoice: Any) -> Coalesce:
    """The credit notes issued against `invoice` (a row or an `OuterRef`): a draft or void
    note corrects nothing yet."""
    notes = (
        Invoice.objects.filter(corrects=invoice, status__in=(Status.ISSUED, Status.PAID))
        .order_by()
        .values("corrects")
        .annotate(sum=Sum("total"))
        .values("sum")
    )
    return Coalesce(Subquery(notes), Value(Decimal("0")), output_field=_AMOUNT)


def _paid_sum(invoice: Any) -> CombinedExpression:
    """What the payments applied to `invoice` brought to it (each its `applied_amount`), less
    the refunds of that money: such a refund gives money back and issues a credit note for it,
    so the refunded amount counts once, as credit, and a refund leaves what is due as it was.
    A refund of what the invoice never took (`returns_unapplied`: an overpayment's excess)
    touches neither."""
    applied = (
        Payment.objects.filter(invoice=invoice, applied_at__isnull=False)
        .order_by()
        .values("invoice")
        .annotate(sum=Sum("applied_amount"))
        .values("sum")
    )
    refunded = (
        Refund.objects.filter(
            payment__invoice=invoice,
            payment__applied_at__isnull=False,
            status=Refund.Status.SUCCEEDED,
            returns_unapplied=False,
        )
        .order_by()
        .values("payment__invoice")
        .annotate(sum=Sum("amount"))
        .values("sum")
    )
    zero = Value(Decimal("0"))
    return Coalesce(Subquery(applied), zero, output_field=_AMOUNT) - Coalesce(
        Subquery(refunded), zero, output_field=_AMOUNT
    )


def amount_due_expression() -> Case:
    """An invoice's amount still due as a column: its total less its issued credit notes and
    the payments applied to it (net of their refunds), never below zero; nothing on a paid or
    void invoice or a credit note. The one rule behind `invoice_amount_due`, the receivables
    ageing, finance's unpaid totals and the API's `amount_due`."""
    left = F("total") - _credited_sum(OuterRef("pk")) - _paid_sum(OuterRef("pk"))
    return Case(
        When(
            Q(kind=Kind.INVOICE, status__in=(Status.DRAFT, Status.ISSUED)),
            then=Greatest(left, Value(Decimal("0")), output_field=_AMOUNT),
        ),
        default=Value(Decimal("0")),
        output_field=_AMOUNT,
    )


def invoices_with_amount_due(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """`queryset` with each row's `amount_due_value` and `amount_paid_value` (Decimals in its
    currency), read in the same query: a list or a page shows them without a query per row
    (`invoice_paid_and_due`)."""
    return queryset.annotate(
        amount_due_value=amount_due_expression(), amount_paid_value=_paid_sum(OuterRef("pk"))
    )


def invoice_amount_due(invoice: Invoice) -> Money:
    """What is still due on `invoice`, read now: its total less the credit notes issued
    against it and the payments applied to it, net of their refunds (`amount_due_expression`).
    A payment of at most this amount is applied to an issued invoice; one of exactly this
    amount pays it."""
    due = (
        Invoice.objects.filter(pk=invoice.pk)
        .annotate(due=amount_due_expression())
        .values_list("due", flat=True)
        .get()
    )
    return _stored(due, invoice.currency)


def invoice_credited_in_full(invoice: Invoice) -> bool:
    """Whether the credit notes issued against `invoice` (`_credited_sum`) reach its total:
    the sale was undone, whatever was paid (a refund credits what it gives back)."""
    credited = (
        Invoice.objects.filter(pk=invoice.pk, kind=Kind.INVOICE, total__gt=0)
        .annotate(credited=_credited_sum(OuterRef("pk")))
        .filter(credited__gte=F("total"))
    )
    return credited.exists()


def invoice_paid_and_due(invoice: Invoice) -> tuple[Money, Money]:
    """What the payments applied to `invoice` brought (net of refunds) and what is still due,
    as they were when the row was read with `invoices_with_amount_due`; read now otherwise."""
    paid = getattr(invoice, "amount_paid_value", None)
    due = getattr(invoice, "amount_due_value", None)
    if paid is None or due is None:
        paid, due = (
            Invoice.objects.filter(pk=invoice.pk)
            .annotate(paid=_paid_sum(OuterRef("pk")), due=amount_due_expression())
            .values_list("paid", "due")
            .get()
        )
    return _stored(paid, invoice.currency), _stored(due, invoice.currency)


def _stored(value: Decimal, currency: str) -> Money:
    """An amount computed in SQL with the places of the money columns (SQLite's arithmetic
    drops them: 107100 for 107100.00)."""
    return Money(value.quantize(Decimal(1).scaleb(-_AMOUNT.decimal_places)), currency)


# Why a payment cannot be applied: an `Attention` code and a detail in English for the record.
Misfit = tuple[str, str]


def payment_unreturned(payment: Payment) -> Money:
    """What `payment` brought that neither counts toward its invoice (`applied_amount`) nor
    went back (its refunds that `returns_unapplied`, but failed ones): what a payment never
    applied holds, and an applied overpayment's excess still to return. Reads the payment's
    refunds through `payment.refunds.all()`, so a page that prefetched them asks nothing."""
    returned = sum(
        (
            refund.amount.amount
            for refund in payment.refunds.all()
            if refund.returns_unapplied and refund.status != Refund.Status.FAILED
        ),
        Decimal("0"),
    )
    applied = payment.applied_amount.amount if payment.applied_amount is not None else 0
    return Money(payment.amount.amount - applied - returned, payment.amount.currency)


def payment_refundable(payment: Payment) -> Money:
    """What a refund may still give back of `payment`: what it paid its invoice
    (`applied_amount`) less its refunds of that money, but failed ones (an overpayment's excess
    returned was never paid to the invoice). Reads `payment.refunds.all()`, so a page that
    prefetched them asks nothing; under the payment's lock, the service reads them fresh."""
    applied = payment.applied_amount or Money(0, payment.amount.currency)
    given_back = sum(
        (
            refund.amount.amount
            for refund in payment.refunds.all()
            if not refund.returns_unapplied and refund.status != Refund.Status.FAILED
        ),
        Decimal("0"),
    )
    return Money(applied.amount - given_back, applied.currency)


def payments_refunded_by_form(invoice: Invoice, submission_key: object) -> list[Payment]:
    """The payment of `invoice` that finance's refund form refunded when sent with
    `submission_key` (as posted, not yet checked: anything but a UUID names none)."""
    try:
        key = UUID(str(submission_key))
    except ValueError:
        return []
    refunds = Refund.objects.filter(payment__invoice=invoice, submission_key=key)
    return [refund.payment for refund in refunds.select_related("payment")]


def payment_misfit(payment: Payment, invoice: Invoice, due: Money | None = None) -> Misfit | None:
    """Why `payment` cannot be applied to `invoice` now (`due`: what is still due on it, read
    when not given), or None. What it would apply is what it still holds
    (`payment_unreturned`). `payment_apply` asks it under the invoice's lock; finance's page
    asks it to offer "Confirmar pago" only for a payment that would be applied."""
    if invoice.status == Status.VOID:
        return Payment.Attention.INVOICE_VOID, f"invoice {invoice.pk} is void"
    if invoice.status == Status.PAID:
        return Payment.Attention.INVOICE_ALREADY_PAID, f"invoice {invoice.display_number} is paid"
    return amount_misfit(payment_unreturned(payment), invoice, due)


def refundable_by_us(payment: Payment) -> bool:
    """Whether we can send `payment`'s money back ourselves: a card payment through its
    PaymentIntent; one Stripe took otherwise (a subscription's invoice) is refunded from
    Stripe's dashboard. A transfer or cash is sent back by finance and recorded."""
    return payment.provider != Payment.Provider.STRIPE or payment.provider_ref.startswith("pi_")


def returned_by_finance(payment: Payment) -> bool:
    """Whether finance sends `payment`'s excess back and records it (a transfer, cash). A
    card's is returned from Stripe's dashboard, which `charge.refunded` records as money the
    invoice never took: our card payments ask for the exact amount, so an overpaid card is
    an accident to undo where the money is, not a flow of ours."""
    return payment.provider != Payment.Provider.STRIPE


def overpayment_split(
    payment: Payment, invoice: Invoice, due: Money | None = None
) -> tuple[Money, Money] | None:
    """For a received transfer or cash payment never applied that holds more than is still
    due on its issued invoice (an overpayment), what "apply what is due, return the rest"
    does: (the part applied, the part returned). None for any other payment
    (`returned_by_finance`), one applied already among them.
    `overpayment_settle` asks it under the invoice's lock; finance's page asks it to offer the
    action with its amounts."""
    if payment.status != Payment.Status.SUCCEEDED or not returned_by_finance(payment):
        return None
    if payment.applied_at is not None:
        return None
    if invoice.kind != Kind.INVOICE or invoice.status != Status.ISSUED:
        return None
    if str(payment.amount.currency) != invoice.currency:
        return None
    held = payment_unreturned(payment)
    if due is None:
        due = invoice_amount_due(invoice)
    if due.amount <= 0 or held <= due:
        return None
    return due, held - due


def amount_misfit(amount: Money, invoice: Invoice, due: Money | None = None) -> Misfit | None:
    """Why `amount` cannot be applied to `invoice`, or None: another currency; on an issued
    invoice, nothing or more than is still due (`invoice_amount_due`, an overpayment); on a
    draft (a credit pack's top-up), anything but its whole amount."""
    if str(amount.currency) != invoice.currency:
        return (
            Payment.Attention.CURRENCY_MISMATCH,
            f"received {amount.currency}, invoice is in {invoice.currency}",
        )
    if invoice.status not in (Status.DRAFT, Status.ISSUED):
        return None  # nothing is due on it: `payment_misfit` says why it takes no payment
    if due is None:
        due = invoice_amount_due(invoice)
    if invoice.status == Status.DRAFT:
        # A credit pack is sold whole: its credits land as one block bought at the pack's
        # price, and the draft is issued by the payment that buys it. Part of the price would
        # issue an invoice for a sale that may never complete and land no credits, so a
        # top-up takes exactly its amount (the customer pays again, finance returns the part).
        if amount != due:
            return (
                Payment.Attention.AMOUNT_MISMATCH,
                f"received {_en(amount)}, the pack costs {_en(due)}",
            )
        return None
    if amount.amount <= 0:
        return (
            Payment.Attention.AMOUNT_MISMATCH,
            f"received {_en(amount)}, invoice is due {_en(due)}",
        )
    if amount > due:
        return Payment.Attention.OVERPAYMENT, f"received {_en(amount)}, {_en(due)} is still due"
    return None


def _en(amount: Money) -> str:
    # A flag's detail is kept in English, as written once, whoever's request wrote it.
    return money_text(amount, language="en")


def invoice_list(
    *, customer: Customer | None = None, status: str | None = None
) -> QuerySet[Invoice]:
    queryset = Invoice.objects.select_related("customer", "series")
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    if status is not None:
        queryset = queryset.filter(status=status)
    return queryset


def _unpaid_invoices() -> QuerySet[Invoice]:
    """Issued invoices with something still due: one its credit notes cover in full owes
    nothing, and must not keep its customer insolvent or dunned."""
    return (
        Invoice.objects.filter(kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED)
        .alias(still_due=amount_due_expression())
        .filter(still_due__gt=0)
    )


def invoice_list_overdue(*, on: date) -> QuerySet[Invoice]:
    """Issued invoices with something still due, past due date + grace days on `on`."""
    return _unpaid_invoices().filter(insolvent_on__lte=on)


def invoice_list_overdue_now(
    *, now: datetime | None = None, days_before: int = 0
) -> QuerySet[Invoice]:
    """Issued, unpaid invoices past due date + grace days on their customer's today at `now`
    (less `days_before` days): the overdue jobs' list, in step with intake's check
    (`customer_is_administratively_insolvent`)."""
    return _unpaid_invoices().filter(
        due_on_customers_day("insolvent_on", now=now, days_before=days_before)
    )


def invoice_list_overdue_of(customer: Customer | OuterRef, on: date) -> QuerySet[Invoice]:
    """The customer's invoices overdue on `on`, the customer's day: what makes it
    administratively insolvent. `customer` may be an `OuterRef` (intake asks inside its read
    of the contract)."""
    return invoice_list_overdue(on=on).filter(customer=customer)


def customer_is_administratively_insolvent(
    customer: Customer, *, now: datetime | None = None
) -> bool:
    """The check billing registers with credits' solvency: any invoice overdue on the
    customer's today (in Bogotá an invoice insolvent from the 24th still lets the customer
    ask at 20:00 on the 23rd, when UTC's day is already the 24th). The overdue jobs lift a
    suspension by it too."""
    return invoice_list_overdue_of(customer, on=customer_today(customer, now=now)).exists()


def payment_list_needing_attention() -> QuerySet[Payment]:
    """Payments finance must look at: recorded, flagged with a reason, not yet resolved."""
    return (
        Payment.objects.filter(needs_attention=True, resolved_at__isnull=True)
        .select_related("customer", "invoice", "credit_pack")
        .order_by("created_at", "pk")
    )


# --- finance's workspace -----------------------------------------------------------------------


def _sum(condition: Q, field: str = "total") -> Coalesce:
    return Coalesce(Sum(field, filter=condition), Value(Decimal("0")), output_field=_AMOUNT)


def invoice_filter(*, filters: Mapping[str, Any] | None) -> InvoiceFilter:
    """The FilterSet behind finance's list (`InvoiceFilter`); `.qs` is the filtered list with
    what a row shows (customer, series, corrected invoice's series) in the same query."""
    queryset = Invoice.objects.select_related("customer", "series", "corrects__series").order_by(
        "-issued_on", "-pk"
    )
    return InvoiceFilter(filters or {}, queryset=queryset)


@dataclass(frozen=True)
class CurrencyTotals:
    """A currency's figures over a list of documents: issued invoices (not void), credit notes
    (not void), net (invoiced less credited) and still unpaid (what is due on issued invoices:
    `amount_due_expression`, after their credit notes and applied payments)."""

    currency: str
    documents: int
    invoiced: Money
    credited: Money
    unpaid: Money

    @property
    def net(self) -> Money:
        return self.invoiced - self.credited


def invoice_totals_by_currency(queryset: QuerySet[Invoice]) -> list[CurrencyTotals]:
    """One aggregate query, grouped by currency (amounts of two currencies never add up)."""
    live = ~Q(status__in=[Status.VOID, Status.DRAFT])
    rows = (
        queryset.order_by()
        .values("currency")
        .annotate(
            documents=Count("pk"),
            invoiced=_sum(live & Q(kind=Kind.INVOICE)),
            credited=_sum(live & Q(kind=Kind.CREDIT_NOTE)),
            unpaid=Coalesce(
                Sum(amount_due_expression(), filter=Q(status=Status.ISSUED, kind=Kind.INVOICE)),
                Value(Decimal("0")),
                output_field=_AMOUNT,
            ),
        )
        .order_by("currency")
    )
    return [
        CurrencyTotals(
            currency=row["currency"],
            documents=row["documents"],
            invoiced=Money(row["invoiced"], row["currency"]),
            credited=Money(row["credited"], row["currency"]),
            unpaid=Money(row["unpaid"], row["currency"]),
        )
        for row in rows
    ]


def invoice_detail_get(*, pk: int) -> Invoice | None:
    """An invoice or credit note with its lines, payments (and their refunds), credit notes,
    the document it corrects and what is paid and still due, in a fixed number of queries."""
    return (
        invoices_with_amount_due(
            Invoice.objects.select_related(
                "customer", "series", "corrects__series", "contract__plan"
            )
        )
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("position")),
            Prefetch(
                "payments",
                queryset=Payment.objects.select_related("recorded_by").prefetch_related(
                    Prefetch("refunds", queryset=Refund.objects.select_related("credit_note"))
                ),
            ),
            Prefetch(
                "credit_notes", queryset=Invoice.objects.select_related("series").order_by("pk")
            ),
            "pdf",
        )
        .filter(pk=pk)
        .first()
    )


# Days past due of each ageing bucket: (name, first day, last day); None = open-ended.
AGEING_BUCKETS = (
    ("current", None, 0),
    ("days_1_30", 1, 30),
    ("days_31_60", 31, 60),
    ("days_61_90", 61, 90),
    ("over_90", 91, None),
)


def _due_in_bucket(on: date, first: int | None, last: int | None) -> Q:
    """Documents whose due day is `first`..`last` days before `on` (0 or less: not yet due)."""
    condition = Q()
    if last is not None:
        condition &= Q(ageing_due__gte=on - timedelta(days=last))
    if first is not None:
        condition &= Q(ageing_due__lte=on - timedelta(days=first))
    return condition


@dataclass(frozen=True)
class AgeingRow:
    """What is owed in one currency (and, for a customer's row, by that customer), by how long
    past due: `buckets` in AGEING_BUCKETS' order, `total` their sum."""

    currency: str
    buckets: tuple[Money, ...]
    customer_id: int | None = None
    customer_name: str = ""

    @property
    def total(self) -> Money:
        return sum(self.buckets, Money(0, self.currency))


def _receivables(on: date) -> QuerySet[Invoice]:
    """Issued invoices with what is still due on each (`owed`: `amount_due_expression`, so
    credit notes and applied payments lower it), and its due day (`ageing_due`)."""
    return (
        Invoice.objects.filter(kind=Kind.INVOICE, status=Status.ISSUED)
        .annotate(ageing_due=F("due_on"), owed=amount_due_expression())
        .order_by()
    )


def _bucket_sums(on: date) -> dict[str, Coalesce]:
    return {
        name: Coalesce(
            Sum("owed", filter=_due_in_bucket(on, first, last)),
            Value(Decimal("0")),
            output_field=_AMOUNT,
        )
        for name, first, last in AGEING_BUCKETS
    }


def _ageing_row(row: Mapping[str, Any], **extra: Any) -> AgeingRow:
    currency = row["currency"]
    return AgeingRow(
        currency=currency,
        buckets=tuple(Money(row[name], currency) for name, _first, _last in AGEING_BUCKETS),
        **extra,
    )


def receivables_ageing(*, on: date | None = None) -> list[AgeingRow]:
    """What customers owe per currency on `on` (today by default): current (not yet due),
    1-30, 31-60, 61-90 and over 90 days past the due day, in one aggregate query. Each issued
    invoice counts what is still due on it (less its credit notes and the payments applied to
    it), in its own bucket."""
    on = on or timezone.localdate()
    rows = _receivables(on).values("currency").annotate(**_bucket_sums(on)).order_by("currency")
    return [_ageing_row(row) for row in rows]


def receivables_ageing_by_customer(*, on: date | None = None) -> QuerySet:
    """The customers behind `receivables_ageing`: one row (a dict) per customer and currency
    with the same buckets (those who owe nothing left out: a fully credited invoice), largest
    debt first; a page of it becomes `AgeingRow`s through `ageing_rows`."""
    on = on or timezone.localdate()
    return (
        _receivables(on)
        .values("currency", "customer_id", "customer__legal_name")
        .annotate(**_bucket_sums(on), owed_total=Sum("owed"))
        .exclude(owed_total=0)
        .order_by("currency", "-owed_total", "customer__legal_name")
    )


def ageing_rows(rows: Any) -> list[AgeingRow]:
    return [
        _ageing_row(row, customer_id=row["customer_id"], customer_name=row["customer__legal_name"])
        for row in rows
    ]


def billing_run_get(*, period_start: date) -> BillingRun | None:
    return (
        BillingRun.objects.select_related("requested_by").filter(period_start=period_start).first()
    )


def billing_run_list() -> QuerySet[BillingRun]:
    return BillingRun.objects.select_related("requested_by").order_by("-period_start")
