"""Form fields shared by the site's pages and the admin."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from core.errors import CONTROL_CHARACTERS
from core.text import has_control_characters, row_id


def names_no_row(field: models.Field, value: Any) -> bool:
    """Whether `value` can name no row by `field` (a key, or the column a choice is made
    by), so a query with it would fail rather than find nothing: on an integer column
    anything but a row id (`core.text.row_id`: "²", a number past the column, which
    SQLite's driver cannot take), elsewhere a NUL (PostgreSQL refuses it) or what the field
    cannot read (a UUID's "abc")."""
    if isinstance(field, models.IntegerField):
        return row_id(value) is None
    if "\x00" in str(value):
        return True
    try:
        field.to_python(value)
    except ValidationError:
        return True
    return False


class RowIdsChoiceField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of rows, refusing a value that can name no row
    (`names_no_row`) before its query, which the database's driver could not even run (a
    500)."""

    def _check_values(self, value: Any) -> Any:
        meta = self.queryset.model._meta  # type: ignore[union-attr]  # the field is given one
        field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        for pk in value:
            if names_no_row(field, pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:40]},
                )
        return super()._check_values(value)  # type: ignore[misc]  # not in django-stubs


class PrintableTextsForm(forms.ModelForm):
    """An admin's form for rows the admin saves itself: each text typed in it is held to
    the services' bound (no control character: `core.errors.text_printable`'s words), on
    its field, before the save."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, value in list(cleaned.items()):  # add_error drops the field from cleaned
            if isinstance(value, str) and has_control_characters(value):
                self.add_error(name, forms.ValidationError(CONTROL_CHARACTERS, code="control"))
        return cleaned


# More new rows than anyone types into one table of a form before saving it.
NEW_ROWS_PER_SAVE = 100


class RowsBoundFormSet(forms.BaseFormSet):
    """A formset (an admin inline, a calendar's hours) that, posted, builds no more forms
    than the rows it showed and a save's new ones. The count of forms is the browser's to
    send, and Django's own bound (max_num + 1,000) still means 2,000 forms built, validated
    and rendered with their errors: seconds of a web process for one request. (A "save as
    new" would show no rows: no admin of ours offers it.)"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            shown = (
                len(self.get_queryset())
                if isinstance(self, forms.BaseModelFormSet)
                else len(self.initial or ())
            )
            self.absolute_max = min(self.absolute_max, shown + NEW_ROWS_PER_SAVE)
            self.max_num = min(self.max_num, self.absolute_max)
