"""Helpers every page view shares: the current language and showing a service refusal."""

from django.contrib import messages
from django.http import HttpRequest

from core.errors import CreditdeskError, InvalidInput
from core.languages import language_code


def show_refusal(request: HttpRequest, error: CreditdeskError, form=None) -> None:
    """A service's refusal, in the user's language: on the form's fields when it names
    them, otherwise as a page message."""
    if form is not None and isinstance(error, InvalidInput):
        for name, errors in error.fields.items():
            for text in errors:
                form.add_error(name if name in form.fields else None, text)
        return
    if form is not None and error.field in getattr(form, "fields", {}):
        form.add_error(error.field, error.message(language_code()))
        return
    messages.error(request, error.message(language_code()))
