"""Control characters: nobody types one (tab and line ends apart), and XML, which the status
feed and the XLSX exports are written in, cannot carry one, so a text holding one fails
whatever writes it. Services refuse them in what people publish; writers of XML leave out
any that older rows still hold."""

import re

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
