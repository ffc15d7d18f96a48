"""The XLSX writer of the exports, read back with openpyxl as a spreadsheet would; the cells
the database writes for exports, against Python's own `spreadsheet_safe` and csv writer."""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, F, Value
from hypothesis import given, settings
from hypothesis import strategies as st

from core.spreadsheets import (
    CSV_QUOTED,
    FORMULA_STARTS,
    XlsxWorkbook,
    csv_cell_column,
    csv_row_column,
    spreadsheet_safe,
    spreadsheet_safe_column,
)


def read_back(write) -> openpyxl.Workbook:
    output = io.BytesIO()
    workbook = XlsxWorkbook(output)
    write(workbook)
    workbook.close()
    output.seek(0)
    return openpyxl.load_workbook(output)


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=SUM(1+1)", "'=SUM(1+1)"),
        ("+57 300", "'+57 300"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_text_a_spreadsheet_would_run_gets_a_quote(text, safe):
    assert spreadsheet_safe(text) == safe


def test_numbers_are_never_quoted():
    assert spreadsheet_safe(Decimal("-5.00")) == Decimal("-5.00")
    assert spreadsheet_safe(-5) == -5


def test_sheets_keep_their_order_titles_and_cells_with_their_types():
    def write(workbook):
        with workbook.sheet("lines", ["text", "amount", "day"], ["text", "number", "date"]) as add:
            add(["Soporte remoto", "120900.00", "2026-11-05"])
            add([None, None, None])
            add(['=HYPERLINK("http://x")', 7, date(2026, 12, 31)])
        with workbook.sheet("totals", ["kind", "rate", "total"], ["typed"] * 3) as add:
            add(["net", "all", Decimal("-10.50")])
            add(["invoice", Decimal("19.00"), 3])

    result = read_back(write)

    assert result.sheetnames == ["lines", "totals"]
    rows = list(result["lines"].iter_rows(values_only=True))
    assert rows[0] == ("text", "amount", "day")
    assert rows[1][:2] == ("Soporte remoto", 120900)
    assert rows[1][2].date() == date(2026, 11, 5)
    assert rows[2] == (None, None, None)
    assert rows[3][:2] == ('\'=HYPERLINK("http://x")', 7)
    assert rows[3][2].date() == date(2026, 12, 31)
    cells = next(result["lines"].iter_rows(min_row=2, max_row=2))
    assert [cell.data_type for cell in cells] == ["s", "n", "d"]
    assert cells[2].number_format == "yyyy-mm-dd"
    totals = list(result["totals"].iter_rows(values_only=True))
    assert totals[1:] == [("net", "all", -10.5), ("invoice", 19, 3)]


def test_markup_and_control_characters_cannot_break_the_file():
    def write(workbook):
        with workbook.sheet("t", ["a"], ["text"]) as add:
            add(["<b>A & B</b>\x00\x0b\x1f tab\tand\nnewline "])
            add(["ñandú, 10 %"])

    rows = list(read_back(write)["t"].iter_rows(values_only=True))

    assert rows[1] == ("<b>A & B</b> tab\tand\nnewline ",)
    assert rows[2] == ("ñandú, 10 %",)


def test_rows_are_written_as_they_come_in_constant_memory():
    # Many rows: the sheet is flushed to the compressed entry in batches, never held.
    output = io.BytesIO()
    workbook = XlsxWorkbook(output)
    with workbook.sheet("big", ["n", "text"], ["number", "text"]) as add:
        for n in range(25_000):
            add([n, f"línea {n}"])
    workbook.close()

    archive = zipfile.ZipFile(io.BytesIO(output.getvalue()))
    sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    assert sheet.compress_size < sheet.file_size / 5
    output.seek(0)
    rows = list(openpyxl.load_workbook(output, read_only=True)["big"].iter_rows(values_only=True))
    assert len(rows) == 25_001
    assert rows[-1] == (24_999, "línea 24999")


@pytest.mark.django_db
@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20))
def test_the_database_neutralizes_text_as_spreadsheet_safe_does(text):
    # Starts of formulas are drawn often: they are the cases that matter.
    for start in ("", *FORMULA_STARTS):
        value = start + text
        written = (
            ContentType.objects.annotate(text=Value(value, CharField()))
            .annotate(safe=spreadsheet_safe_column("text"))
            .values_list("safe", flat=True)
            .first()
        )
        assert written == spreadsheet_safe(value)


def csv_text(row: list) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(row)
    return buffer.getvalue()


# Text drawn with what the csv writer quotes and what starts a formula often among the rest.
export_text = st.text(
    alphabet=st.one_of(
        st.sampled_from([*CSV_QUOTED, *FORMULA_STARTS, "'", " "]),
        st.characters(codec="utf-8", exclude_characters="\x00"),
    ),
    max_size=20,
)


@pytest.mark.django_db
@settings(max_examples=300, deadline=None)
@given(text=export_text, other=export_text, number=st.integers(0, 10**6))
def test_the_database_writes_a_row_of_cells_as_the_csv_writer_does(text, other, number):
    # A row of two neutralized text cells and a number's text, as one column of CSV text.
    row = (
        ContentType.objects.annotate(
            text=Value(text, CharField()),
            other=Value(other, CharField()),
            number=Value(str(number), CharField()),
        )
        .annotate(
            row=csv_row_column(csv_cell_column("text"), F("number"), csv_cell_column("other"))
        )
        .values_list("row", flat=True)
        .first()
    )

    expected = [spreadsheet_safe(text), str(number), spreadsheet_safe(other)]
    assert row + "\r\n" == csv_text(expected)
    assert next(csv.reader(io.StringIO(row))) == expected
