"""The one shape every refusal takes: a stable machine code plus a Spanish and English message.

Apps subclass `CreditdeskError` in their own `exceptions.py`; views and the API render
`code`, `message(language)` and `field` without knowing which app refused.
"""

from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
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


class InvalidInput(CreditdeskError):
    """Bad input, with Django's per-field messages; raised before anything is written."""

    code = "invalid_input"
    message_es = "Los datos no son válidos: {summary}"
    message_en = "The input is not valid: {summary}"

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields
        summary = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in fields.items())
        super().__init__(field=next(iter(fields), None), summary=summary)

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> "InvalidInput":
        if hasattr(error, "error_dict"):
            return cls({name: [str(m) for m in msgs] for name, msgs in error.message_dict.items()})
        return cls({NON_FIELD_ERRORS: [str(m) for m in error.messages]})

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        return {"code": self.code, "message": self.message(language), "fields": self.fields}


def full_clean_or_raise(instance: models.Model, **kwargs: Any) -> None:
    """Run the model's own validation; services call this before every save."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        raise InvalidInput.from_validation_error(error) from error
