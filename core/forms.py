"""Form fields shared by the site's pages and the admin."""

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from djmoney.money import Money

from core.amounts import (
    MONEY_COLUMN,
    CurrencyMismatch,
    InvalidAmount,
    Sign,
    parse_typed_decimal,
)
from core.errors import CONTROL_CHARACTERS
from core.formatting import display_digits, document_locale
from core.languages import language_code
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


class AmountField(forms.Field):
    """An amount (money, credits, a quantity) typed on a page, read as the page writes
    amounts in the reader's language (`core.amounts.parse_typed_decimal`: "143.871,00",
    "COP 143.871", "143871.00"), bounded as the services bound it (`sign`, `max_digits`,
    `places`), and refused with the services' words naming the field by its label. A money
    field tolerates a currency mark (one naming `currency`, when given); a credits or
    quantity field (`money=False`) none. Shown again as the page writes it ("1.234,50"),
    in a text box: a number box would refuse the grouping the page itself shows."""

    widget = forms.TextInput

    def __init__(
        self,
        *,
        sign: Sign = "positive",
        max_digits: int = MONEY_COLUMN["max_digits"],
        places: int = 2,
        currency: str | None = None,
        money: bool = True,
        **kwargs: Any,
    ) -> None:
        self.sign, self.max_digits, self.places = sign, max_digits, places
        self.currency, self.money = currency, money
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # inputmode: a phone's keyboard with digits and the decimal mark; the length leaves
        # room for a grouped amount with its currency.
        return {**super().widget_attrs(widget), "inputmode": "decimal", "maxlength": "40"}

    def prepare_value(self, value: Any) -> Any:
        if not isinstance(value, Decimal | int) or isinstance(value, bool):
            return value
        if self.places != 2:
            pattern = "#,##0." + "#" * self.places
        else:
            # Money with the digits the page shows it with (core.formatting: "143.871" for a
            # whole COP amount, as "COP 143.871" beside it), credits with their two.
            digits = 2
            if self.money and self.currency:
                digits = display_digits(self.currency, [Money(value, self.currency)])
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, pattern, locale=document_locale(language_code()))

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_typed_decimal(
                value,
                field="",
                sign=self.sign,
                max_digits=self.max_digits,
                places=self.places,
                currency=self.currency,
                money=self.money,
                label=self.label,
            )
        except (InvalidAmount, CurrencyMismatch) as error:
            raise ValidationError(error.message(), code=error.code) from None


class OwnIds:
    """A form that shares its page with others asking for the same field (the ticket page's
    forms mostly ask for a "reason"): its inputs get ids of their own, or a label would name
    another form's input, and a click on it would fill that one."""

    id_prefix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
