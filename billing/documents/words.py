"""Amounts in Spanish words, as Latin American invoices print them under the total.

`number_to_words(120900)` is "ciento veinte mil novecientos". `amount_in_words` adds the
currency's name: "ciento veinte mil novecientos pesos"; a whole number of millions takes
"de" ("un millón de pesos"); cents follow as "con 50/100". Every currency we sell in has a
masculine name, so "uno" is shortened before it and before "mil"/"millones" ("veintiún
pesos", "un millón", "veintiún mil") and stays "uno" only for a bare number.
Scale: long scale, as in Spanish: 10^6 millón, 10^12 billón.
"""

from decimal import ROUND_HALF_UP, Decimal

from djmoney.money import Money

from core.money import minor_unit_digits

_UNITS = [
    "cero",
    "uno",
    "dos",
    "tres",
    "cuatro",
    "cinco",
    "seis",
    "siete",
    "ocho",
    "nueve",
    "diez",
    "once",
    "doce",
    "trece",
    "catorce",
    "quince",
    "dieciséis",
    "diecisiete",
    "dieciocho",
    "diecinueve",
    "veinte",
    "veintiuno",
    "veintidós",
    "veintitrés",
    "veinticuatro",
    "veinticinco",
    "veintiséis",
    "veintisiete",
    "veintiocho",
    "veintinueve",
]
_TENS = {
    3: "treinta",
    4: "cuarenta",
    5: "cincuenta",
    6: "sesenta",
    7: "setenta",
    8: "ochenta",
    9: "noventa",
}
_HUNDREDS = {
    1: "ciento",
    2: "doscientos",
    3: "trescientos",
    4: "cuatrocientos",
    5: "quinientos",
    6: "seiscientos",
    7: "setecientos",
    8: "ochocientos",
    9: "novecientos",
}

# (singular, plural) of each currency's unit.
CURRENCY_NAMES = {
    "COP": ("peso", "pesos"),
    "ARS": ("peso", "pesos"),
    "CLP": ("peso", "pesos"),
    "MXN": ("peso", "pesos"),
    "UYU": ("peso", "pesos"),
    "USD": ("dólar", "dólares"),
    "VES": ("bolívar", "bolívares"),
    "PEN": ("sol", "soles"),
    "BRL": ("real", "reales"),
    "EUR": ("euro", "euros"),
}

MILLION = 10**6
BILLION = 10**12
LIMIT = 10**18


def _below_hundred(n: int, short: bool) -> str:
    if n < 30:
        word = _UNITS[n]
        if short and n in (1, 21):
            return "un" if n == 1 else "veintiún"
        return word
    tens, unit = divmod(n, 10)
    if not unit:
        return _TENS[tens]
    return f"{_TENS[tens]} y {'un' if short and unit == 1 else _UNITS[unit]}"


def _below_thousand(n: int, short: bool) -> str:
    if n == 100:
        return "cien"
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        parts.append(_HUNDREDS[hundreds])
    if rest:
        parts.append(_below_hundred(rest, short))
    return " ".join(parts)


def _below_million(n: int, short: bool) -> str:
    thousands, rest = divmod(n, 1000)
    parts = []
    if thousands == 1:
        parts.append("mil")
    elif thousands:
        parts.append(f"{_below_thousand(thousands, short=True)} mil")
    if rest:
        parts.append(_below_thousand(rest, short))
    return " ".join(parts)


def number_to_words(n: int, *, short: bool = False) -> str:
    """A whole number from 0 to 10^18 - 1 in Spanish words. `short` gives "un"/"veintiún"
    for a trailing one, as before a masculine noun."""
    if not 0 <= n < LIMIT:
        raise ValueError(f"{n} is outside 0..10^18-1")
    if n == 0:
        return "cero"
    billions, rest = divmod(n, BILLION)
    millions, rest = divmod(rest, MILLION)
    parts = []
    if billions:
        name = "billón" if billions == 1 else "billones"
        parts.append(f"{_below_million(billions, short=True)} {name}")
    if millions:
        name = "millón" if millions == 1 else "millones"
        parts.append(f"{_below_million(millions, short=True)} {name}")
    if rest:
        parts.append(_below_million(rest, short))
    return " ".join(parts)


def amount_in_words(amount: Money) -> str:
    """ "ciento veinte mil novecientos pesos", "un dólar con 05/100"; negative amounts are
    refused (a credit note prints its positive total)."""
    currency = str(amount.currency)
    singular, plural = CURRENCY_NAMES.get(currency, (currency, currency))
    digits = minor_unit_digits(currency)
    value = amount.amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError(f"{amount} is negative")
    whole = int(value)
    words = number_to_words(whole, short=True)
    if whole == 1:
        words = f"{words} {singular}"
    elif whole and whole % MILLION == 0:
        words = f"{words} de {plural}"
    else:
        words = f"{words} {plural}"
    if digits:
        cents = int((value - whole).scaleb(digits))
        if cents:
            words = f"{words} con {cents:0{digits}d}/{10**digits}"
    return words
