"""Canned replies' placeholders: which exist, how a text is checked, how it is filled in.

A placeholder is a name in braces. Spanish names are the source; English aliases mean the
same: {cliente} / {customer} the customer's name, {ticket} the ticket's number, {vence} /
{due} the ticket's next SLA due time in the customer's zone and language. Any other name in
braces is refused when the reply is saved (`placeholder_errors`, asked by
`CannedReply.clean`), so an agent never sends "{clinte}" to a customer.

Pure text functions: the values come from `tickets.selectors.canned_reply_values`.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.formatting import moment_text
from core.languages import language_code

# placeholder name -> the value it stands for
PLACEHOLDERS = {
    "cliente": "customer",
    "customer": "customer",
    "ticket": "ticket",
    "vence": "due",
    "due": "due",
}

_PLACEHOLDER = re.compile(r"\{([^{}\n]{0,40})\}")


def placeholders_in(text: str) -> list[str]:
    """Every name in braces in `text`, in order."""
    return [match[1] for match in _PLACEHOLDER.finditer(text)]


def placeholder_errors(text: str) -> ValidationError | None:
    """None when every placeholder in `text` is known; otherwise the error naming them."""
    unknown = sorted({name for name in placeholders_in(text) if name not in PLACEHOLDERS})
    if not unknown:
        return None
    return ValidationError(
        _("Marcador desconocido: %(unknown)s. Use {cliente}, {ticket} o {vence}."),
        code="unknown_placeholder",
        params={"unknown": ", ".join("{" + name + "}" for name in unknown)},
    )


def expand(text: str, values: dict[str, str]) -> str:
    """`text` with each known placeholder replaced by its value (`values` is keyed by what a
    placeholder stands for: customer, ticket, due); anything else is left as written."""

    def fill(match: re.Match) -> str:
        meaning = PLACEHOLDERS.get(match[1])
        return values.get(meaning, match[0]) if meaning else match[0]

    return _PLACEHOLDER.sub(fill, text)


def due_text(due_at: datetime | None, *, zone: ZoneInfo, language: str) -> str:
    """A due time as the customer reads it (`core.formatting.moment_text`): "jueves 3 de
    diciembre, 10:00 (hora de Caracas)", "Thursday 3 December, 10:00 (Caracas time)"."""
    if due_at is None:
        return "no pending due time" if language_code(language) == "en" else "sin plazo pendiente"
    return moment_text(due_at, zone, language_code(language))
