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
    them, otherwise as a page message."""
    # A form that asks for something else than the service takes (the work log's end
    # instead of its start) names the field of its own that shows a refusal of the service's.
    on_form = getattr(form, "refusal_fields", {})
    if form is not None and isinstance(error, InvalidInput):
        for name, errors in error.fields.items():
            name = on_form.get(name, name)
            for text in errors:
                form.add_error(name if name in form.fields else None, text)
        return
    if isinstance(error, InvalidInput):
        # No form holds its fields: their words, not their names ("note:"), which only the
        # API's readers know.
        words = error.fields_in(language_code()).values()
        messages.error(request, " ".join(text for texts in words for text in texts))
        return
    field = on_form.get(error.field, error.field)
    if form is not None and field in getattr(form, "fields", {}):
        form.add_error(field, error.message(language_code()))
        return
    messages.error(request, error.message(language_code()))


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
