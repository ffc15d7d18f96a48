"""Amounts as people type them on a page (`core.amounts.parse_typed_decimal`, through
`core.forms.AmountField`): what the page itself writes, in its language, reads back as the
same amount; anything else is refused naming the field, in Spanish and English. The
services and the API keep reading plain numbers only (`parse_decimal`)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from djmoney.money import Money
from hypothesis import given
from hypothesis import strategies as st

from core.amounts import (
    AmountMissing,
    AmountTooLarge,
    CurrencyMismatch,
    InvalidAmount,
    parse_decimal,
    parse_typed_decimal,
)
from core.formatting import credits_text, money_text
from core.forms import AmountField


def typed(text, language, **bounds):
    bounds = {"field": "amount", "sign": "nonzero", "max_digits": 14} | bounds
    return parse_typed_decimal(text, language=language, **bounds)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("143.871,00", "143871.00"),
        ("143871,00", "143871.00"),
        ("143871", "143871"),
        ("143871.00", "143871.00"),  # one point, not three digits after it: decimals
        ("1.500", "1500"),  # es-CO groups thousands with a point
        ("1.234.567", "1234567"),
        ("1.234.567,5", "1234567.5"),
        ("143,871.00", "143871.00"),  # both marks: the last one is the decimal mark
        ("2,5", "2.5"),
        (",50", "0.5"),
        ("$ 143.871,00", "143871"),
        ("$143.871", "143871"),
        ("COP 143.871", "143871"),
        ("143.871 COP", "143871"),
        ("cop 143.871", "143871"),
        ("-$ 1.234,50", "-1234.5"),
        ("$ -1.234,50", "-1234.5"),
        ("\u22122,5", "-2.5"),  # the minus sign babel and word processors write
        ("+3", "3"),
        ("  7  ", "7"),
        ("$\u00a0143.871", "143871"),  # the page's own no-break space
    ],
)
def test_spanish_reads_what_spanish_pages_write(text, amount):
    assert typed(text, "es") == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("143,871.00", "143871.00"),
        ("143871.00", "143871.00"),
        ("143871,00", "143871.00"),  # one comma, not three digits after it: decimals
        ("143871", "143871"),
        ("1,500", "1500"),  # English groups thousands with a comma
        ("1,234,567.5", "1234567.5"),
        ("143.871,00", "143871.00"),
        ("US$ 1,234.50", "1234.5"),
        ("COP 143,871", "143871"),
        ("-2.5", "-2.5"),
    ],
)
def test_english_reads_what_english_pages_write(text, amount):
    currency = "USD" if "US$" in text else None
    assert typed(text, "en", currency=currency) == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("1,500", "es"),  # three decimals on a money field, even zeros: thousands meant?
        ("1.500", "en"),
        ("1,234", "es"),
        ("1.005", "en"),
        ("10,005", "es"),
        ("1.2345,00", "es"),  # a group of four
        ("12.34.567", "es"),
        ("1.234,5.6", "es"),
        ("1..5", "es"),
        ("5,", "es"),  # a mark left hanging
        ("1 500", "es"),  # a space inside the digits
        ("1e5", "es"),
        ("NaN", "en"),
        ("٣", "es"),
        ("abc", "es"),
        ("abc 12", "es"),  # letters that name no currency
        ("$$ 5", "es"),
        ("$ 5 COP", "es"),
        ("--5", "es"),
        ("-$ -5", "es"),
        ("5%", "es"),
        ("0", "es"),  # nonzero
    ],
)
def test_nonsense_is_refused_naming_the_field_in_both_languages(text, language):
    with pytest.raises(InvalidAmount) as refused:
        typed(text, language, label="Importe recibido")
    assert refused.value.field == "amount"
    assert refused.value.code == "invalid_amount"
    spanish, english = refused.value.message("es"), refused.value.message("en")
    assert spanish.startswith("Importe recibido: «")
    assert "no es válido" in spanish
    assert english.startswith("Importe recibido: '")
    assert "is not valid" in english


def test_empty_is_said_so_not_echoed():
    for empty in ("", "   ", None):
        with pytest.raises(AmountMissing) as refused:
            typed(empty, "es", label="Créditos")
        assert refused.value.message("es").startswith("Créditos: no puede quedar vacío")
        assert refused.value.message("en").startswith("Créditos: cannot be empty")
        assert "None" not in refused.value.message("es")


def test_the_sign_rule_is_the_fields():
    assert typed("-2,5", "es", sign="nonzero") == Decimal("-2.5")
    for sign in ("positive", "non_negative"):
        with pytest.raises(InvalidAmount):
            typed("-2,5", "es", sign=sign)
    assert typed("0", "es", sign="non_negative") == 0


def test_more_digits_than_the_column_holds_are_refused_saying_the_maximum():
    assert typed("999.999.999.999,99", "es") == Decimal("999999999999.99")
    with pytest.raises(AmountTooLarge) as refused:
        typed("1.000.000.000.000", "es", label="Importe")
    assert refused.value.code == "invalid_amount"
    assert refused.value.message("es") == (
        "Importe: «1.000.000.000.000» supera el máximo de 999.999.999.999,99."
    )
    assert refused.value.message("en") == (
        "Importe: '1.000.000.000.000' is over the maximum of 999,999,999,999.99."
    )
    with pytest.raises(AmountTooLarge):
        typed("10.000.000.000", "es", max_digits=12)  # a credits column


def test_a_long_paste_is_echoed_cut():
    with pytest.raises(InvalidAmount) as refused:
        typed("9" * 5000, "es")
    assert len(refused.value.message("es")) < 200


def test_four_places_where_the_field_takes_them():
    assert typed("1,5", "es", places=4, max_digits=12) == Decimal("1.5")
    assert typed("0,125", "es", places=4, max_digits=12) == Decimal("0.125")
    assert typed("1.500", "es", places=4, max_digits=12) == Decimal("1500")
    with pytest.raises(InvalidAmount) as refused:
        typed("0,12345", "es", places=4, max_digits=12)
    assert "cuatro decimales" in refused.value.message("es")
    assert "four decimals" in refused.value.message("en")


def test_a_currency_mark_must_name_the_fields_currency_and_credits_take_none():
    assert typed("$ 143.871", "es", currency="COP") == Decimal("143871")
    assert typed("US$ 12,50", "es", currency="USD") == Decimal("12.5")
    with pytest.raises(CurrencyMismatch) as refused:
        typed("US$ 12,50", "es", currency="COP", label="Importe")
    assert refused.value.field == "amount"
    assert refused.value.message("es") == "Importe: el importe debe estar en COP, no en US$."
    assert refused.value.message("en") == "Importe: the amount must be in COP, not in US$."
    with pytest.raises(InvalidAmount):
        typed("$ 5", "es", money=False)


CENTS = st.integers(min_value=-(10**12) + 1, max_value=10**12 - 1)


@given(CENTS, st.sampled_from(["COP", "USD", "MXN", "CLP"]))
def test_every_amount_a_page_writes_reads_back_as_itself(cents, currency):
    amount = Decimal(cents).scaleb(-2)
    if currency == "CLP":
        amount = amount.quantize(Decimal(1))
    sign = "nonzero" if amount else "non_negative"
    for language in ("es", "en"):
        shown = money_text(Money(amount, currency), language=language)
        assert typed(shown, language, currency=currency, sign=sign) == amount, shown
        credits = credits_text(amount, language)
        assert typed(credits, language, money=False, sign=sign) == amount, credits


@pytest.mark.parametrize(
    ("language", "shown"), [("es", "USD -31.000,50"), ("en", "USD -31,000.50")]
)
def test_a_negative_amount_is_the_code_and_a_negative_number(language, shown):
    # as every other amount, so that a credit note's "-" stands by its number, in the
    # column of codes the positive rows make
    assert money_text(Money("-31000.50", "USD"), language=language) == shown
    assert money_text(Money("-143871", "COP"), language=language).startswith("COP -143")


def test_a_whole_amount_grouped_the_other_way_is_refused_not_misread():
    # "COP 1,500" typed on a Spanish page (as an English page writes it): Spanish takes the
    # comma for decimals, and three of them on a money field are refused.
    assert money_text(Money("1500", "COP"), language="en") == "COP 1,500"
    with pytest.raises(InvalidAmount):
        typed("COP 1,500", "es", currency="COP")


def test_the_api_keeps_reading_plain_numbers_only():
    assert parse_decimal("143871.00", field="amount", sign="positive", max_digits=14) == Decimal(
        "143871.00"
    )
    for localized in ("143.871,00", "143871,00", "$ 5", "1,500"):
        with pytest.raises(InvalidAmount):
            parse_decimal(localized, field="amount", sign="positive", max_digits=14)


# --- the form field -------------------------------------------------------------------------


def test_the_field_reads_the_active_language_and_names_itself_by_its_label():
    field = AmountField(label="Importe recibido", currency="COP")
    with translation.override("es"):
        assert field.clean("143.871,00") == Decimal("143871.00")
        assert field.clean("1.500") == Decimal("1500")
        with pytest.raises(ValidationError) as refused:
            field.clean("1,2,3")
        assert refused.value.messages == [
            "Importe recibido: «1,2,3» no es válido; use un número mayor que cero "
            "con hasta dos decimales."
        ]
    with translation.override("en"):
        assert field.clean("143,871.00") == Decimal("143871.00")
        assert field.clean("1,500") == Decimal("1500")
        with pytest.raises(ValidationError) as refused:
            field.clean("abc")
        assert refused.value.messages == [
            "Importe recibido: 'abc' is not valid; use a number greater than zero "
            "with at most two decimals."
        ]


def test_the_field_shows_an_amount_as_the_page_writes_it_and_reads_it_back():
    field = AmountField(label="Importe")
    with translation.override("es"):
        shown = field.prepare_value(Decimal("143871.00"))
        assert shown == "143.871,00"
        assert field.clean(shown) == Decimal("143871.00")
    with translation.override("en"):
        assert field.prepare_value(Decimal("143871.00")) == "143,871.00"
    whole_pesos = AmountField(label="Importe", currency="COP")
    with translation.override("es"):
        assert whole_pesos.prepare_value(Decimal("143871.00")) == "143.871"
        assert whole_pesos.prepare_value(Decimal("60450.33")) == "60.450,33"
    quantity = AmountField(label="Cantidad", places=4, money=False, max_digits=12)
    with translation.override("es"):
        assert quantity.prepare_value(Decimal("1.5000")) == "1,5"


def test_the_field_is_a_text_box_with_a_decimal_keyboard():
    html = str(AmountField(label="Importe").widget.render("amount", "1,5"))
    assert 'type="text"' in html
    attrs = AmountField(label="Importe").widget_attrs(AmountField.widget())
    assert attrs["inputmode"] == "decimal"


def test_an_optional_field_left_empty_is_none_and_a_required_one_says_so():
    assert AmountField(label="Importe", required=False).clean("  ") is None
    with translation.override("es"), pytest.raises(ValidationError) as refused:
        AmountField(label="Importe").clean("")
    assert refused.value.messages == ["Este campo es requerido."]
