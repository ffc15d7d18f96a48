"""The finance export: records, totals per currency and tax rate, filters, CSV, XLSX,
the command, the view, and flat memory while streaming."""

import csv
import io
import tracemalloc
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db.models import DecimalField, Value
from django.db.models.functions import Cast
from django.utils import translation
from djmoney.money import Money
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing import exports
from billing.exports import (
    COLUMNS,
    _DecimalText,
    finance_export_csv,
    finance_export_get,
    finance_export_records,
    finance_export_rows,
    finance_export_xlsx,
)
from billing.models import Invoice, InvoiceLine, InvoiceSeries, Payment
from billing.services import (
    CreditNoteLine,
    credit_note_issue,
    invoice_add_line,
    invoice_create_draft,
    invoice_issue,
    invoice_void,
    overpayment_settle,
    payment_record,
    refund_issue,
)
from core.errors import InvalidInput
from tests.factories import (
    make_customer,
    make_finance_user,
    make_issued_invoices_bulk,
    make_staff_user,
)

pytestmark = pytest.mark.django_db

NOVEMBER = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


def issue(customer, lines, *, on: date) -> Invoice:
    invoice = invoice_create_draft(customer=customer)
    for description, price, rate in lines:
        invoice_add_line(
            invoice=invoice,
            kind=InvoiceLine.Kind.OTHER,
            description=description,
            quantity=1,
            unit_price=price,
            tax_rate=Decimal(rate),
        )
    return invoice_issue(invoice, issued_on=on)


@pytest.fixture
def documents():
    """November 2026: a COP invoice with a 19 % and a 0 % line, its partial credit note, a
    paid USD invoice, a void COP invoice; and an October invoice outside the range."""
    with time_machine.travel("2026-11-26T15:00:00Z", tick=False):
        andina = make_customer(legal_name="Andina S.A.S.")
        caribe = make_customer(legal_name="Caribe Corp.", currency="USD")
        october = issue(andina, [("Octubre", Money("10000", "COP"), 19)], on=date(2026, 10, 30))
        cop = issue(
            andina,
            [
                ("Cuota del plan", Money("120900", "COP"), 19),
                ("Capacitación exenta", Money("50000", "COP"), 0),
            ],
            on=date(2026, 11, 5),
        )
        note = credit_note_issue(
            invoice=cop,
            reason="Cuota mal liquidada",
            lines=[
                CreditNoteLine(
                    description="Descuento en la cuota",
                    quantity=Decimal(1),
                    unit_price=Money("10000", "COP"),
                    tax_rate=Decimal("19"),
                )
            ],
        )
        usd = issue(caribe, [("Support pack", Money("1000", "USD"), 0)], on=date(2026, 11, 10))
        void = issue(andina, [("Duplicada", Money("30000", "COP"), 19)], on=date(2026, 11, 12))
        invoice_void(void, reason="Emitida dos veces")
        payment = payment_record(
            customer=caribe,
            amount=Money("1000", "USD"),
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref="TRX-1",
            received_on=date(2026, 11, 25),
            invoice=usd,
        )
    return {
        "october": october,
        "cop": cop,
        "note": note,
        "usd": usd,
        "void": void,
        "payment": payment,
        "andina": andina,
        "caribe": caribe,
    }


def records(filters: dict) -> list[dict]:
    return list(finance_export_records(finance_export_get(filters=filters)))


def totals(rows: list[dict]) -> dict[tuple, tuple]:
    return {
        (row["kind"], row["currency"], row["tax_rate"]): (
            Decimal(row["subtotal"]),
            Decimal(row["tax"]),
            Decimal(row["total"]),
        )
        for row in rows
        if row["record"] == "total"
    }


def test_records_come_document_by_document_then_payments_then_totals(documents):
    rows = records(NOVEMBER)

    kinds = [(row["record"], row.get("number", "")) for row in rows if row["record"] != "total"]
    cop, note, usd, void = (documents[k].display_number for k in ("cop", "note", "usd", "void"))
    assert kinds == [
        ("invoice", cop),
        ("line", cop),
        ("line", cop),
        ("invoice", usd),
        ("line", usd),
        ("invoice", void),
        ("line", void),
        ("invoice", note),
        ("line", note),
        ("payment", usd),
    ]
    assert documents["october"].display_number not in {number for _r, number in kinds}
    header = next(row for row in rows if row.get("number") == note and row["record"] == "invoice")
    assert header["kind"] == "credit_note"
    assert header["corrects"] == cop
    assert header["total"] == "11900.00"
    payment = next(row for row in rows if row["record"] == "payment")
    assert payment["payment_amount"] == "1000.00"
    assert payment["received_on"] == "2026-11-25"
    assert payment["payment_reference"] == "TRX-1"


def test_totals_per_currency_and_tax_rate_leave_out_void_and_net_out_credit_notes(documents):
    result = totals(records(NOVEMBER))

    d = Decimal
    # COP 19 %: 120.900 + 22.971; the credit note 10.000 + 1.900; the void invoice left out.
    assert result[("invoice", "COP", "19.00")] == (d("120900"), d("22971"), d("143871"))
    assert result[("credit_note", "COP", "19.00")] == (d("10000"), d("1900"), d("11900"))
    assert result[("net", "COP", "19.00")] == (d("110900"), d("21071"), d("131971"))
    assert result[("invoice", "COP", "0.00")] == (d("50000"), d("0"), d("50000"))
    assert result[("invoice", "COP", "all")] == (d("170900"), d("22971"), d("193871"))
    assert result[("net", "COP", "all")] == (d("160900"), d("21071"), d("181971"))
    assert result[("invoice", "USD", "0.00")] == (d("1000"), d("0"), d("1000"))
    assert result[("credit_note", "USD", "all")] == (d("0"), d("0"), d("0"))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"currency": "USD"}, {"usd"}),
        ({"status": ["void"]}, {"void"}),
        ({"status": ["issued", "paid"], "currency": "COP"}, {"cop", "note"}),
        ({"series": "NC"}, {"note"}),
        ({"kind": "invoice", "currency": "COP"}, {"cop", "void"}),
    ],
)
def test_filters_choose_the_documents(documents, filters, expected):
    rows = records(NOVEMBER | filters)

    numbers = {row["number"] for row in rows if row["record"] == "invoice"}
    assert numbers == {documents[key].display_number for key in expected}


def test_the_customer_filter_applies_to_documents_and_payments(documents):
    andina = records(NOVEMBER | {"customer": str(documents["andina"].pk)})
    caribe = records(NOVEMBER | {"customer": str(documents["caribe"].pk)})

    assert not [row for row in andina if row["record"] == "payment"]
    assert [row["payment_id"] for row in caribe if row["record"] == "payment"] == [
        documents["payment"].pk
    ]
    assert {row["currency"] for row in caribe if row["record"] == "invoice"} == {"USD"}


def test_money_sent_back_is_a_refund_record_the_payment_keeps_what_was_received(documents):
    """An overpayment's excess returned (no credit note) and a refund with a credit note are
    both `refund` records, negative, in the range they were recorded in; the payment stays
    what was received, so payments and refunds add up to the money kept."""
    cop = documents["cop"]
    with time_machine.travel("2026-11-27T15:00:00Z", tick=False):
        over = payment_record(
            customer=cop.customer,
            amount=Money("200000", "COP"),
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref="TRX-OVER",
            received_on=date(2026, 11, 27),
            invoice=cop,
        )
        excess = overpayment_settle(payment=over)
    with time_machine.travel("2026-12-02T15:00:00Z", tick=False):
        later = refund_issue(
            payment=documents["payment"], reason="Servicio no prestado", amount=Money("100", "USD")
        )

    november = records(NOVEMBER)
    money = [row for row in november if row["record"] in {"payment", "refund"}]
    assert [(row["record"], row["payment_id"], row["payment_amount"]) for row in money] == [
        ("payment", documents["payment"].pk, "1000.00"),
        ("payment", over.pk, "200000.00"),
        ("refund", over.pk, "-18029.00"),
    ]
    returned = money[-1]
    assert returned["number"] == cop.display_number
    assert returned["received_on"] == "2026-11-27"
    assert returned["payment_provider"] == "bank_transfer"
    assert returned["customer_id"] == cop.customer_id
    # Kept: the invoice's total less its credit note, what the excess never paid.
    kept = sum(Decimal(row["payment_amount"]) for row in money if row["currency"] == "COP")
    assert kept == cop.total.amount - documents["note"].total.amount
    assert excess.amount == Money("18029", "COP")

    december = records({"date_from": "2026-12-01", "date_to": "2026-12-31"})
    # A refund with a credit note: the note is a document of December, the money a refund.
    assert [
        (r["payment_id"], r["payment_amount"]) for r in december if r["record"] == "refund"
    ] == [(documents["payment"].pk, "-100.00")]
    assert [r["number"] for r in december if r["record"] == "invoice"] == [
        later.credit_note.display_number
    ]
    assert not [r for r in records(NOVEMBER | {"currency": "USD"}) if r["record"] == "refund"]
    andina = records(NOVEMBER | {"customer": str(cop.customer_id)})
    assert [r["payment_id"] for r in andina if r["record"] == "refund"] == [over.pk]
    workbook = io.BytesIO()
    finance_export_xlsx(finance_export_get(filters=NOVEMBER), workbook)
    sheet = openpyxl.load_workbook(workbook, read_only=True)["refunds"]
    header, row = sheet.iter_rows(values_only=True)
    cells = dict(zip(header, row, strict=True))
    assert cells.pop("received_on").date() == date(2026, 11, 27)  # a date cell
    assert cells == {
        "payment_id": over.pk,
        "number": cop.display_number,
        "customer_id": cop.customer_id,
        "buyer_legal_name": "Andina S.A.S.",
        "currency": "COP",
        "payment_provider": "bank_transfer",
        "payment_reference": None,
        "payment_amount": -18029,
    }
    # Chosen by its payment's document, as payments are.
    assert not [r for r in records(NOVEMBER | {"series": "NC"}) if r["record"] == "refund"]


def test_a_refund_is_of_the_customers_day_as_its_credit_note(documents):
    """Recorded at 23:30 on 30 November in Bogotá (04:30 UTC on 1 December): November's, as
    the credit note it comes with."""
    with time_machine.travel("2026-12-01T04:30:00Z", tick=False):
        refund = refund_issue(
            payment=documents["payment"], reason="Servicio no prestado", amount=Money("100", "USD")
        )

    november = records(NOVEMBER)
    assert [r["payment_amount"] for r in november if r["record"] == "refund"] == ["-100.00"]
    assert [r["received_on"] for r in november if r["record"] == "refund"] == ["2026-11-30"]
    assert refund.credit_note.issued_on == date(2026, 11, 30)
    assert refund.credit_note.display_number in {r.get("number") for r in november}


def test_the_document_filters_choose_money_of_documents_issued_before_the_range(documents):
    """October's invoice paid in November: with a series filter, November's export still has
    the payment, and the refund of it."""
    with time_machine.travel("2026-11-20T15:00:00Z", tick=False):
        late = payment_record(
            customer=documents["andina"],
            amount=documents["october"].total,
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref="TRX-OCT",
            received_on=date(2026, 11, 20),
            invoice=documents["october"],
        )
        refund_issue(payment=late, reason="Pagada dos veces", amount=Money("1000", "COP"))

    money = {
        (r["record"], r["payment_id"])
        for r in records(NOVEMBER | {"series": "FV"})
        if r["record"] in {"payment", "refund"}
    }

    assert money == {
        ("payment", documents["payment"].pk),
        ("payment", late.pk),
        ("refund", late.pk),
    }
    october = records({"date_from": "2026-10-01", "date_to": "2026-10-31", "series": "FV"})
    assert not [r for r in october if r["record"] in {"payment", "refund"}]


def test_invalid_filters_are_refused_with_the_field(documents):
    with pytest.raises(InvalidInput) as missing:
        finance_export_get(filters={"date_from": "2026-11-01"})
    with pytest.raises(InvalidInput) as reversed_range:
        finance_export_get(filters={"date_from": "2026-11-30", "date_to": "2026-11-01"})

    assert "date_to" in missing.value.fields
    assert reversed_range.value.fields_in("es") == {
        "date_to": ["La fecha final es anterior a la inicial."]
    }
    assert reversed_range.value.fields_in("en") == {
        "date_to": ["The end date is before the start date."]
    }


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"date_from": "2026-01-01", "date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "0001-01-01", "date_to": "2026-11-30"}, "date_from"),
        ({"date_from": "09/07/2026", "date_to": "2026-11-30"}, "date_from"),
        ({"date_from": "2026-11-01", "date_to": "30.11.2026"}, "date_to"),
    ],
)
@pytest.mark.parametrize("language", ["es", "en"])
def test_dates_are_iso_days_within_the_accepted_years(documents, filters, field, language):
    # A localized form field read 09/07/2026 as 9 July in Spanish, 7 September in English;
    # 9999-12-31 overflowed the day after the range.
    with translation.override(language), pytest.raises(InvalidInput) as caught:
        finance_export_get(filters=filters)
    assert list(caught.value.fields) == [field]


def test_the_api_and_the_page_refuse_a_range_ending_in_9999(client, documents):
    client.force_login(make_finance_user())
    query = "date_from=2026-01-01&date_to=9999-12-31"

    for url in (f"/api/v1/invoices/export/?{query}", f"/billing/finance-export/?{query}"):
        assert client.get(url).status_code == 400, url


def test_the_page_refuses_a_format_it_does_not_write(client, documents):
    client.force_login(make_finance_user())

    response = client.get(
        "/billing/finance-export/?date_from=2026-11-01&date_to=2026-11-30&format=pdf"
    )

    assert response.status_code == 400
    assert "«pdf» no es un formato de exportación: elija CSV o XLSX." in response.text


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_has_the_documented_columns_and_the_same_records(documents):
    export = finance_export_get(filters=NOVEMBER)

    text = "".join(finance_export_csv(export))

    assert text.startswith("\ufeff")
    rows = read_csv(text)
    assert tuple(rows[0].keys()) == COLUMNS
    expected = records(NOVEMBER)
    assert len(rows) == len(expected)
    line = next(row for row in rows if row["record"] == "line")
    assert line["unit_price"] == "120900.00"
    assert line["tax_rate"] == "19.00"
    assert line["quantity"] == "1.0000"
    net = next(
        row
        for row in rows
        if row["record"] == "total"
        and (row["kind"], row["currency"], row["tax_rate"]) == ("net", "COP", "19.00")
    )
    assert (net["subtotal"], net["tax"], net["total"]) == ("110900.00", "21071.00", "131971.00")
    # The README documents every column.
    with open("README.md", encoding="utf-8") as readme:
        documented = readme.read().split("## Finance export", 1)[1]
    for column in COLUMNS:
        assert f"`{column}`" in documented


def csv_writer_text(export) -> str:
    expected = io.StringIO()
    expected.write("\ufeff")
    writer = csv.writer(expected)
    writer.writerow(COLUMNS)
    writer.writerows(finance_export_rows(export))
    return expected.getvalue()


@pytest.fixture
def awkward_documents(documents):
    """The fixture's documents, and: text holding what the csv writer quotes, a line kind no
    choice has (the column has no constraint), documents without lines before, between and
    after the others, and a series prefix with a comma and a quote."""
    with time_machine.travel("2026-11-26T15:00:00Z", tick=False):
        customer = make_customer(legal_name='Soporte "Andino", S.A.S.')
        for day in (1, 11, 30):
            make_issued_invoices_bulk(
                customer,
                invoices=1,
                lines_per_invoice=0,
                unit_price=Money("1", "COP"),
                issued_on=date(2026, 11, day),
            )
        draft = invoice_create_draft(customer=customer)
        for description in ('Horas, "urgentes"', "Primera línea\nsegunda\r", "=1+1,2", '"'):
            invoice_add_line(
                invoice=draft,
                kind=InvoiceLine.Kind.OTHER,
                description=description,
                quantity=1,
                unit_price=Money("1000", "COP"),
                tax_rate=Decimal(19),
            )
        InvoiceLine.objects.filter(invoice=draft, position=2).update(kind='=x,"y')
        invoice_issue(draft, issued_on=date(2026, 11, 15))
    InvoiceSeries.objects.update(prefix='F,"')
    return documents


def test_the_csv_is_the_csv_writer_over_the_records_to_the_byte(awkward_documents):
    export = finance_export_get(filters=NOVEMBER)

    # when the CSV is written, its lines' cells by the database
    text = "".join(finance_export_csv(export))

    # then it is Python's csv writer over the records, quotes, line breaks and all
    assert text == csv_writer_text(export)
    assert '"Primera línea\nsegunda\r"' in text
    assert '"\'=1+1,2"' in text
    assert ',"\'=x,""y",' in text
    assert '""""' in text
    # and each document is followed by its own lines, none by another's
    expected = []
    documents = export.invoices.order_by("issued_on", "series__code", "number", "pk")
    for document in documents.prefetch_related("lines"):
        expected.append(("invoice", document.display_number, ""))
        expected += [
            ("line", document.display_number, line.description) for line in document.lines.all()
        ]
    rows = [row for row in read_csv(text) if row["record"] in ("invoice", "line")]
    written = [(row["record"], row["number"], row["description"].lstrip("'")) for row in rows]
    assert written == expected
    assert sum(1 for record, *_ in expected if record == "line") == 9
    # the documents of 1 and 30 November, first and last, have no lines
    assert [record for record, *_ in expected[:2]] == ["invoice", "invoice"]
    assert expected[-1][0] == "invoice"


def test_the_csv_pieces_join_to_the_same_text_however_small(awkward_documents, monkeypatch):
    export = finance_export_get(filters=NOVEMBER)
    whole = "".join(finance_export_csv(export))

    monkeypatch.setattr(exports, "_CSV_PIECE", 1)
    pieces = list(finance_export_csv(export))

    assert "".join(pieces) == whole
    # a piece after each document (the first with the header) and after each later record
    records = len(read_csv(whole))
    documents = export.invoices.count()
    lines = InvoiceLine.objects.filter(invoice__in=export.invoices).count()
    assert len(pieces) == documents + (records - documents - lines)


def _rate(value) -> Decimal | str:
    return value if value == "all" else Decimal(str(value))


def test_the_command_writes_csv_and_xlsx_with_the_same_totals(documents, tmp_path):
    csv_path = tmp_path / "november.csv"
    xlsx_path = tmp_path / "november.xlsx"
    args = ["--from", "2026-11-01", "--to", "2026-11-30"]

    call_command("export_finance", *args, "--output", str(csv_path), stderr=io.StringIO())
    call_command(
        "export_finance",
        *args,
        "--format",
        "xlsx",
        "--output",
        str(xlsx_path),
        stderr=io.StringIO(),
    )
    out = io.StringIO()
    call_command("export_finance", *args, "--currency", "USD", stdout=out)

    csv_rows = read_csv(csv_path.read_text(encoding="utf-8"))
    workbook = openpyxl.load_workbook(xlsx_path, read_only=True)
    assert workbook.sheetnames == ["invoices", "lines", "payments", "refunds", "totals"]
    sheet_rows = list(workbook["totals"].iter_rows(values_only=True))
    header, body = sheet_rows[0], sheet_rows[1:]
    xlsx_totals = {
        (row[0], row[1], _rate(row[2])): tuple(Decimal(str(v)) for v in row[3:]) for row in body
    }
    assert header == ("kind", "currency", "tax_rate", "subtotal", "tax", "total")
    csv_totals = {
        (row["kind"], row["currency"], _rate(row["tax_rate"])): tuple(
            Decimal(row[name]) for name in ("subtotal", "tax", "total")
        )
        for row in csv_rows
        if row["record"] == "total"
    }
    assert xlsx_totals == csv_totals
    lines = list(workbook["lines"].iter_rows(values_only=True))
    assert len(lines) - 1 == sum(1 for row in csv_rows if row["record"] == "line")
    usd_rows = read_csv(out.getvalue())
    assert {row["currency"] for row in usd_rows} == {"USD"}
    with pytest.raises(CommandError, match="--output is required"):
        call_command("export_finance", *args, "--format", "xlsx")
    with pytest.raises(CommandError, match="date_to"):
        call_command("export_finance", "--from", "2026-11-30", "--to", "2026-11-01")


def test_the_view_streams_csv_and_serves_xlsx_to_finance_users_only(client, documents):
    query = "?date_from=2026-11-01&date_to=2026-11-30"

    client.force_login(make_staff_user(is_superuser=False))
    assert client.get(f"/billing/finance-export/{query}").status_code == 403
    client.force_login(make_finance_user())
    assert client.get("/billing/finance-export/").status_code == 200
    response = client.get(f"/billing/finance-export/{query}")
    assert response.status_code == 200
    assert response.streaming
    rows = read_csv(b"".join(response.streaming_content).decode())
    assert len(rows) == len(records(NOVEMBER))
    xlsx = client.get(f"/billing/finance-export/{query}&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert workbook["invoices"].max_row - 1 == sum(1 for r in rows if r["record"] == "invoice")
    assert client.get("/billing/finance-export/?date_from=2026-11-01").status_code == 400


def _peak_while_streaming(filters: dict) -> tuple[int, int]:
    export = finance_export_get(filters=filters)
    count = 0
    tracemalloc.start()
    try:
        for piece in finance_export_csv(export):
            count += piece.count("\n")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def test_streaming_memory_does_not_grow_with_the_number_of_lines():
    # given 2,000 lines in October and 20,000 in November
    customer = make_customer()
    price = Money("1000", "COP")
    make_issued_invoices_bulk(
        customer, invoices=20, lines_per_invoice=100, unit_price=price, issued_on=date(2026, 10, 5)
    )
    make_issued_invoices_bulk(
        customer, invoices=100, lines_per_invoice=200, unit_price=price, issued_on=date(2026, 11, 5)
    )

    # when each month is streamed
    small_rows, small_peak = _peak_while_streaming(
        {"date_from": "2026-10-01", "date_to": "2026-10-31"}
    )
    large_rows, large_peak = _peak_while_streaming(NOVEMBER)

    # then ten times the lines needs about the same memory, not ten times as much
    assert small_rows > 2000
    assert large_rows > 20000
    assert large_peak < 2 * small_peak


def test_text_that_a_spreadsheet_would_run_is_neutralized_and_numbers_stay_numbers(client):
    # given a customer and a line whose text starts like a formula, and a credit note
    with time_machine.travel("2026-11-20T15:00:00Z", tick=False):
        customer = make_customer(legal_name='=HYPERLINK("http://evil.example","x")')
        invoice = issue(customer, [("@SUM(1+1)", Money("1000", "COP"), 19)], on=date(2026, 11, 5))
        credit_note_issue(
            invoice=invoice,
            reason="Descuento",
            lines=[
                CreditNoteLine(
                    description="-2+3",
                    quantity=Decimal(1),
                    unit_price=Money("100", "COP"),
                    tax_rate=Decimal("19"),
                )
            ],
        )
    query = "?date_from=2026-11-01&date_to=2026-11-30"
    client.force_login(make_finance_user())

    # when the CSV and the XLSX are downloaded
    csv_rows = read_csv(
        b"".join(client.get(f"/billing/finance-export/{query}").streaming_content).decode()
    )
    xlsx = client.get(f"/billing/finance-export/{query}&format=xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))

    # then the text starts with a quote, in the CSV and as XLSX string cells
    names = {r["buyer_legal_name"] for r in csv_rows if r["record"] == "invoice"}
    assert names == {'\'=HYPERLINK("http://evil.example","x")'}
    descriptions = {r["description"] for r in csv_rows if r["record"] == "line"}
    assert descriptions == {"'@SUM(1+1)", "'-2+3"}
    sheet = workbook["invoices"]
    header = [cell.value for cell in sheet[1]]
    name_cells = [row[header.index("buyer_legal_name")] for row in sheet.iter_rows(min_row=2)]
    assert {cell.value for cell in name_cells} == {'\'=HYPERLINK("http://evil.example","x")'}
    assert {cell.data_type for cell in name_cells} == {"s"}
    lines = workbook["lines"]
    line_header = [cell.value for cell in lines[1]]
    cells = [row[line_header.index("description")] for row in lines.iter_rows(min_row=2)]
    assert {(c.value, c.data_type) for c in cells} == {("'@SUM(1+1)", "s"), ("'-2+3", "s")}
    # negative totals stay numbers, in the CSV (no quote) and the XLSX (numeric cells)
    net = [r for r in csv_rows if r["record"] == "total" and r["kind"] == "net"]
    assert net
    totals_sheet = workbook["totals"]
    total_header = [cell.value for cell in totals_sheet[1]]
    kinds = [row[total_header.index("kind")].value for row in totals_sheet.iter_rows(min_row=2)]
    assert "credit_note" in kinds
    subtotal_cells = [row[line_header.index("subtotal")] for row in lines.iter_rows(min_row=2)]
    assert all(cell.data_type == "n" for cell in subtotal_cells)
    assert not any(r["subtotal"].startswith("'") for r in csv_rows if r["subtotal"])


def test_fractional_quantities_and_amounts_keep_their_places_and_every_text_is_neutralized():
    # given a line of 2.5 hours at 1234.56 with 16 % tax, text starting with a tab and a
    # carriage return, and a payment whose reference starts like a formula
    with time_machine.travel("2026-11-26T15:00:00Z", tick=False):
        customer = make_customer(legal_name="Andina S.A.S.", currency="USD", tax_id="+57 900")
        invoice = invoice_create_draft(customer=customer)
        for description, quantity, price, rate in [
            ("\tHoras de soporte", "2.5", "1234.56", "16"),
            ("\rSoporte -1", "0.0001", "0.01", "0"),
        ]:
            invoice_add_line(
                invoice=invoice,
                kind=InvoiceLine.Kind.OTHER,
                description=description,
                quantity=Decimal(quantity),
                unit_price=Money(price, "USD"),
                tax_rate=Decimal(rate),
            )
        invoice = invoice_issue(invoice, issued_on=date(2026, 11, 5))
        payment_record(
            customer=customer,
            amount=Money("10.05", "USD"),
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref="=1+1",
            received_on=date(2026, 11, 25),
            invoice=invoice,
        )

    # when the range is exported as CSV
    rows = read_csv("".join(finance_export_csv(finance_export_get(filters=NOVEMBER))))

    # then every amount is written with its column's places, from what the database holds
    document = next(row for row in rows if row["record"] == "invoice")
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (document["subtotal"], document["tax"], document["total"]) == (
        f"{stored.subtotal.amount:.2f}",
        f"{stored.tax.amount:.2f}",
        f"{stored.total.amount:.2f}",
    )
    assert document["subtotal"] == "3086.40"
    assert document["buyer_tax_id"] == "'+57 900"
    lines = [row for row in rows if row["record"] == "line"]
    assert [
        (line["description"], line["quantity"], line["unit_price"], line["tax_rate"])
        for line in lines
    ] == [
        ("'\tHoras de soporte", "2.5000", "1234.56", "16.00"),
        ("'\rSoporte -1", "0.0001", "0.01", "0.00"),
    ]
    assert [(line["subtotal"], line["tax"], line["total"]) for line in lines] == [
        ("3086.40", "493.82", "3580.22"),
        ("0.00", "0.00", "0.00"),
    ]
    (payment,) = [row for row in rows if row["record"] == "payment"]
    assert (payment["payment_reference"], payment["payment_amount"]) == ("'=1+1", "10.05")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    amount=st.decimals(min_value=-(10**12) + 1, max_value=10**12 - 1, places=2),
    quantity=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999999.9999"), places=4),
)
def test_the_database_writes_every_decimal_with_its_places(amount, quantity):
    # The export's decimal text, as the database writes it from a money column (max_digits
    # 14, two places) and a line's quantity column (12, four places), against Python's own.
    money = DecimalField(max_digits=14, decimal_places=2)
    quantities = InvoiceLine._meta.get_field("quantity")
    written = (
        ContentType.objects.annotate(
            amount_text=_DecimalText(Cast(Value(amount), money), 2),
            quantity_text=_DecimalText(Cast(Value(quantity), quantities), 4),
        )
        .values_list("amount_text", "quantity_text")
        .first()
    )
    assert written == (f"{amount + 0:.2f}", f"{quantity:.4f}")
