"""What every serializer module shares: the input bounds, the fields for money, instants,
months and seconds, and the narrowing of choices to what the caller may see."""

import copy
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.amounts import is_plain_number
from core.instants import FIRST_YEAR, LAST_YEAR, MONTH_INVALID, instant_check, month_parse
from core.text import row_id

MAX_INT = 2**31 - 1
CREDITS = {"max_digits": 12, "decimal_places": 2}


# Narrows related fields to the rows the view puts in the serializer's context (the caller's
# customers or contacts, see `ApiViewSet.parse`): `scoped_choices` maps a field to its
# context key; without that key the field keeps its own queryset. A comment, not a
# docstring: drf-spectacular would print an inherited docstring in every schema using it.
class ScopedChoicesMixin:
    scoped_choices: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, key in self.scoped_choices.items():
            rows = self.context.get(key)
            if rows is not None:
                self.fields[field].queryset = rows


def _holds_fields(field: serializers.Field) -> bool:
    """A nested serializer, a list's child, a many-related field's relation, a related field's
    `pk_field`: fields bound to the field that holds them, so each copy needs its own."""
    return isinstance(
        field,
        (
            serializers.BaseSerializer,
            serializers.ListField,
            serializers.DictField,
            serializers.ManyRelatedField,
        ),
    ) or (getattr(field, "pk_field", None) is not None)


# For a serializer whose fields depend on its class alone (no context; ScopedChoicesMixin
# narrows its own copy's queryset afterwards): the fields are built once per class and
# language (from the model, for a ModelSerializer: a label is set only where the verbose
# name, in that language, differs from the field's name) and each instance gets its own
# copies. Building them field by field cost a ticket's detail about 1.5 ms on every answer.
# A built field is never bound, so its state is what its __init__ left: a shallow copy is the
# same fresh field, where DRF's deep copy runs __init__ again on copies of its arguments (0.6
# ms of the detail's answer, 400 copies). The copies share what __init__ built and DRF only
# reads (choices, validators, messages): a serializer of this kind must never change a
# field's contents in place (`self.fields[...].validators.append(...)`), only assign to it.
# (A comment: see ScopedChoicesMixin.)
class FieldsBuiltOnce:
    def get_fields(self):
        cls = type(self)
        if "_fields_built" not in cls.__dict__:  # the class's own: a subclass builds its own
            cls._fields_built = {}  # type: ignore[attr-defined]
        language = translation.get_language()
        built = cls._fields_built.get(language)  # type: ignore[attr-defined]
        if built is None:
            built = cls._fields_built[language] = super().get_fields()  # type: ignore[misc, attr-defined]
        return {
            name: copy.deepcopy(field) if _holds_fields(field) else copy.copy(field)
            for name, field in built.items()
        }


class MoneySerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()


@extend_schema_field(MoneySerializer)
class MoneyField(serializers.Field):
    """A djmoney Money as {"amount": "123.45", "currency": "COP"}; read only."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return {"amount": f"{value.amount:.2f}", "currency": str(value.currency)}


class InstantField(serializers.DateTimeField):
    """A date-time a caller sends, within the accepted years (core.instants)."""

    def to_internal_value(self, value) -> datetime:
        try:
            return instant_check(super().to_internal_value(value))
        except DjangoValidationError as error:
            raise serializers.ValidationError(list(error.messages)) from None


@extend_schema_field(OpenApiTypes.DATETIME)
class LocalDateTimeField(serializers.Field):
    """An instant shown in the customer's time zone (ISO 8601 with that zone's offset).
    `source` names the instant; the customer is found through `customer_attr`."""

    def __init__(self, *, customer_attr: str = "customer", **kwargs):
        self.customer_attr = customer_attr
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        moment = super().get_attribute(instance)
        if moment is None:
            return None
        customer = instance
        for name in self.customer_attr.split("."):
            customer = getattr(customer, name)
        return moment.astimezone(customer.time_zone_info)

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


@extend_schema_field(OpenApiTypes.DATETIME)
class ZonedDateTimeField(serializers.Field):
    """An aware datetime rendered in its own zone (not converted to UTC); read only."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


class PlainDecimalField(serializers.DecimalField):
    """DRF's DecimalField with the services' rule for typed numbers
    (`core.amounts.is_plain_number`): DRF reads whatever Decimal() reads, "1e5" included. A
    JSON number arrives as int or float and is written out plainly first."""

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, str) and not is_plain_number(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class MonthField(serializers.CharField):
    """ "YYYY-MM" as the month's first day, within the accepted years (core.instants)."""

    default_error_messages = {"invalid": MONTH_INVALID}

    def to_internal_value(self, data) -> date:
        try:
            return month_parse(super().to_internal_value(data))
        except ValueError:
            self.fail("invalid", first=FIRST_YEAR, last=LAST_YEAR)


@extend_schema_field(OpenApiTypes.INT)
class SecondsField(serializers.Field):
    """A duration as whole seconds (null without data)."""

    def to_representation(self, value):
        return int(value.total_seconds())


class RowField(serializers.PrimaryKeyRelatedField):
    """A row named by its id, as `core.text.row_id` reads one: a JSON integer or a string of
    ASCII digits. DRF's own field asked the database for whatever came, which Python's int()
    read: 1.5 named row 1 and "٣" row 3. Another type is refused as DRF refuses one; an
    integer no column holds (negative, past the column) is an unknown row."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        pk = row_id(data)
        if pk is None:
            if isinstance(data, int) or (data.isascii() and data.lstrip("-").isdigit()):
                self.fail("does_not_exist", pk_value=data)
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(pk)


# More rows than one write names: a catalogue's services, a status page's components.
ROWS_PER_LIST = 200


class RowsField(serializers.ManyRelatedField):
    """DRF's list of related rows (`many=True`), bounded, each row read once: DRF reads every
    item with its own query before any check, so one id repeated 20,000 times (100 KB of
    JSON) held a web process for 7 s. At most `ROWS_PER_LIST` items; an item named again is
    the same row, read and kept once; an unknown one is refused as DRF refuses it."""

    default_error_messages = {
        "max_length": serializers.ListField.default_error_messages["max_length"]
    }

    def to_internal_value(self, data: Any) -> list:
        # DRF takes any iterable but a string: a JSON object's keys would pass unbounded.
        if not isinstance(data, list | tuple):
            self.fail("not_a_list", input_type=type(data).__name__)
        if len(data) > ROWS_PER_LIST:
            self.fail("max_length", max_length=ROWS_PER_LIST)
        return super().to_internal_value(list({repr(item): item for item in data}.values()))


def rows_field(
    child_relation: serializers.RelatedField, *, help_text: str = "", **kwargs: Any
) -> RowsField:
    """`child_relation` (a primary key's or a slug's related field) as a `RowsField`, its
    bound told in the schema."""
    bound = f"At most {ROWS_PER_LIST}; a row named twice counts once."
    return RowsField(
        child_relation=child_relation, help_text=f"{help_text} {bound}".strip(), **kwargs
    )
