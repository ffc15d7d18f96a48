"""The two languages Creditdesk speaks, and how any code finds out which one to use.

Spanish is the source language and the fallback: a missing, unknown or regional code
("es-co", "pt") reads as Spanish unless it is English ("en", "en-us").
"""

from django.utils import translation

SPANISH = "es"
ENGLISH = "en"
LANGUAGES = (SPANISH, ENGLISH)


def language_code(language: str | None = None) -> str:
    """`language`, else the active one, as "es" or "en"."""
    code = (language or translation.get_language() or SPANISH)[:2].lower()
    return code if code in LANGUAGES else SPANISH


def in_language(spanish: str, english: str, language: str | None = None) -> str:
    """The text for the reader; Spanish when there is no English text."""
    return english if language_code(language) == ENGLISH and english else spanish
