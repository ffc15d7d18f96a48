"""Rounding of money, in one place.

The rule (finance relies on it; changing it changes the totals of future invoices):

- Each invoice line is rounded on its own: line subtotal = quantity x unit price, rounded;
  line tax = line subtotal x rate / 100, rounded. Invoice subtotal, tax and total are sums of
  already-rounded line amounts, never re-rounded. So a two-line invoice whose line taxes are
  0.005 each carries 0.02 of tax, not the 0.01 that rounding the invoice's tax once would give.
- Rounding is ROUND_HALF_UP (0.125 -> 0.13), not banker's rounding (0.125 -> 0.12).
- The unit is the currency's ISO 4217 minor unit as babel/CLDR publish it: 2 decimals for
  COP, USD, ARS, VES and most others; 0 for CLP. COP keeps its ISO 2 decimals: Colombian
  electronic invoices carry two decimals and Stripe also treats COP as a two-decimal
  currency, so amounts round-trip to Stripe without a second rounding.

Stripe amounts are integer minor units of an already-rounded amount (`to_minor_units`), so
nothing is rounded twice.
"""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision
from djmoney.money import Money


def minor_unit_digits(currency: str) -> int:
    return get_currency_precision(str(currency))


def zero(currency: str) -> Money:
    return Money(Decimal("0"), str(currency))


def money_divide(amount: Money, divisor: Decimal | int) -> Money:
    """`amount / divisor` as py-moneyed computes it, typed: a Money divided by a number is
    always a Money (by a Money it would be a ratio)."""
    return Money(amount.amount / Decimal(divisor), amount.currency)


def round_half_up(amount: Money) -> Money:
    """The only rounding of money in billing: half up to the currency's minor unit."""
    digits = minor_unit_digits(str(amount.currency))
    quantum = Decimal(1).scaleb(-digits)
    return Money(amount.amount.quantize(quantum, rounding=ROUND_HALF_UP), amount.currency)


def is_rounded(amount: Money) -> bool:
    return round_half_up(amount).amount == amount.amount


def to_minor_units(amount: Money) -> int:
    """An already-rounded amount as an integer count of minor units (Stripe's `amount`)."""
    if not is_rounded(amount):
        raise ValueError(f"{amount} is not rounded to its currency's minor unit")
    return int(amount.amount.scaleb(minor_unit_digits(str(amount.currency))))


def from_minor_units(units: int, currency: str) -> Money:
    currency = currency.upper()
    return Money(Decimal(int(units)).scaleb(-minor_unit_digits(currency)), currency)


def money_sum(amounts: list[Money], currency: str) -> Money:
    """Sum starting from zero in `currency`; py-moneyed refuses a different currency."""
    total = zero(currency)
    for amount in amounts:
        total += amount
    return total
