"""The one parser every amount goes through: it returns the exact value or refuses, naming
the field; it never rounds and never raises anything else."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from djmoney.money import Money
from hypothesis import given
from hypothesis import strategies as st

from core.amounts import (
    CurrencyMismatch,
    InvalidAmount,
    PlainDecimalField,
    parse_decimal,
    parse_money,
)

CENTS = st.integers(min_value=-(10**12) + 1, max_value=10**12 - 1)


@given(CENTS)
def test_any_two_place_amount_in_range_comes_back_exactly(cents):
    value = Decimal(cents).scaleb(-2)
    sign = "non_negative" if cents >= 0 else "nonzero"

    for given_as in (value, format(value, "f"), f"  {value:f} "):
        assert parse_decimal(given_as, field="x", sign=sign, max_digits=14) == value


@given(st.one_of(st.text(max_size=30), st.floats(), st.decimals(), st.integers(), st.none()))
def test_anything_else_is_the_amount_or_an_invalid_amount_never_another_error(value):
    try:
        number = parse_decimal(value, field="monthly_fee", sign="positive", max_digits=14)
    except InvalidAmount as error:
        refused = error
    else:
        assert number > 0
        assert number == number.quantize(Decimal("0.01"))
        assert number == Decimal(value.strip() if isinstance(value, str) else value)
        return
    assert refused.field == "monthly_fee"
    assert "monthly_fee" in refused.message("es")


@pytest.mark.parametrize(
    ("sign", "value", "accepted"),
    [
        ("positive", "0", False),
        ("positive", "0.01", True),
        ("nonzero", "-0.01", True),
        ("nonzero", "0.00", False),
        ("non_negative", "0", True),
        ("non_negative", "-0.01", False),
    ],
)
def test_each_sign_rule(sign, value, accepted):
    if accepted:
        assert parse_decimal(value, field="x", sign=sign, max_digits=12) == Decimal(value)
    else:
        with pytest.raises(InvalidAmount):
            parse_decimal(value, field="x", sign=sign, max_digits=12)


@pytest.mark.parametrize("typed", ["1e5", "1E+2", "1_000", "٣", "NaN", "Infinity", "0x10", "1,5"])
def test_only_plain_digits_are_an_amount(typed):
    # Decimal() reads all of these; a credits field granted 100000 credits for "1e5".
    with pytest.raises(InvalidAmount):
        parse_decimal(typed, field="credits", sign="positive", max_digits=12)


@pytest.mark.parametrize(
    ("typed", "amount"), [("+5", "5"), ("5.", "5"), (".5", "0.5"), ("-0.25", "-0.25")]
)
def test_a_sign_and_a_bare_decimal_point_are_fine(typed, amount):
    assert parse_decimal(typed, field="x", sign="nonzero", max_digits=12) == Decimal(amount)


@pytest.mark.parametrize("typed", ["1e5", "1_000", "٣", "NaN", "Infinity"])
def test_a_pages_number_field_takes_plain_digits_as_the_services_do(typed):
    with pytest.raises(ValidationError):
        PlainDecimalField(max_digits=14, decimal_places=2).clean(typed)


def test_a_localized_number_field_reads_the_readers_decimal_comma():
    field = PlainDecimalField(max_digits=14, decimal_places=2, localize=True)
    with translation.override("es"):
        assert field.clean("1234,56") == Decimal("1234.56")
        with pytest.raises(ValidationError):
            field.clean("1e5")
    with translation.override("en"):
        assert field.clean("1234.56") == Decimal("1234.56")


def test_the_size_limit_follows_the_column():
    assert parse_decimal("9999999999.99", field="x", sign="positive", max_digits=12)
    with pytest.raises(InvalidAmount):
        parse_decimal("10000000000", field="x", sign="positive", max_digits=12)


def test_money_in_another_currency_is_refused_and_plain_numbers_take_the_currency():
    assert parse_money("12.5", field="price", currency="USD", sign="positive", max_digits=14) == (
        Money("12.50", "USD")
    )
    with pytest.raises(CurrencyMismatch) as refused:
        parse_money(Money(1, "COP"), field="price", currency="USD", sign="positive", max_digits=14)
    assert refused.value.field == "price"
