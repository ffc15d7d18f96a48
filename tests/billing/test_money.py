"""The rounding rule of core.money, with amounts where other rules give other answers."""

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from djmoney.money import Money

from billing.services.invoices import line_amounts
from core.money import from_minor_units, money_sum, round_half_up, to_minor_units, zero


@pytest.mark.parametrize(
    ("amount", "currency", "expected", "bankers"),
    [
        ("0.125", "USD", "0.13", "0.12"),  # half up, not half even
        ("0.135", "USD", "0.14", "0.14"),
        ("2.5", "CLP", "3", "2"),  # CLP has no minor unit
        ("3.5", "CLP", "4", "4"),
        ("14506.505", "COP", "14506.51", "14506.50"),  # COP keeps its two ISO decimals
        ("-0.125", "USD", "-0.13", "-0.12"),  # half away from zero
    ],
)
def test_round_half_up_to_the_minor_unit(amount, currency, expected, bankers):
    rounded = round_half_up(Money(amount, currency))
    assert rounded == Money(expected, currency)
    # The case is chosen so that banker's rounding would differ or agree as stated.
    quantum = Decimal(1).scaleb(Decimal(expected).as_tuple().exponent)
    assert Decimal(amount).quantize(quantum, rounding=ROUND_HALF_EVEN) == Decimal(bankers)


def test_tax_is_rounded_per_line_not_per_invoice():
    # given two lines whose tax is 0.005 each (0.05 x 10 %)
    first = line_amounts(quantity=Decimal(1), unit_price=Money("0.05", "USD"), tax_rate=Decimal(10))
    second = line_amounts(
        quantity=Decimal(1), unit_price=Money("0.05", "USD"), tax_rate=Decimal(10)
    )
    # then each line rounds up to 0.01 and the invoice carries 0.02;
    # rounding the invoice's tax once would give 0.01 (0.10 x 10 % = 0.010)
    assert first.tax + second.tax == Money("0.02", "USD")


def test_line_subtotal_is_rounded_before_tax():
    # 3 x 0.335 = 1.005 -> 1.01; tax 19 % of 1.01 = 0.1919 -> 0.19; total 1.20
    amounts = line_amounts(
        quantity=Decimal(3), unit_price=Money("0.335", "USD"), tax_rate=Decimal(19)
    )
    assert (amounts.subtotal, amounts.tax, amounts.total) == (
        Money("1.01", "USD"),
        Money("0.19", "USD"),
        Money("1.20", "USD"),
    )
    assert amounts.subtotal + amounts.tax == amounts.total


def test_per_line_rounding_differs_from_rounding_the_gross_once():
    # 0.045 x 19 %: per line 0.05 (0.045 -> 0.05) + 0.01 (0.0095 -> 0.01) = 0.06;
    # the gross rounded once would be 0.05355 -> 0.05.
    amounts = line_amounts(
        quantity=Decimal(1), unit_price=Money("0.045", "USD"), tax_rate=Decimal(19)
    )
    assert amounts.total == Money("0.06", "USD")


def test_seed_002_premium_fee_with_iva():
    amounts = line_amounts(
        quantity=Decimal(1), unit_price=Money("120900", "COP"), tax_rate=Decimal(19)
    )
    assert amounts.tax == Money("22971", "COP")
    assert amounts.total == Money("143871", "COP")


@pytest.mark.parametrize(
    ("amount", "units"),
    [(Money("143871", "COP"), 14387100), (Money("10.05", "USD"), 1005), (Money("990", "CLP"), 990)],
)
def test_minor_units_round_trip(amount, units):
    assert to_minor_units(amount) == units
    assert from_minor_units(units, str(amount.currency).lower()) == amount


def test_unrounded_amount_never_reaches_stripe():
    with pytest.raises(ValueError, match="not rounded"):
        to_minor_units(Money("10.005", "USD"))


def test_zero_is_nothing_in_the_currency_given():
    assert zero("CLP") == Money("0", "CLP")
    # A py-moneyed Currency (an amount's `.currency`) names the same currency.
    assert zero(Money("5", "USD").currency) == Money("0", "USD")


def test_money_sum_adds_amounts_of_one_currency():
    amounts = [Money("10.05", "USD"), Money("0.95", "USD"), Money("-1.00", "USD")]

    assert money_sum(amounts, "USD") == Money("10.00", "USD")


def test_money_sum_of_nothing_is_zero_in_the_currency_asked():
    total = money_sum([], "COP")

    assert total == Money("0", "COP")
    assert str(total.currency) == "COP"


def test_money_sum_refuses_an_amount_in_another_currency():
    with pytest.raises(TypeError):
        money_sum([Money("1", "USD")], "COP")
