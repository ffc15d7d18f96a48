"""Tax rates as data (billing.tax): the rate in force for a country on a day, exempt buyers and
untaxed lines at 0 %, and a clear refusal when a country has no rate."""

from datetime import date
from decimal import Decimal

import pytest

from billing.exceptions import TaxRateMissing
from billing.models import TaxRate
from billing.tax import tax_rate_for, tax_rates_by_country
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

# Seeded by billing's data migration from 2000-01-01: CO 19 %, AR 21 %, VE 16 %.
DAY = date(2026, 12, 3)


def test_a_taxable_line_pays_the_rate_of_the_buyers_country():
    assert tax_rate_for(customer=make_customer(country="CO"), on=DAY) == Decimal("19.00")
    assert tax_rate_for(customer=make_customer(country="AR", currency="ARS"), on=DAY) == Decimal(
        "21.00"
    )


def test_an_exempt_buyer_and_an_untaxed_line_pay_nothing():
    exempt = make_customer(tax_exempt=True)
    taxed = make_customer()

    assert tax_rate_for(customer=exempt, on=DAY) == Decimal("0")
    assert tax_rate_for(customer=taxed, on=DAY, taxable=False) == Decimal("0")


def test_an_exempt_buyer_needs_no_rate_for_its_country():
    exempt = make_customer(country="CL", currency="CLP", tax_exempt=True)

    assert tax_rate_for(customer=exempt, on=DAY) == Decimal("0")


def test_the_rate_in_force_is_the_latest_started_on_or_before_the_day():
    TaxRate.objects.create(country="CO", rate=Decimal("16"), valid_from=date(2026, 12, 3))
    TaxRate.objects.create(country="CO", rate=Decimal("5"), valid_from=date(2027, 1, 1))
    customer = make_customer(country="CO")

    assert tax_rate_for(customer=customer, on=date(2026, 12, 2)) == Decimal("19.00")
    assert tax_rate_for(customer=customer, on=date(2026, 12, 3)) == Decimal("16.00")
    assert tax_rate_for(customer=customer, on=date(2027, 1, 1)) == Decimal("5.00")


def test_a_country_without_a_rate_is_refused_naming_the_country_and_the_day():
    chilean = make_customer(country="CL", currency="CLP")

    with pytest.raises(TaxRateMissing) as refused:
        tax_rate_for(customer=chilean, on=DAY)

    assert refused.value.code == "tax_rate_missing"
    assert refused.value.message("es") == (
        "No hay tarifa de impuesto para el país CL el 03/12/2026; configúrela (0 % si aplica)."
    )
    assert refused.value.message("en") == (
        "There is no tax rate for country CL on 3 Dec 2026; configure one (0% if so)."
    )


def test_a_rate_that_starts_later_is_not_in_force_yet():
    TaxRate.objects.create(country="CL", rate=Decimal("19"), valid_from=date(2027, 1, 1))

    with pytest.raises(TaxRateMissing):
        tax_rate_for(customer=make_customer(country="CL", currency="CLP"), on=DAY)


def test_rates_by_country_are_each_countrys_rate_in_force_on_the_day():
    TaxRate.objects.create(country="CO", rate=Decimal("16"), valid_from=date(2026, 12, 3))
    TaxRate.objects.create(country="AR", rate=Decimal("10.5"), valid_from=date(2026, 12, 4))
    TaxRate.objects.create(country="CL", rate=Decimal("19"), valid_from=date(2027, 1, 1))

    assert tax_rates_by_country(on=DAY) == {
        "AR": Decimal("21.00"),  # its new rate starts the next day
        "CO": Decimal("16.00"),  # its new rate starts that very day
        "VE": Decimal("16.00"),
    }  # CL's first rate is not in force yet
    assert tax_rates_by_country(on=date(2027, 1, 1))["CL"] == Decimal("19.00")


def test_rates_by_country_agree_with_the_rate_of_one_buyer():
    TaxRate.objects.create(country="CO", rate=Decimal("16"), valid_from=date(2026, 1, 1))
    TaxRate.objects.create(country="CO", rate=Decimal("17"), valid_from=date(2026, 6, 1))

    for day in (date(2025, 12, 31), date(2026, 1, 1), date(2026, 5, 31), date(2026, 6, 1), DAY):
        assert tax_rates_by_country(on=day)["CO"] == tax_rate_for(
            customer=make_customer(country="CO"), on=day
        )
