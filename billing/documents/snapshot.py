"""What an issued invoice says, as plain values, and the hash that fingerprints it.

A snapshot is read once from the database (three queries) and is all the PDF renderer and
the verification need. The content hash covers everything printed that comes from the
invoice: kind, number, dates, buyer, currency, amounts, lines and the corrected invoice; not
the status (paid/void change after issue) and not the language (the Spanish and the English
PDF of one invoice carry the same hash).

WARNING: changing `_canonical` changes the hash of every invoice already sent to customers,
and `verify_invoice` would then reject their PDFs. Add a new version instead (`HASH_VERSION`).
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from djmoney.money import Money

from billing.models import Invoice, InvoiceLine
from core.money import money_sum

HASH_VERSION = "v1"
SHORT_HASH_LENGTH = 16


@dataclass(frozen=True)
class LineSnapshot:
    position: int
    description: str
    quantity: Decimal
    unit_price: Money
    tax_rate: Decimal
    subtotal: Money
    tax: Money
    total: Money


@dataclass(frozen=True)
class TaxSummary:
    """One tax rate of an invoice: its taxable base and the tax, sums of rounded lines."""

    rate: Decimal
    base: Money
    tax: Money


@dataclass(frozen=True)
class InvoiceSnapshot:
    pk: int
    kind: str
    number: str
    issued_on: date
    due_on: date | None
    period_start: date | None
    period_end: date | None
    buyer_legal_name: str
    buyer_tax_id: str
    buyer_address: str
    buyer_country: str
    buyer_email: str
    buyer_tax_exempt: bool
    currency: str
    subtotal: Money
    tax: Money
    total: Money
    lines: tuple[LineSnapshot, ...]
    corrects_number: str
    corrects_issued_on: date | None
    correction_reason: str
    customer_language: str

    @property
    def is_credit_note(self) -> bool:
        return self.kind == Invoice.Kind.CREDIT_NOTE

    @property
    def taxes(self) -> tuple[TaxSummary, ...]:
        rates = sorted({line.tax_rate for line in self.lines})
        return tuple(
            TaxSummary(
                rate=rate,
                base=money_sum(
                    [ln.subtotal for ln in self.lines if ln.tax_rate == rate], self.currency
                ),
                tax=money_sum([ln.tax for ln in self.lines if ln.tax_rate == rate], self.currency),
            )
            for rate in rates
        )

    def amounts(self) -> Iterable[Money]:
        yield from (self.subtotal, self.tax, self.total)
        for line in self.lines:
            yield from (line.unit_price, line.subtotal, line.tax, line.total)

    @property
    def content_hash(self) -> str:
        payload = json.dumps(_canonical(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(f"{HASH_VERSION}:{payload}".encode()).hexdigest()

    @property
    def short_hash(self) -> str:
        return self.content_hash[:SHORT_HASH_LENGTH]


def _fixed(value: Decimal, places: int) -> str:
    return format(value.quantize(Decimal(1).scaleb(-places)), "f")


def _money(amount: Money) -> str:
    return f"{_fixed(amount.amount, 2)} {amount.currency}"


def _canonical(snapshot: InvoiceSnapshot) -> dict:
    iso = lambda value: value.isoformat() if value else ""  # noqa: E731
    return {
        "kind": snapshot.kind,
        "number": snapshot.number,
        "issued_on": iso(snapshot.issued_on),
        "due_on": iso(snapshot.due_on),
        "period": [iso(snapshot.period_start), iso(snapshot.period_end)],
        "buyer": [
            snapshot.buyer_legal_name,
            snapshot.buyer_tax_id,
            snapshot.buyer_address,
            snapshot.buyer_country,
            snapshot.buyer_email,
            snapshot.buyer_tax_exempt,
        ],
        "currency": snapshot.currency,
        "amounts": [_money(snapshot.subtotal), _money(snapshot.tax), _money(snapshot.total)],
        "corrects": snapshot.corrects_number,
        "lines": [
            [
                line.position,
                line.description,
                _fixed(line.quantity, 4),
                _money(line.unit_price),
                _fixed(line.tax_rate, 2),
                _money(line.subtotal),
                _money(line.tax),
                _money(line.total),
            ]
            for line in snapshot.lines
        ],
    }


def _line(line: InvoiceLine) -> LineSnapshot:
    return LineSnapshot(
        position=line.position,
        description=line.description,
        quantity=line.quantity,
        unit_price=line.unit_price,
        tax_rate=line.tax_rate,
        subtotal=line.subtotal,
        tax=line.tax,
        total=line.total,
    )


def invoice_snapshot(invoice: Invoice) -> InvoiceSnapshot:
    """The snapshot of an issued invoice (or credit note); a draft has nothing to print."""
    if invoice.status == Invoice.Status.DRAFT or invoice.number is None or not invoice.issued_on:
        raise ValueError(f"invoice {invoice.pk} is a draft")
    corrects = invoice.corrects
    return InvoiceSnapshot(
        pk=invoice.pk,
        kind=invoice.kind,
        number=invoice.display_number,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        buyer_legal_name=invoice.buyer_legal_name,
        buyer_tax_id=invoice.buyer_tax_id,
        buyer_address=invoice.buyer_address,
        buyer_country=invoice.buyer_country,
        buyer_email=invoice.buyer_email,
        buyer_tax_exempt=invoice.buyer_tax_exempt,
        currency=invoice.currency,
        subtotal=invoice.subtotal,
        tax=invoice.tax,
        total=invoice.total,
        lines=tuple(_line(line) for line in invoice.lines.all()),
        corrects_number=corrects.display_number if corrects else "",
        corrects_issued_on=corrects.issued_on if corrects else None,
        correction_reason=invoice.correction_reason,
        customer_language=invoice.customer.language,
    )


def invoices_for_snapshot() -> QuerySet[Invoice]:
    """The queryset that reads an invoice for `invoice_snapshot` in three queries."""
    return Invoice.objects.select_related(
        "series", "customer", "corrects__series"
    ).prefetch_related("lines")
