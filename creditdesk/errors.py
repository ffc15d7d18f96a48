"""The one shape every refusal takes: a stable machine code plus a Spanish and English message.

Apps subclass `CreditdeskError` in their own `exceptions.py`; views and the API render
`code`, `message(language)` and `field` without knowing which app refused.
"""

from typing import Any, ClassVar

from django.utils import translation


class CreditdeskError(Exception):
    code: ClassVar[str] = "error"
    message_es: ClassVar[str] = "No se pudo completar la operación."
    message_en: ClassVar[str] = "The operation could not be completed."

    def __init__(self, *, field: str | None = None, **params: Any) -> None:
        self.field = field
        self.params = params
        super().__init__(self.message("en"))

    def message(self, language: str | None = None) -> str:
        language = (language or translation.get_language() or "es")[:2]
        template = self.message_en if language == "en" else self.message_es
        return template.format(**self.params)

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        fields = {self.field: [self.message(language)]} if self.field else {}
        return {"code": self.code, "message": self.message(language), "fields": fields}
