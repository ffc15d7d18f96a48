"""The finance export: invoices, credit notes, their lines and payments of a date range, with
totals per currency and tax rate, and what prepaid credits mean for the books in that range
(`credits.breakage`), as CSV (streamed) or XLSX. Columns: README, "Finance export".

One generator, `finance_export_records`, reads the rows and yields them in order: for each
document (by issue date, series, number) its `invoice` record then its `line` records; then
the `payment` records; then the `total` records; then, for each currency with prepaid
credits, its `breakage` records (one per figure: credits in `quantity`, their value at what
customers paid in `total`). It reads lines with one streamed query
(`iterator()`), so memory stays flat however many lines there are; only the totals (one per
currency, tax rate and document kind) are kept.

Totals leave out void documents, and subtract credit notes from invoices in the `net` rows.
Amounts are plain decimals with a dot ("120900.00"), dates ISO 8601, for spreadsheets and
accounting imports alike.
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from djmoney.money import Money
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from billing.models import Invoice, InvoiceLine, InvoiceSeries, Payment
from contracts.models import CURRENCY_CHOICES, Customer
from core.errors import InvalidInput
from core.money import zero
from core.spreadsheets import spreadsheet_safe
from credits.breakage import credit_breakage

COLUMNS = (
    "record",
    "kind",
    "number",
    "status",
    "issued_on",
    "due_on",
    "customer_id",
    "buyer_legal_name",
    "buyer_tax_id",
    "buyer_country",
    "currency",
    "corrects",
    "line_position",
    "line_kind",
    "description",
    "quantity",
    "unit_price",
    "tax_rate",
    "subtotal",
    "tax",
    "total",
    "payment_id",
    "payment_provider",
    "payment_reference",
    "received_on",
    "payment_amount",
)
# The columns of each XLSX sheet: the CSV's columns that its record type fills.
INVOICE_COLUMNS = (
    "kind",
    "number",
    "status",
    "issued_on",
    "due_on",
    "customer_id",
    "buyer_legal_name",
    "buyer_tax_id",
    "buyer_country",
    "currency",
    "corrects",
    "subtotal",
    "tax",
    "total",
)
LINE_COLUMNS = (
    "number",
    "kind",
    "currency",
    "line_position",
    "line_kind",
    "description",
    "quantity",
    "unit_price",
    "tax_rate",
    "subtotal",
    "tax",
    "total",
)
PAYMENT_COLUMNS = (
    "payment_id",
    "number",
    "customer_id",
    "buyer_legal_name",
    "currency",
    "payment_provider",
    "payment_reference",
    "received_on",
    "payment_amount",
)
TOTAL_COLUMNS = ("kind", "currency", "tax_rate", "subtotal", "tax", "total")
BREAKAGE_COLUMNS = ("kind", "currency", "quantity", "total")
SHEETS = {
    "invoice": ("invoices", INVOICE_COLUMNS),
    "line": ("lines", LINE_COLUMNS),
    "payment": ("payments", PAYMENT_COLUMNS),
    "total": ("totals", TOTAL_COLUMNS),
}
# Written only when the range has prepaid credits.
OPTIONAL_SHEETS = {"breakage": ("credits", BREAKAGE_COLUMNS)}
ALL_RATES = "all"

Status = Invoice.Status


class FinanceExportFilter(django_filters.FilterSet):
    """Issued documents of a date range (issue date, both ends included), optionally by
    status, customer, currency, series and kind. Drafts are never exported."""

    date_from = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte", required=True)
    date_to = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte", required=True)
    status = django_filters.MultipleChoiceFilter(
        choices=[(value, label) for value, label in Status.choices if value != Status.DRAFT]
    )
    customer = django_filters.ModelChoiceFilter(queryset=Customer.objects.all())
    currency = django_filters.ChoiceFilter(choices=CURRENCY_CHOICES)
    series = django_filters.ModelChoiceFilter(
        queryset=InvoiceSeries.objects.all(), to_field_name="code"
    )
    kind = django_filters.ChoiceFilter(choices=Invoice.Kind.choices)

    class Meta:
        model = Invoice
        fields = ["date_from", "date_to", "status", "customer", "currency", "series", "kind"]


@dataclass(frozen=True)
class FinanceExport:
    """A validated request: the documents and payments to export."""

    date_from: date
    date_to: date
    invoices: QuerySet[Invoice]
    payments: QuerySet[Payment]
    currency: str | None = None
    customer_id: int | None = None


def finance_export_get(*, filters: dict[str, Any]) -> FinanceExport:
    """Validate the filters (raises `InvalidInput`) and return the querysets to export.

    Payments: succeeded ones received in the range, of the filtered customer and currency;
    with a status, series or kind filter, only those applied to a matching document.
    """
    filterset = FinanceExportFilter(
        filters, queryset=Invoice.objects.exclude(status=Status.DRAFT).filter(number__isnull=False)
    )
    if not filterset.is_valid():
        raise InvalidInput({name: list(errors) for name, errors in filterset.errors.items()})
    data = filterset.form.cleaned_data
    date_from, date_to = data["date_from"], data["date_to"]
    if date_from > date_to:
        reversed_range = _("La fecha final (date_to) es anterior a la inicial (date_from).")
        raise InvalidInput({"date_to": [reversed_range]})
    invoices = filterset.qs
    received = Q(received_on__gte=date_from, received_on__lte=date_to) | Q(
        received_on__isnull=True,
        created_at__date__gte=date_from,
        created_at__date__lte=date_to,
    )
    payments = Payment.objects.filter(received, status=Payment.Status.SUCCEEDED)
    if data.get("customer"):
        payments = payments.filter(customer=data["customer"])
    if data.get("currency"):
        payments = payments.filter(amount_currency=data["currency"])
    if data.get("status") or data.get("series") or data.get("kind"):
        payments = payments.filter(invoice__in=invoices)
    return FinanceExport(
        date_from=date_from,
        date_to=date_to,
        invoices=invoices,
        payments=payments,
        currency=data.get("currency") or None,
        customer_id=data["customer"].pk if data.get("customer") else None,
    )


def _number(prefix: str | None, number: int | None) -> str:
    # The same text as Invoice.display_number, from values instead of a model instance.
    return f"{prefix}{number:06d}" if number is not None else ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return str(spreadsheet_safe(str(value)))


_LINE_FIELDS = (
    "invoice_id",
    "invoice__kind",
    "invoice__series__prefix",
    "invoice__number",
    "invoice__status",
    "invoice__issued_on",
    "invoice__due_on",
    "invoice__customer_id",
    "invoice__buyer_legal_name",
    "invoice__buyer_tax_id",
    "invoice__buyer_country",
    "invoice__currency",
    "invoice__corrects__series__prefix",
    "invoice__corrects__number",
    "invoice__subtotal",
    "invoice__tax",
    "invoice__total",
    "position",
    "kind",
    "description",
    "quantity",
    "unit_price",
    "tax_rate",
    "subtotal",
    "tax",
    "total",
)


class _Totals:
    """Sums per (document kind, currency, tax rate), in Money, from zero in each currency."""

    def __init__(self) -> None:
        self.sums: dict[tuple[str, str, Decimal], list[Money]] = {}

    def add(self, kind: str, currency: str, rate: Decimal, amounts: Iterable[Money]) -> None:
        key = (kind, currency, rate)
        current = self.sums.setdefault(key, [zero(currency), zero(currency), zero(currency)])
        for index, amount in enumerate(amounts):
            current[index] = current[index] + amount

    def records(self) -> Iterator[dict[str, Any]]:
        currencies = sorted({currency for _kind, currency, _rate in self.sums})
        for currency in currencies:
            rates: list[Decimal | str] = sorted(
                {rate for _k, c, rate in self.sums if c == currency}
            )
            for rate in [*rates, ALL_RATES]:
                by_kind: dict[str, list[Money]] = {}
                for kind in (Invoice.Kind.INVOICE, Invoice.Kind.CREDIT_NOTE):
                    by_kind[kind] = self._sum(kind, currency, rate)
                net = [a - b for a, b in zip(*by_kind.values(), strict=True)]
                for kind_name, amounts in [*by_kind.items(), ("net", net)]:
                    yield {
                        "record": "total",
                        "kind": str(kind_name),
                        "currency": currency,
                        "tax_rate": rate,
                        "subtotal": amounts[0].amount,
                        "tax": amounts[1].amount,
                        "total": amounts[2].amount,
                    }

    def _sum(self, kind: str, currency: str, rate: Decimal | str) -> list[Money]:
        result = [zero(currency), zero(currency), zero(currency)]
        for (k, c, r), amounts in self.sums.items():
            if k == kind and c == currency and (rate == ALL_RATES or r == rate):
                result = [a + b for a, b in zip(result, amounts, strict=True)]
        return result


def finance_export_records(
    export: FinanceExport, *, chunk_size: int = 2000
) -> Iterator[dict[str, Any]]:
    """Every record of the export, in order, as {column: value}; streamed (see module)."""
    lines = (
        InvoiceLine.objects.filter(invoice__in=export.invoices)
        .order_by("invoice__issued_on", "invoice__series__code", "invoice__number", "position")
        .values_list(*_LINE_FIELDS)
    )
    totals = _Totals()
    current_invoice = None
    for row in lines.iterator(chunk_size=chunk_size):
        values = dict(zip(_LINE_FIELDS, row, strict=True))
        currency = values["invoice__currency"]
        number = _number(values["invoice__series__prefix"], values["invoice__number"])
        document = {
            "kind": values["invoice__kind"],
            "number": number,
            "currency": currency,
        }
        if values["invoice_id"] != current_invoice:
            current_invoice = values["invoice_id"]
            yield {
                "record": "invoice",
                **document,
                "status": values["invoice__status"],
                "issued_on": values["invoice__issued_on"],
                "due_on": values["invoice__due_on"],
                "customer_id": values["invoice__customer_id"],
                "buyer_legal_name": values["invoice__buyer_legal_name"],
                "buyer_tax_id": values["invoice__buyer_tax_id"],
                "buyer_country": values["invoice__buyer_country"],
                "corrects": _number(
                    values["invoice__corrects__series__prefix"], values["invoice__corrects__number"]
                ),
                "subtotal": values["invoice__subtotal"],
                "tax": values["invoice__tax"],
                "total": values["invoice__total"],
            }
        if values["invoice__status"] != Status.VOID:
            totals.add(
                values["invoice__kind"],
                currency,
                values["tax_rate"],
                (Money(values[name], currency) for name in ("subtotal", "tax", "total")),
            )
        yield {
            "record": "line",
            **document,
            "line_position": values["position"],
            "line_kind": values["kind"],
            "description": values["description"],
            "quantity": values["quantity"],
            "unit_price": values["unit_price"],
            "tax_rate": values["tax_rate"],
            "subtotal": values["subtotal"],
            "tax": values["tax"],
            "total": values["total"],
        }
    payments = export.payments.order_by("received_on", "pk").values_list(
        "pk",
        "invoice__series__prefix",
        "invoice__number",
        "customer_id",
        "customer__legal_name",
        "amount_currency",
        "provider",
        "provider_ref",
        "received_on",
        "amount",
    )
    for (
        pk,
        prefix,
        invoice_number,
        customer_id,
        name,
        currency,
        provider,
        ref,
        on,
        amount,
    ) in payments.iterator(chunk_size=chunk_size):
        yield {
            "record": "payment",
            "payment_id": pk,
            "number": _number(prefix, invoice_number),
            "customer_id": customer_id,
            "buyer_legal_name": name,
            "currency": currency,
            "payment_provider": provider,
            "payment_reference": ref,
            "received_on": on,
            "payment_amount": amount,
        }
    yield from totals.records()
    yield from _breakage_records(export)


def _breakage_records(export: FinanceExport) -> Iterator[dict[str, Any]]:
    """Credits sold, granted, used, expired, refunded, adjusted, and outstanding at the
    range's start (`opening`) and end (deferred revenue), per currency, from the start of
    `date_from` to the end of `date_to` (UTC, the days the documents are chosen by)."""
    start = datetime.combine(export.date_from, time(0), tzinfo=UTC)
    end = datetime.combine(export.date_to + timedelta(days=1), time(0), tzinfo=UTC)
    for row in credit_breakage(
        start=start, end=end, currency=export.currency, customer_id=export.customer_id
    ):
        for figure, credits, value in row.figures():
            yield {
                "record": "breakage",
                "kind": figure,
                "currency": row.currency,
                "quantity": credits,
                "total": value.amount,
            }


class _Echo:
    """A file-like whose write returns the text: csv.writer into a generator (Django docs)."""

    def write(self, value: str) -> str:
        return value


def finance_export_csv(export: FinanceExport) -> Iterator[str]:
    """The CSV text in pieces (a BOM, the header, one row each), for StreamingHttpResponse or
    a file; nothing is held but the current row."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(COLUMNS)
    for record in finance_export_records(export):
        yield writer.writerow([_text(record.get(column)) for column in COLUMNS])


def _cell(sheet: Any, value: Any) -> Any:
    # Numbers and dates keep their type; all text is a string cell (data_type "s"), never a
    # formula, whatever it starts with.
    if isinstance(value, Decimal | int | date):
        return value
    cell = WriteOnlyCell(sheet, value=None)
    cell.value = spreadsheet_safe("" if value is None else str(value))
    cell.data_type = "s"
    return cell


def finance_export_xlsx(export: FinanceExport, output: IO[bytes] | str) -> None:
    """The same records as an XLSX workbook (one sheet per record type), written with
    openpyxl's write-only mode to `output` (a path or a binary file)."""
    workbook = Workbook(write_only=True)
    sheets = {}
    for record_type, (title, columns) in SHEETS.items():
        sheet = workbook.create_sheet(title)
        sheet.append(list(columns))
        sheets[record_type] = (sheet, columns)
    for record in finance_export_records(export):
        if record["record"] not in sheets:
            title, columns = OPTIONAL_SHEETS[record["record"]]
            sheet = workbook.create_sheet(title)
            sheet.append(list(columns))
            sheets[record["record"]] = (sheet, columns)
        sheet, columns = sheets[record["record"]]
        sheet.append([_cell(sheet, record.get(column)) for column in columns])
    workbook.save(output)
