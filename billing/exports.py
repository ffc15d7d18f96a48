"""The finance export: invoices, credit notes, their lines, payments and refunds of a date range,
with totals per currency and tax rate, and what prepaid credits mean for the books in that range
(`credits.breakage`), as CSV (streamed) or XLSX. Columns: README, "Finance export".

One generator, `finance_export_rows`, yields the records in order as tuples of `COLUMNS`: for
each document (by issue date, series and number) its `invoice` record then its `line` records;
then the `payment` records; then the `refund` records (money sent back, its amount negative, so
payments and refunds add up to the money kept); then the `total` records; then, for each
currency with prepaid credits, its `breakage` records (one per figure: credits in `quantity`,
their value at what customers paid in `total`). Documents and their lines are two streamed
queries (`iterator()`) in the same order, merged, so memory stays flat however many lines there
are and no line re-reads its document's cells. The database writes the cells as text (decimals
with their places, dates ISO 8601, text a spreadsheet would run neutralized) and adds up the
totals; Python only arranges them. The CSV is those records as Python's csv writer writes them,
except that the database writes each line's own cells as one piece of CSV text
(`core.spreadsheets.csv_row_column`); a test holds the two to the byte. The XLSX reads each
sheet with its own query and writes it row by row (`core.spreadsheets.XlsxWorkbook`).
`bench/documents.py` measures both against a plain SQL export of the same rows.

Totals leave out void documents, and subtract credit notes from invoices in the `net` rows.
Amounts are plain decimals with a dot ("120900.00"), dates ISO 8601, for spreadsheets and
accounting imports alike.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import IO, Any, NamedTuple, cast

import django_filters
from django.db.models import (
    CharField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from djmoney.money import Money

from billing.models import Invoice, InvoiceLine, InvoiceSeries, Payment, Refund
from contracts.models import CURRENCY_CHOICES, Customer
from core.amounts import MONEY_COLUMN
from core.errors import InvalidInput
from core.instants import DayFilter
from core.money import zero
from core.spreadsheets import (
    XlsxWorkbook,
    csv_cell_column,
    csv_row_column,
    spreadsheet_safe_column,
)
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
# A refund's record fills the payment's columns: the payment it returns, the day it went back,
# and its amount, negative.
REFUND_COLUMNS = PAYMENT_COLUMNS
# The sheets of the totals and of prepaid credits (written only when the range has some),
# after the invoices, lines, payments and refunds.
SUMMARY_SHEETS = {"total": ("totals", TOTAL_COLUMNS), "breakage": ("credits", BREAKAGE_COLUMNS)}
ALL_RATES = "all"

Status = Invoice.Status


class FinanceExportFilter(django_filters.FilterSet):
    """Issued documents of a date range (issue date, both ends included), optionally by
    status, customer, currency, series and kind. Drafts are never exported."""

    date_from = DayFilter(field_name="issued_on", lookup_expr="gte", required=True)
    date_to = DayFilter(field_name="issued_on", lookup_expr="lte", required=True)
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
    """A validated request: the documents, payments and refunds to export."""

    date_from: date
    date_to: date
    invoices: QuerySet[Invoice]
    payments: QuerySet[Payment]
    refunds: QuerySet[Refund]
    currency: str | None = None
    customer_id: int | None = None


def finance_export_get(*, filters: dict[str, Any]) -> FinanceExport:
    """Validate the filters (raises `InvalidInput`) and return the querysets to export.

    Payments: succeeded ones received in the range, of the filtered customer and currency;
    with a status, series or kind filter, only those of a matching document, whenever it was
    issued. Refunds: succeeded ones recorded in the range (the customer's day), chosen by their
    payment the same way; an overpayment's excess sent back is one, with no credit note.
    """
    filterset = FinanceExportFilter(
        filters, queryset=Invoice.objects.exclude(status=Status.DRAFT).filter(number__isnull=False)
    )
    if not filterset.is_valid():
        raise InvalidInput({name: list(errors) for name, errors in filterset.errors.items()})
    data = filterset.form.cleaned_data
    date_from, date_to = data["date_from"], data["date_to"]
    if date_from > date_to:
        reversed_range = _("La fecha final es anterior a la inicial.")
        raise InvalidInput({"date_to": [reversed_range]})
    invoices = filterset.qs
    received = Q(received_on__gte=date_from, received_on__lte=date_to) | Q(
        received_on__isnull=True,
        created_at__date__gte=date_from,
        created_at__date__lte=date_to,
    )
    chosen = Payment.objects.filter(status=Payment.Status.SUCCEEDED)
    if data.get("customer"):
        chosen = chosen.filter(customer=data["customer"])
    if data.get("currency"):
        chosen = chosen.filter(amount_currency=data["currency"])
    if data.get("status") or data.get("series") or data.get("kind"):
        # The documents' filters but their issue dates: money received or returned in the
        # range may be of an invoice issued before it.
        documents = Invoice.objects.all()
        for name, value in data.items():
            if name not in ("date_from", "date_to"):
                documents = filterset.filters[name].filter(documents, value)
        chosen = chosen.filter(invoice__in=documents)
    # A refund is chosen by its payment whenever that payment was received: money received
    # before the range and sent back in it left in the range.
    refunds = Refund.objects.filter(
        returned_on__gte=date_from,
        returned_on__lte=date_to,
        status=Refund.Status.SUCCEEDED,
        payment__in=chosen,
    )
    payments = chosen.filter(received)
    return FinanceExport(
        date_from=date_from,
        date_to=date_to,
        invoices=invoices,
        payments=payments,
        refunds=refunds,
        currency=data.get("currency") or None,
        customer_id=data["customer"].pk if data.get("customer") else None,
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


def _number(prefix: str | None, number: int | None) -> str | None:
    # The same text as Invoice.display_number, from values instead of a model instance.
    return f"{prefix}{number:06d}" if number is not None else None


class _DecimalText(Func):
    """A decimal column as text with its `places` decimals, written by the database. The
    export's cells are text; a Decimal made per cell in Python (Django's converter) cost
    more than all the rest of a line."""

    output_field = CharField()

    def __init__(self, expression: Any, places: int) -> None:
        super().__init__(expression)
        self.places = places

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite keeps a NUMERIC value as an integer when it is whole (most amounts) and as a
        # double otherwise. A whole value gets its zero places appended, half the cost of
        # printf; printf rounds a double to the column's places, exact for the 14 digits a
        # money column holds. `%%` is one percent sign once the parameters are formatted.
        value, params = compiler.compile(self.source_expressions[0])
        zeros = "0" * self.places
        sql = (
            f"CASE WHEN {value} = CAST({value} AS INTEGER) THEN CAST({value} AS INTEGER) || "
            f"'.{zeros}' ELSE printf('%%.{self.places}f', {value}) END"
        )
        return sql, (*params, *params, *params, *params)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # A numeric(p, s) prints with its scale ("120900.00").
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS text)", **extra)


_MONEY_PLACES = Decimal(1).scaleb(-MONEY_COLUMN["decimal_places"])


def _money(name: str) -> _DecimalText:
    return _DecimalText(F(name), MONEY_COLUMN["decimal_places"])


def _iso(name: str) -> Cast:
    # Dates as ISO 8601 text, with no converter per cell.
    return Cast(F(name), CharField())


# Rows fetched per round trip: a chunk is the most the export holds (about 2 MB of cells).
_CHUNK = 2000


def _rows(queryset: QuerySet, fields: dict[str, Any]) -> Iterator[tuple]:
    rows: Iterator[tuple] = (
        queryset.annotate(**{f"x_{name}": value for name, value in fields.items()})
        .values_list(*(f"x_{name}" for name in fields))
        .iterator(chunk_size=_CHUNK)
    )
    return rows


_HEADER_FIELDS = {
    "pk": F("pk"),
    "kind": F("kind"),
    "prefix": F("series__prefix"),
    "number": F("number"),
    "status": F("status"),
    "issued_on": _iso("issued_on"),
    "due_on": _iso("due_on"),
    "customer_id": F("customer_id"),
    "buyer_legal_name": spreadsheet_safe_column("buyer_legal_name"),
    "buyer_tax_id": spreadsheet_safe_column("buyer_tax_id"),
    "buyer_country": F("buyer_country"),
    "currency": F("currency"),
    "corrects_prefix": F("corrects__series__prefix"),
    "corrects_number": F("corrects__number"),
    "subtotal": _money("subtotal"),
    "tax": _money("tax"),
    "total": _money("total"),
}
# A line's own cells, in the order of COLUMNS.
_LINE_CELLS = {
    "position": F("position"),
    # A choice, neutralized all the same: the column has no constraint to hold it to one.
    "line_kind": spreadsheet_safe_column("kind"),
    "description": spreadsheet_safe_column("description"),
    "quantity": _DecimalText(F("quantity"), 4),
    "unit_price": _money("unit_price"),
    "tax_rate": _DecimalText(F("tax_rate"), 2),
    "subtotal": _money("subtotal"),
    "tax": _money("tax"),
    "total": _money("total"),
}
_LINE_FIELDS = {"invoice_id": F("invoice_id"), **_LINE_CELLS}
# The same cells as one column of CSV text: the CSV's lines are most of its rows, and the
# database writes them faster than Python's csv writer would. Numbers' text needs no quotes.
_LINE_CSV_FIELDS = {
    "invoice_id": F("invoice_id"),
    "text": csv_row_column(
        *{
            **_LINE_CELLS,
            "line_kind": csv_cell_column("kind"),
            "description": csv_cell_column("description"),
        }.values()
    ),
}
_PAYMENT_FIELDS = {
    "pk": F("pk"),
    "prefix": F("invoice__series__prefix"),
    "number": F("invoice__number"),
    "customer_id": F("customer_id"),
    "buyer_legal_name": spreadsheet_safe_column("customer__legal_name"),
    "currency": F("amount_currency"),
    "provider": F("provider"),
    "provider_ref": spreadsheet_safe_column("provider_ref"),
    "received_on": _iso("received_on"),
    "amount": _money("amount"),
}
# The payment's cells of the payment a refund returns, and the refund's own.
_REFUND_FIELDS = {
    "pk": F("payment_id"),
    "prefix": F("payment__invoice__series__prefix"),
    "number": F("payment__invoice__number"),
    "customer_id": F("payment__customer_id"),
    "buyer_legal_name": spreadsheet_safe_column("payment__customer__legal_name"),
    "currency": F("amount_currency"),
    "provider": F("payment__provider"),
    "provider_ref": spreadsheet_safe_column("provider_ref"),
    "returned_on": _iso("returned_on"),
    "amount": _DecimalText(
        ExpressionWrapper(-F("amount"), output_field=DecimalField(**MONEY_COLUMN)),
        MONEY_COLUMN["decimal_places"],
    ),
}
# Documents by issue date, series and number; their lines in the same order, by position.
_DOCUMENT_ORDER = ("issued_on", "series__code", "number", "pk")


class _Document(NamedTuple):
    pk: int
    record: tuple
    # Built once per document: each of its lines' records starts with these cells.
    line_head: tuple


def _document(row: tuple) -> _Document:
    (pk, kind, prefix, number, status, issued_on, due_on, customer_id, name, tax_id, country,
     currency, corrects_prefix, corrects_number, subtotal, tax, total) = row  # fmt: skip
    number = _number(prefix, number)
    record = (
        "invoice", kind, number, status, issued_on, due_on, customer_id, name, tax_id, country,
        currency, _number(corrects_prefix, corrects_number), None, None, None, None, None, None,
        subtotal, tax, total, None, None, None, None, None,
    )  # fmt: skip
    line_head = ("line", kind, number, None, None, None, None, None, None, None, currency, None)
    return _Document(pk, record, line_head)


def _documents(export: FinanceExport) -> Iterator[_Document]:
    return map(_document, _rows(export.invoices.order_by(*_DOCUMENT_ORDER), _HEADER_FIELDS))


def _documents_and_lines(
    export: FinanceExport, line_fields: dict[str, Any]
) -> Iterator[tuple[_Document, Iterable[tuple]]]:
    """Each document with its lines' rows (`line_fields`, the document's id first), in order.
    The lines are a group of one stream: read them before asking for the next document.

    Two streams in the same order, merged: each line would otherwise carry its document's
    seventeen cells, and reading those cells a hundred thousand times took as long as the
    rest of the export."""
    documents = _documents(export)
    lines = InvoiceLine.objects.filter(invoice__in=export.invoices).order_by(
        *(f"invoice__{name}" for name in _DOCUMENT_ORDER), "position"
    )
    for document_id, its_lines in groupby(_rows(lines, line_fields), key=itemgetter(0)):
        for document in documents:
            if document.pk == document_id:
                break
            yield document, ()
        else:
            # The same filter chose both streams: each line has its document, in order.
            raise LookupError(f"invoice line of document {document_id} out of order")
        yield document, its_lines
    for document in documents:
        yield document, ()


# A line has no payment: its record ends with the payment columns empty.
_LINE_TAIL = (None,) * 5


def _document_records(export: FinanceExport, *, with_documents: bool = True) -> Iterator[tuple]:
    """Each document's record (left out without `with_documents`), then its lines' records.
    A line row is its document's id then its own cells, in the order of COLUMNS, so its
    record is three tuples joined, with no call per line."""
    for document, lines in _documents_and_lines(export, _LINE_FIELDS):
        if with_documents:
            yield document.record
        for line in lines:
            yield document.line_head + line[1:] + _LINE_TAIL


def _payment_records(export: FinanceExport) -> Iterator[tuple]:
    yield from _money_records(
        "payment", export.payments.order_by("received_on", "pk"), _PAYMENT_FIELDS
    )


def _refund_records(export: FinanceExport) -> Iterator[tuple]:
    refunds = export.refunds.order_by("returned_on", "pk")
    yield from _money_records("refund", refunds, _REFUND_FIELDS)


def _money_records(record: str, queryset: QuerySet, fields: dict[str, Any]) -> Iterator[tuple]:
    for pk, prefix, number, customer_id, name, currency, provider, ref, on, amount in _rows(
        queryset, fields
    ):
        yield (
            record, None, _number(prefix, number), None, None, None, customer_id,
            name, None, None, currency, None, None, None, None, None, None, None, None,
            None, None, pk, provider, ref, on, amount,
        )  # fmt: skip


def finance_export_rows(export: FinanceExport) -> Iterator[tuple]:
    """Every record of the export, in order, as a tuple of COLUMNS (text, an int, or None for
    an empty cell); streamed (see module). The CSV writes these, its lines written by the
    database."""
    yield from _document_records(export)
    yield from _later_records(export)


def _later_records(export: FinanceExport) -> Iterator[tuple]:
    # What follows the documents and their lines: payments, refunds, totals, credits.
    yield from _payment_records(export)
    yield from _refund_records(export)
    for record in _summary_records(export):
        yield tuple(_cell_text(record.get(column)) for column in COLUMNS)


def _cell_text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def finance_export_records(export: FinanceExport) -> Iterator[dict[str, Any]]:
    """The same records as {column: cell} with the empty cells left out, for reading."""
    for row in finance_export_rows(export):
        yield {
            column: value for column, value in zip(COLUMNS, row, strict=True) if value is not None
        }


def _totals(export: FinanceExport) -> Iterator[dict[str, Any]]:
    """The `total` records: sums per document kind, currency and tax rate, added up by the
    database (void documents left out), then per currency over all rates and net of credit
    notes."""
    sums = (
        InvoiceLine.objects.filter(invoice__in=export.invoices)
        .exclude(invoice__status=Status.VOID)
        .values("invoice__kind", "invoice__currency", "tax_rate")
        .annotate(sum_subtotal=Sum("subtotal"), sum_tax=Sum("tax"), sum_total=Sum("total"))
        .order_by()
    )
    totals = _Totals()
    for row in cast(Iterable[dict[str, Any]], sums):
        currency = row["invoice__currency"]
        totals.add(
            row["invoice__kind"],
            currency,
            row["tax_rate"],
            (
                # SQLite sums NUMERIC columns as doubles; the column's places, as PostgreSQL.
                Money(row[f"sum_{name}"].quantize(_MONEY_PLACES), currency)
                for name in ("subtotal", "tax", "total")
            ),
        )
    return totals.records()


def _summary_records(export: FinanceExport) -> Iterator[dict[str, Any]]:
    yield from _totals(export)
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


def finance_export_csv(export: FinanceExport) -> Iterator[str]:
    """The CSV text of `finance_export_rows` in pieces (a BOM and the header, then about
    `_CSV_PIECE` characters each), for StreamingHttpResponse or a file; nothing is held but
    the current piece. The lines come from the database as CSV text (`_LINE_CSV_FIELDS`):
    each is its document's first cells, its own, and the empty payment cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    line_head = io.StringIO()
    line_head_writer = csv.writer(line_head)
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    for document, lines in _documents_and_lines(export, _LINE_CSV_FIELDS):
        writer.writerow(document.record)
        line_head_writer.writerow(document.line_head)
        # The head's cells without the line end, then the comma before the line's own.
        head = _piece(line_head).removesuffix(_CSV_LINE_END) + ","
        for _document_id, text in lines:
            buffer.write(head + text + _CSV_LINE_TAIL)
        if buffer.tell() >= _CSV_PIECE:
            yield _piece(buffer)
    for row in _later_records(export):
        writer.writerow(row)
        if buffer.tell() >= _CSV_PIECE:
            yield _piece(buffer)
    if buffer.tell():
        yield buffer.getvalue()


def _piece(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


# The csv writer's line end (the excel dialect's), and the empty payment cells and line end
# that close a line's row.
_CSV_LINE_END = csv.excel.lineterminator
_CSV_LINE_TAIL = "," * len(_LINE_TAIL) + _CSV_LINE_END
_CSV_PIECE = 64 * 1024
# How each column is written in the XLSX: numbers and dates keep their type, the rest is text.
_NUMBER_COLUMNS = {
    "customer_id", "line_position", "quantity", "unit_price", "tax_rate", "subtotal", "tax",
    "total", "payment_id", "payment_amount",
}  # fmt: skip
_DATE_COLUMNS = {"issued_on", "due_on", "received_on"}


def _kinds(columns: tuple[str, ...]) -> list[str]:
    return [
        "number" if name in _NUMBER_COLUMNS else "date" if name in _DATE_COLUMNS else "text"
        for name in columns
    ]


def finance_export_xlsx(export: FinanceExport, output: IO[bytes] | str) -> None:
    """The same records as an XLSX workbook, one sheet per record type, each read with its
    own streamed query and written row by row (`core.spreadsheets.XlsxWorkbook`) to `output`
    (a path or a binary file)."""
    workbook = XlsxWorkbook(output)
    sheets = (
        ("invoices", INVOICE_COLUMNS, (document.record for document in _documents(export))),
        (
            "lines",
            LINE_COLUMNS,
            _document_records(export, with_documents=False),
        ),
        ("payments", PAYMENT_COLUMNS, _payment_records(export)),
        ("refunds", REFUND_COLUMNS, _refund_records(export)),
    )
    for title, columns, records in sheets:
        cells = itemgetter(*(COLUMNS.index(column) for column in columns))
        with workbook.sheet(title, columns, _kinds(columns)) as add:
            for row in records:
                add(cells(row))
    summary: dict[str, list[dict[str, Any]]] = {"total": [], "breakage": []}
    for record in _summary_records(export):
        summary[record["record"]].append(record)
    for record_type, (title, summary_columns) in SUMMARY_SHEETS.items():
        if record_type == "breakage" and not summary[record_type]:
            continue  # written only when the range has prepaid credits
        with workbook.sheet(title, summary_columns, ["typed"] * len(summary_columns)) as add:
            for record in summary[record_type]:
                add([record.get(column) for column in summary_columns])
    workbook.close()
