"""The one shape every refusal takes: a stable machine code plus a Spanish and English message.

Apps subclass `CreditdeskError` in their own `exceptions.py`; views and the API render
`code`, `message(language)` and `field` without knowing which app refused.
"""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from djmoney.money import Money

from core.formatting import credits_text, format_day, format_moment, money_text
from core.languages import language_code
from core.text import has_control_characters


class CreditdeskError(Exception):
    code: ClassVar[str] = "error"
    message_es: ClassVar[str] = "No se pudo completar la operación."
    message_en: ClassVar[str] = "The operation could not be completed."

    def __init__(self, *, field: str | None = None, **params: Any) -> None:
        self.field = field
        self.params = params
        super().__init__(self.message("en"))

    def message(self, language: str | None = None) -> str:
        return self._worded(language, self.params)

    def message_labelled(self, label: object, language: str | None = None) -> str:
        """The message as a form shows it on the field it names: a refusal that names its
        field in the text (the `label` parameter, the field's key for the API's readers:
        "lines.0.credits") says the form's `label` instead ("Línea 1: créditos")."""
        if "label" not in self.params:
            return self.message(language)
        return self._worded(language, {**self.params, "label": label})

    def _worded(self, language: str | None, params: dict[str, Any]) -> str:
        language = language_code(language)
        template = self.message_en if language == "en" else self.message_es
        with translation.override(language):  # lazy params (labels, names) render in it too
            return template.format(**{name: _render(value) for name, value in params.items()})

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        fields = {self.field: [self.message(language)]} if self.field else {}
        return {"code": self.code, "message": self.message(language), "fields": fields}


class ReasonRequired(CreditdeskError):
    """Suspensions, cancellations, voids, credit notes and credit adjustments say why."""

    code = "reason_required"
    message_es = "Indique el motivo."
    message_en = "A reason is required."

    def __init__(self) -> None:
        super().__init__(field="reason")


class InvalidInput(CreditdeskError):
    """Bad input, with per-field messages; raised before anything is written.

    Messages may be lazy translations or Django `ValidationError`s: they are kept as given
    and rendered in the language asked for, so a Spanish request never reads English
    field errors and an English one never reads Spanish ones."""

    code = "invalid_input"
    message_es = "Los datos no son válidos: {summary}"
    message_en = "The input is not valid: {summary}"

    def __init__(self, fields: dict[str, list[Any]]) -> None:
        self._fields = fields
        super().__init__(field=next(iter(fields), None))

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> "InvalidInput":
        if hasattr(error, "error_dict"):
            return cls(dict(error.error_dict))
        return cls({NON_FIELD_ERRORS: error.error_list})

    def fields_in(self, language: str | None = None) -> dict[str, list[str]]:
        with translation.override(language_code(language)):
            return {name: _texts(messages) for name, messages in self._fields.items()}

    @property
    def fields(self) -> dict[str, list[str]]:
        return self.fields_in()

    def message(self, language: str | None = None) -> str:
        fields = self.fields_in(language)
        summary = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in fields.items())
        template = self.message_en if language_code(language) == "en" else self.message_es
        return template.format(summary=summary)

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message(language),
            "fields": self.fields_in(language),
        }


def choice_labels(codes: str | Iterable[str], choices: type[models.Choices]) -> Promise:
    """A refusal's parameter naming one code of `choices` ("acknowledged", "phone"), or several
    joined by ", ", as their lazy labels: each message words them in its own language, where
    the codes would read as English in a Spanish sentence."""
    codes = [codes] if isinstance(codes, str) else list(codes)
    return format_lazy(", ".join(["{}"] * len(codes)), *(choices(code).label for code in codes))


def _render(value: Any) -> Any:
    """A parameter as the active language writes it: credits and amounts with its decimal
    separator ("2,00" in Spanish, "2.00" in English), like every page and PDF. Money's own
    str() is English-only ("COP119,000.01" in a Spanish sentence); moments and days in its
    short formats."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Money):
        return money_text(value)
    if isinstance(value, Decimal):
        return credits_text(value)
    if isinstance(value, datetime):  # already in the reader's zone
        return format_moment(value)
    if isinstance(value, date):  # a day: "03/03/2027", "3 Mar 2027"
        return format_day(value)
    return value


def _texts(messages: list[Any]) -> list[str]:
    texts: list[str] = []
    for message in messages:
        if isinstance(message, ValidationError):
            texts.extend(message.messages)  # iterating formats the message with its params, now
        else:
            texts.append(str(message))
    return texts


def full_clean_or_raise(
    instance: models.Model, *, texts: Iterable[str] = (), **kwargs: Any
) -> None:
    """Run the model's own validation; services call this before every save. `texts` names
    the fields people write freely (names, notes, descriptions), checked by `text_printable`
    first: a NUL would fail a uniqueness query on PostgreSQL before any field error."""
    for name in texts:
        text_printable(getattr(instance, name) or "", field=name)
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        raise InvalidInput.from_validation_error(error) from error


TOO_LONG = gettext_lazy("Como máximo %(limit)s caracteres.")
CONTROL_CHARACTERS = gettext_lazy(
    "Sin caracteres de control: el texto trae alguno invisible (copiado con él, quizá)."
)


def text_at_most(text: str, *, field: str, limit: int) -> str:
    """`text` when it has at most `limit` characters and no control character (`core.text`:
    PostgreSQL refuses a NUL, XML any of them); otherwise InvalidInput naming `field`
    (refused, never cut or cleaned)."""
    if len(text) > limit:
        refusal = ValidationError(TOO_LONG, code="max_length", params={"limit": limit})
        raise InvalidInput({field: [refusal]})
    return text_printable(text, field=field)


def text_printable(text: str, *, field: str) -> str:
    """`text` when it holds no control character (tab and line ends are kept: `core.text`);
    otherwise InvalidInput naming `field`. The bound on every text a person writes, whatever
    its length: names, addresses and notes end up in PDFs, mails, exports and webhooks."""
    if has_control_characters(text):
        raise InvalidInput({field: [ValidationError(CONTROL_CHARACTERS, code="control")]})
    return text
