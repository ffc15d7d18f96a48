"""Control characters: nobody types one (tab and line ends apart), and XML, which the status
feed and the XLSX exports are written in, cannot carry one, so a text holding one fails
whatever writes it. Services refuse them in what people publish; writers of XML leave out
any that older rows still hold."""

import re
from typing import Any

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def has_control_characters(text: str) -> bool:
    # isprintable() is False for tabs and line ends too, but it is the cheap test most
    # texts pass; the expression decides the rest.
    return not text.isprintable() and CONTROL_CHARACTERS.search(text) is not None


def one_line(text: str) -> str:
    """`text` with every run of whitespace, line breaks among them, as one space: for a
    text that becomes a mail's header (a ticket's subject), where a line break is refused."""
    return " ".join(text.split())


def without_control_characters(text: str) -> str:
    return text if text.isprintable() else CONTROL_CHARACTERS.sub("", text)


_ROW_ID = re.compile(r"[0-9]{1,19}")
ROW_ID_MAX = 2**63 - 1  # the largest id a (big) integer column holds


def row_id(value: Any) -> int | None:
    """The row id `value` names (a form's choice, a URL's part, a provider's metadata), or
    None for anything else: only ASCII digits, within what the column holds. str.isdigit()
    takes "²" too, which int() refuses, and a number past the column's range is refused by
    SQLite's driver before any query."""
    text = str(value)
    if not _ROW_ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= ROW_ID_MAX else None
