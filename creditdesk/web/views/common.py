"""Helpers every page view shares: showing a service refusal, and the POST-form pattern."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest

from core.errors import CreditdeskError, InvalidInput
from core.languages import language_code


def show_refusal(request: HttpRequest, error: CreditdeskError, form=None) -> None:
    """A service's refusal, in the user's language: on the form's fields when it names
    them, otherwise as a page message. A key of the service's ("lines.0.credits") is never
    shown: a refusal lands on the form's field of that name, worded with its label; a field
    error of `InvalidInput` the form has no field for goes above the form, introduced by the
    form's name for that key (`refusal_labels`: "Línea 1") when it has one, else by its
    words alone."""
    language = language_code()
    if form is None:
        if isinstance(error, InvalidInput):
            words = error.fields_in(language).values()
            messages.error(request, " ".join(text for texts in words for text in texts))
        else:
            messages.error(request, error.message(language))
        return
    if isinstance(error, InvalidInput):
        for name, texts in error.fields_in(language).items():
            for text in texts:
                _form_error(form, name, text)
        return
    field = _on_form(form, error.field)
    if field is not None:
        label = form.fields[field].label
        text = error.message(language) if label is None else error.message_labelled(label, language)
        form.add_error(field, text)
    else:
        messages.error(request, error.message(language))


def _on_form(form: Form, name: str | None) -> str | None:
    """The form's field that shows a refusal naming `name`, if any. A form that asks for
    something else than the service takes (the work log's end instead of its start) names
    its own field for the service's (`refusal_fields`)."""
    name = getattr(form, "refusal_fields", {}).get(name, name)
    return name if name in getattr(form, "fields", {}) else None


def _form_error(form: Form, name: str | None, text: str) -> None:
    field = _on_form(form, name)
    if field is None:
        label = getattr(form, "refusal_labels", {}).get(name)
        text = f"{label}: {text}" if label else text
    form.add_error(field, text)


def form_submit[Result](
    request: HttpRequest, form: Form, action: Callable[[dict[str, Any]], Result]
) -> Result | None:
    """Every page form that asks a service: validate `form`, run `action(form.cleaned_data)`
    (one service call) and return what it returned. None when the form is invalid or the
    service refused; the refusal is then on the form's fields or in the page's messages,
    and the view renders the form again."""
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except CreditdeskError as error:
        show_refusal(request, error, form)
        return None
