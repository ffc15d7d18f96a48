"""Cells for CSV and XLSX exports that a spreadsheet never runs as a formula.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (OWASP "CSV injection"). Every export
passes its text through `spreadsheet_safe`, which prefixes such text with a single quote;
numbers (int, Decimal) are never text and stay numbers. `spreadsheet_safe_column` is the same
rule written by the database, for a text column read straight into an export's rows.

`csv_cell_column` and `csv_row_column` have the database write a row's cells as Python's `csv`
writer would, so a long export's rows come out of the query as CSV text.

`XlsxWorkbook` writes an XLSX workbook row by row in constant memory, every text cell through
`spreadsheet_safe` and always as a string cell.
"""

import operator
import zipfile
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from functools import reduce
from typing import IO, Any
from xml.sax.saxutils import escape

from django.db.models import Case, CharField, F, Func, Q, Value, When
from django.db.models.functions import Concat, Left, Replace, StrIndex
from django.db.models.lookups import GreaterThan, In

from core.text import without_control_characters

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value` unchanged unless it is text a spreadsheet would run; then `'` + text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe_column(name: str) -> Case:
    """The text column `name` as `spreadsheet_safe` would return it, computed in the query: a
    call per cell in Python was a tenth of a hundred-thousand-line export's time."""
    return _neutralized(F(name))


def _neutralized(text: Any) -> Case:
    return Case(
        When(In(Left(text, 1), FORMULA_STARTS), then=Concat(Value("'"), text)),
        default=text,
        output_field=CharField(),
    )


# Python's csv writer (the excel dialect, minimal quoting) puts a cell holding any of these in
# quotes and doubles its quotes.
CSV_QUOTED = (",", '"', "\r", "\n")


def csv_cell_column(name: str) -> Case:
    """The text column `name`, made `spreadsheet_safe`, as Python's csv writer writes it as a
    cell: in quotes, its quotes doubled, when it holds a comma, a quote or a line break; as it
    is otherwise. The column is tested as it is, before neutralizing: the neutralizing quote
    is none of the quoted characters, and a query testing the neutralized text computed it
    once per test (an export's line query took a fifth longer)."""
    column = F(name)
    holds_quoted = reduce(
        operator.or_, (Q(GreaterThan(StrIndex(column, Value(c)), 0)) for c in CSV_QUOTED)
    )
    # A doubled quote is not a formula start: neutralizing after doubling is the same.
    quoted = Concat(Value('"'), _neutralized(Replace(column, Value('"'), Value('""'))), Value('"'))
    return Case(When(holds_quoted, then=quoted), default=_neutralized(column))


def csv_row_column(*cells: Any) -> Func:
    """The cells joined by commas, as the csv writer joins a row's cells. Each is text that
    needs no quotes (a number's, a date's) or passed through `csv_cell_column`; none is null."""
    return _CommaJoined(*cells)


class _CommaJoined(Func):
    # One flat chain of `||`: Django's Concat nests a pair per argument, deeper than SQLite's
    # parser takes for a row of cells ("parser stack overflow").
    template = "(%(expressions)s)"
    arg_joiner = " || ',' || "
    output_field = CharField()


# An XLSX workbook written row by row, in constant memory, fast enough for a 100,000-line
# export (openpyxl's write-only mode builds a cell object per value: 3,000 lines/s here).
# The minimum a spreadsheet needs (ECMA-376 SpreadsheetML): a zip holding the content types,
# the workbook, its sheets and one date style. Text goes inline (`inlineStr`), so nothing is
# kept for a shared-strings table; each sheet is compressed as it is written.

# Excel's day 0 is 1899-12-30 (its day 60, 1900-02-29, never existed).
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
_EMPTY_CELL = "<c/>"
_SPREADSHEETML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_ROWS_PER_WRITE = 2000


def _text_cell(value: Any) -> str:
    if value is None:
        return _EMPTY_CELL
    text = without_control_characters(spreadsheet_safe(str(value)))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _number_cell(value: Any) -> str:
    # The number's text as the database or Decimal wrote it ("120900.00"), never a float's.
    return _EMPTY_CELL if value is None else f"<c><v>{value}</v></c>"


def _date_cell(value: Any) -> str:
    if value is None:
        return _EMPTY_CELL
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f'<c s="1"><v>{day.toordinal() - _EXCEL_EPOCH}</v></c>'


def _typed_cell(value: Any) -> str:
    if value is None or isinstance(value, str):
        return _text_cell(value)
    if isinstance(value, date):
        return _date_cell(value)
    if isinstance(value, Decimal):
        return _number_cell(format(value, "f"))
    if isinstance(value, int):
        return _number_cell(value)
    return _text_cell(value)


CELL_WRITERS: dict[str, Callable[[Any], str]] = {
    "text": _text_cell,
    "number": _number_cell,
    "date": _date_cell,
    "typed": _typed_cell,
}


class XlsxWorkbook:
    """Write sheets one after the other: `with workbook.sheet(title, header, kinds) as add:`
    then `add(row)` per row. A cell's kind says how its value is written: "text" (always a
    string cell, made `spreadsheet_safe`), "number" (an int or a number's text), "date" (a
    date or its ISO text, shown as yyyy-mm-dd), "typed" (by the value's Python type)."""

    def __init__(self, output: IO[bytes] | str) -> None:
        self._zip = zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._titles: list[str] = []

    def sheet(self, title: str, header: Sequence[str], kinds: Sequence[str]) -> "_Sheet":
        self._titles.append(title)
        return _Sheet(self._zip, len(self._titles), header, kinds)

    def close(self) -> None:
        sheets = "".join(
            f'<sheet name="{escape(title)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, title in enumerate(self._titles, start=1)
        )
        relationships = "".join(
            f'<Relationship Id="rId{n}" Type="{_RELATIONSHIPS}/worksheet" '
            f'Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(self._titles) + 1)
        )
        styles_id = len(self._titles) + 1
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in range(1, len(self._titles) + 1)
        )
        parts = {
            "[Content_Types].xml": (
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/styles.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                f"{overrides}</Types>"
            ),
            "_rels/.rels": (
                f'<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
                f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" '
                'Target="xl/workbook.xml"/></Relationships>'
            ),
            "xl/workbook.xml": (
                f'<workbook xmlns="{_SPREADSHEETML}" xmlns:r="{_RELATIONSHIPS}">'
                f"<sheets>{sheets}</sheets></workbook>"
            ),
            "xl/_rels/workbook.xml.rels": (
                f'<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">{relationships}'
                f'<Relationship Id="rId{styles_id}" Type="{_RELATIONSHIPS}/styles" '
                'Target="styles.xml"/></Relationships>'
            ),
            # Style 1: dates as yyyy-mm-dd (number format 164, the first custom one).
            "xl/styles.xml": (
                f'<styleSheet xmlns="{_SPREADSHEETML}">'
                '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
                '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
                '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
                '<borders count="1"><border/></borders>'
                '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
                '<cellXfs count="2"><xf/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs>'
                '<cellStyles count="1">'
                '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                "</styleSheet>"
            ),
        }
        for name, xml in parts.items():
            self._zip.writestr(name, _XML_DECLARATION + xml)
        self._zip.close()


_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class _Sheet:
    def __init__(
        self, archive: zipfile.ZipFile, number: int, header: Sequence[str], kinds: Sequence[str]
    ) -> None:
        self._archive = archive
        self._number = number
        self._header = header
        self._writers = [CELL_WRITERS[kind] for kind in kinds]
        self._pending: list[str] = []

    def __enter__(self) -> Callable[[Sequence[Any]], None]:
        self._file = self._archive.open(f"xl/worksheets/sheet{self._number}.xml", "w")
        self._file.write(
            (f'{_XML_DECLARATION}<worksheet xmlns="{_SPREADSHEETML}"><sheetData>').encode()
        )
        self._pending.append(self._row([_text_cell(name) for name in self._header]))
        return self.add

    def add(self, row: Sequence[Any]) -> None:
        self._pending.append(
            self._row([write(value) for write, value in zip(self._writers, row, strict=True)])
        )
        if len(self._pending) >= _ROWS_PER_WRITE:
            self._flush()

    @staticmethod
    def _row(cells: list[str]) -> str:
        return "<row>" + "".join(cells) + "</row>"

    def _flush(self) -> None:
        self._file.write("".join(self._pending).encode())
        self._pending.clear()

    def __exit__(self, *exc_info: object) -> None:
        self._pending.append("</sheetData></worksheet>")
        self._flush()
        self._file.close()
