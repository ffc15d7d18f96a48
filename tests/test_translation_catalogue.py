"""The English catalogue is complete, and the committed django.mo was compiled from it.

Spanish is the source language, so an empty msgstr shows the Spanish text to an English
reader, and a fuzzy entry is left out of the .mo by msgfmt. A .mo that does not carry
exactly the .po's translations means someone edited the .po and forgot compilemessages.
No database: the .po is read by a small parser below (polib is not a dependency) and the
.mo through the standard library's `gettext`.
"""

import gettext
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import translation

from credits.models import CreditAccount

LC_MESSAGES = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_ESCAPE = re.compile(r"\\(.)")
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$")
_PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%%|\{[^{}]*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def key(self) -> str:
        """The entry's original string as a .mo file stores it."""
        original = self.msgid
        if self.msgid_plural is not None:
            original = f"{original}\x00{self.msgid_plural}"
        if self.msgctxt is not None:
            original = f"{self.msgctxt}\x04{original}"
        return original

    @property
    def label(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.line}: {self.msgid!r}{context}"


def _unquote(quoted: str) -> str:
    if len(quoted) < 2 or not quoted.startswith('"') or not quoted.endswith('"'):
        raise ValueError(f"not a quoted PO string: {quoted!r}")
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), quoted[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Active entries of a .po file, header included; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    pending_flags: set[str] = set()
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal current, target
        if current is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if current is not None and current.msgstr:
                finish()
            pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                finish()
            continue
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{path}:{number}: string outside an entry")
            name, index = target
            text = _unquote(line)
            if name == "msgstr":
                current.msgstr[index] += text
            else:
                setattr(current, name, getattr(current, name) + text)
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise ValueError(f"{path}:{number}: cannot parse {raw!r}")
        keyword, index, quoted = match.groups()
        if keyword in ("msgctxt", "msgid") and current is not None and current.msgstr:
            finish()
        if current is None:
            current = Entry(flags=pending_flags, line=number)
            pending_flags = set()
        text = _unquote(quoted)
        if keyword.startswith("msgstr"):
            slot = int(index) if index is not None else 0
            current.msgstr[slot] = text
            target = ("msgstr", slot)
        else:
            setattr(current, keyword, text)
            target = (keyword, None)
    finish()
    return entries


def mo_originals(path: Path) -> set[str]:
    """The original strings a .mo file holds (GNU gettext's binary format)."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _, count, originals_offset = struct.unpack(f"{order}3I", data[4:16])
    originals = set()
    for i in range(count):
        length, offset = struct.unpack(
            f"{order}2I", data[originals_offset + 8 * i : originals_offset + 8 * i + 8]
        )
        originals.add(data[offset : offset + length].decode("utf-8"))
    return originals


def _messages() -> list[Entry]:
    return [entry for entry in parse_po(PO_PATH) if not entry.is_header]


def test_parser_reads_the_catalogue():
    entries = parse_po(PO_PATH)
    assert entries[0].is_header
    assert "Plural-Forms: nplurals=2;" in entries[0].msgstr[0]
    by_msgid = {entry.msgid: entry for entry in entries}
    assert by_msgid["Factura"].msgstr == {0: "Invoice"}
    plural = by_msgid["%(n)s incumplimiento."]
    assert plural.msgid_plural == "%(n)s incumplimientos."
    assert plural.msgstr == {0: "%(n)s breach.", 1: "%(n)s breaches."}
    assert "python-format" in plural.flags
    assert "no disponible" not in by_msgid  # obsolete (#~) entries are not part of it


def test_every_entry_is_translated():
    untranslated = [
        entry.label
        for entry in _messages()
        if not entry.msgstr or any(not text for text in entry.msgstr.values())
    ]
    assert not untranslated, f"{len(untranslated)} entries of {PO_PATH} have an empty msgstr:\n" + (
        "\n".join(untranslated)
    )


def test_no_entry_is_fuzzy():
    fuzzy = [entry.label for entry in _messages() if "fuzzy" in entry.flags]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries in {PO_PATH} (msgfmt leaves them out):\n" + (
        "\n".join(fuzzy)
    )


def test_plural_entries_fill_every_form():
    incomplete = [
        entry.label
        for entry in _messages()
        if entry.msgid_plural is not None and sorted(entry.msgstr) != [0, 1]
    ]
    assert not incomplete, "plural entries without msgstr[0] and msgstr[1]:\n" + (
        "\n".join(incomplete)
    )


def test_translations_keep_the_placeholders():
    broken = []
    for entry in _messages():
        if "python-format" not in entry.flags and "python-brace-format" not in entry.flags:
            continue
        expected = sorted(_PLACEHOLDER.findall(entry.msgid))
        for text in entry.msgstr.values():
            if sorted(_PLACEHOLDER.findall(text)) != expected:
                broken.append(f"{entry.label} -> {text!r}")
    assert not broken, "translations that change the placeholders:\n" + "\n".join(broken)


def test_mo_is_compiled_from_the_po():
    """Run `uv run manage.py compilemessages --ignore=.venv -l en` if this fails."""
    with MO_PATH.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    messages = _messages()

    stale = []
    for entry in messages:
        if entry.msgid_plural is not None:
            got = {
                0: catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
                if entry.msgctxt is not None
                else catalogue.ngettext(entry.msgid, entry.msgid_plural, 1),
                1: catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
                if entry.msgctxt is not None
                else catalogue.ngettext(entry.msgid, entry.msgid_plural, 2),
            }
        elif entry.msgctxt is not None:
            got = {0: catalogue.pgettext(entry.msgctxt, entry.msgid)}
        else:
            got = {0: catalogue.gettext(entry.msgid)}
        if got != entry.msgstr:
            stale.append(f"{entry.label}: .po says {entry.msgstr!r}, .mo says {got!r}")
    assert not stale, f"{MO_PATH} is older than {PO_PATH}; compilemessages:\n" + "\n".join(stale)

    # gettext falls back to the msgid, so an entry whose translation equals its msgid
    # ("Home") passes above even when the .mo lacks it: compare the originals themselves.
    in_po = {entry.key for entry in messages} | {""}
    in_mo = mo_originals(MO_PATH)
    assert in_mo == in_po, (
        f"{MO_PATH} is older than {PO_PATH}; compilemessages. "
        f"Missing from the .mo: {sorted(in_po - in_mo)}; only in the .mo: {sorted(in_mo - in_po)}"
    )


def test_django_serves_the_english_catalogue():
    with translation.override("en"):
        assert translation.gettext("cuenta de créditos") == "credit account"
        assert str(CreditAccount._meta.verbose_name) == "credit account"
        assert str(CreditAccount._meta.verbose_name_plural) == "credit accounts"
    with translation.override("es"):
        assert translation.gettext("cuenta de créditos") == "cuenta de créditos"
