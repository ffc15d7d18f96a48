"""Cells for CSV and XLSX exports that a spreadsheet never runs as a formula.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (OWASP "CSV injection"). Every export
passes its text through `spreadsheet_safe`, which prefixes such text with a single quote;
numbers (int, Decimal) are never text and stay numbers.
"""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value` unchanged unless it is text a spreadsheet would run; then `'` + text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
