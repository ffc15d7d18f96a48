from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Field
from django.db.models.expressions import Combinable
from djmoney.money import Money

_ST = TypeVar("_ST", contravariant=True)
_GT = TypeVar("_GT", covariant=True)

# Set: a Money, or a number taken to be in the field's currency. Get: always a Money
# (None where the column is nullable).
class MoneyField(Field[_ST, _GT]):
    _pyi_private_set_type: Money | Decimal | int | str | Combinable
    _pyi_private_get_type: Money
    _pyi_lookup_exact_type: Money | Decimal | int | str
    max_digits: int
    decimal_places: int
    def __init__(
        self,
        verbose_name: Any = ...,
        name: str | None = ...,
        max_digits: int | None = ...,
        decimal_places: int | None = ...,
        default: Any = ...,
        default_currency: str | None = ...,
        currency_choices: Any = ...,
        currency_max_length: int = ...,
        currency_field_name: str | None = ...,
        money_descriptor_class: Any = ...,
        **kwargs: Any,
    ) -> None: ...
