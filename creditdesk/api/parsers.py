"""The API's JSON parser: DRF's, with every body it cannot use refused as a malformed request
in the reader's language, never a 500 and never Python's parser speaking: a body nested too
deeply to parse (Python's parser recurses once per level), a number too long to convert, and
a lone UTF-16 surrogate (`"\\ud800"`), which JSON may escape but no UTF-8 text can hold (a
refusal quoting it back could not be written)."""

import json

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

NOT_JSON = _("El cuerpo de la solicitud no es JSON válido.")
LONE_SURROGATE = _(
    "El cuerpo de la solicitud tiene un carácter que no es texto: un sustituto UTF-16 suelto "
    "(\\ud800 a \\udfff sin su pareja)."
)


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except (ParseError, RecursionError):
            raise ParseError(NOT_JSON) from None
        try:
            # Encoding it back is the one complete check: a surrogate may sit in any key or
            # value at any depth, and a pair of them is one character, which passes.
            json.dumps(data, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise ParseError(LONE_SURROGATE) from None
        return data
