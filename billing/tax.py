"""Tax rates as data: the rate in force for a country on a day; exempt buyers pay 0 %."""

from datetime import date
from decimal import Decimal

from billing.exceptions import TaxRateMissing
from billing.models import TaxRate
from contracts.models import Customer


def tax_rate_for(*, customer: Customer, on: date, taxable: bool = True) -> Decimal:
    """Percent rate for a line sold to `customer` on `on`; raises if the country has none."""
    if customer.tax_exempt or not taxable:
        return Decimal("0")
    rate = (
        TaxRate.objects.filter(country=customer.country, valid_from__lte=on)
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise TaxRateMissing(country=customer.country, on=on)
    return rate


def tax_rates_by_country(*, on: date) -> dict[str, Decimal]:
    """Every country's rate in force on `on`, in one query (for the monthly run)."""
    rates: dict[str, Decimal] = {}
    for country, rate in (
        TaxRate.objects.filter(valid_from__lte=on)
        .order_by("country", "-valid_from")
        .values_list("country", "rate")
    ):
        rates.setdefault(country, rate)
    return rates
