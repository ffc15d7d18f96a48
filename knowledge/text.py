"""What a typed search becomes before either database sees it: no ORM, no SQL.

A customer types "¿Cómo creo cuentas de correo?" or "como crear cuenta correo" (accents and
capitals are optional on a phone). Both backends get the same words out of it: folded to
lower case without accents, without the stop words of the reader's language ("como", "de",
"the"), at most `MAX_TERMS` words of at most `MAX_TERM_LENGTH` letters each, from at most
`MAX_QUERY_LENGTH` characters of input. Longer input is cut, never refused: it is a search
box, and the suggestions are asked on every key stroke.

Each backend then matches the words its own way (`knowledge.search`): PostgreSQL stems them
with its Spanish or English dictionary; SQLite's FTS5 has no Spanish stemmer, so `prefix`
cuts the common endings off and FTS5 matches the rest as a prefix ("cuentas" -> "cuent*"
finds "cuenta"; "configuración" -> "configur*" finds "configurar").
"""

import re
import unicodedata

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
MAX_TERM_LENGTH = 40

_SPANISH_STOP_WORDS = """
        a al algo algun alguna algunas alguno algunos ante antes asi aun cada como con
        contra cual cuales cuando de del desde donde dos e el ella ellas ellos en entre era
        es esa esas ese eso esos esta estan estas este esto estos fue ha hace hay la las le
        les lo los mas me mi mis mucho muy ni no nos nosotros o os otra otro para pero poco
        por porque puedo puede que quien se ser si sin sobre son su sus tambien te tengo
        tiene tu tus un una uno unos unas y ya yo"""
_ENGLISH_STOP_WORDS = """
        a about after all also am an and any are as at be been but by can cannot could
        do does for from had has have how i if in into is it its me my no not of on or our
        so than that the their them then there these they this to too up us was we were
        what when where which who why will with would you your"""
STOP_WORDS = {
    "es": frozenset(_SPANISH_STOP_WORDS.split()),
    "en": frozenset(_ENGLISH_STOP_WORDS.split()),
}

# Endings cut before a prefix match, longest first; a stem keeps at least MIN_STEM letters.
ENDINGS = {
    "es": (
        "aciones",
        "iciones",
        "amientos",
        "imientos",
        "amiento",
        "imiento",
        "idades",
        "mente",
        "acion",
        "icion",
        "ables",
        "ibles",
        "iendo",
        "ieron",
        "adoras",
        "adores",
        "adora",
        "ador",
        "ando",
        "aron",
        "idad",
        "able",
        "ible",
        "ados",
        "idos",
        "adas",
        "idas",
        "ado",
        "ido",
        "ada",
        "ida",
        "ar",
        "er",
        "ir",
        "es",
        "os",
        "as",
        "s",
        "a",
        "o",
        "e",
        "r",
    ),
    "en": ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s", "e", "y"),
}
MIN_STEM = 4

_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case without accents ("Contraseña" -> "contrasena")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def query_terms(query: str, *, language: str) -> list[str]:
    """The words a search looks for, in typed order, each once (see the module docstring)."""
    stop = STOP_WORDS.get(language, STOP_WORDS["es"])
    terms: list[str] = []
    for word in _WORD.findall(fold(query[:MAX_QUERY_LENGTH])):
        word = word[:MAX_TERM_LENGTH]
        if word in stop or word in terms or (len(word) < 2 and not word.isdigit()):
            continue
        terms.append(word)
        if len(terms) == MAX_TERMS:
            break
    return terms


def prefix(term: str, *, language: str) -> str:
    """The start of `term` that its inflected forms share: the longest known ending cut off
    while at least MIN_STEM letters stay; short words and numbers are kept whole."""
    if term.isdigit() or len(term) <= MIN_STEM:
        return term
    for ending in ENDINGS.get(language, ENDINGS["es"]):
        if term.endswith(ending) and len(term) - len(ending) >= MIN_STEM:
            return term[: -len(ending)]
    return term
