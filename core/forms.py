"""Form fields shared by the site's pages and the admin."""

from typing import Any

from django import forms

from core.errors import CONTROL_CHARACTERS
from core.text import has_control_characters, row_id


class RowIdsChoiceField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of rows, refusing a value that is no row id
    (`core.text.row_id`: "²", a number past the column) before its query, which SQLite's
    driver could not even run (OverflowError: a 500)."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if row_id(pk) is None:
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
