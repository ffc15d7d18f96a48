"""Finance's prepaid-credits page and the finance export's `breakage` records: the same
figures (`credits.breakage`), per currency and month, for finance only."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from djmoney.money import Money

from billing.exports import finance_export_csv, finance_export_get, finance_export_xlsx
from credits.services import credits_charge, credits_lapse_due, credits_top_up
from tests.factories import (
    make_account_manager,
    make_agent,
    make_credit_account,
    make_customer,
    make_finance_user,
)

pytestmark = pytest.mark.django_db
NOV = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def november(time_machine):
    """A COP customer buys 10 credits for 1,000,000 in October; in November it uses 4, buys 5
    more for 600,000 that expire within the month, and 5 lapse. A USD customer buys 2."""
    time_machine.move_to(NOV - timedelta(days=5), tick=False)
    cop = make_credit_account(make_customer(currency="COP"))
    credits_top_up(account=cop, credits="10", amount=Money(1_000_000, "COP"))
    time_machine.move_to(NOV + timedelta(days=2), tick=False)
    credits_charge(account=cop, credits="4")
    credits_top_up(
        account=cop, credits="5", amount=Money(600_000, "COP"), expires_at=NOV + timedelta(days=9)
    )
    usd = make_credit_account(make_customer(currency="USD"))
    credits_top_up(account=usd, credits="2", amount=Money(30, "USD"))
    time_machine.move_to(NOV + timedelta(days=12), tick=False)
    credits_lapse_due(account=cop)
    time_machine.move_to(datetime(2026, 12, 3, tzinfo=UTC), tick=False)
    return cop, usd


def test_the_page_shows_each_currencys_month_to_finance(client, november):
    client.force_login(make_finance_user())

    page = client.get("/workspace/finance/credits/", {"month": "2026-11"}).text

    assert 'data-testid="credits-COP"' in page
    assert 'data-testid="credits-USD"' in page
    headline = page[page.index('data-testid="headline-COP"') :].split("</p>")[0]
    assert "Ingreso diferido al cierre: COP 600.000." in headline
    assert "Vencidos sin usar en el mes: COP 600.000." in headline
    assert "date_from=2026-11-01&amp;date_to=2026-11-30" in page


def test_the_page_defaults_to_last_month_and_filters_by_currency(client, november):
    client.force_login(make_finance_user())

    page = client.get("/workspace/finance/credits/").text
    usd = client.get("/workspace/finance/credits/", {"month": "2026-11", "currency": "USD"}).text

    assert "noviembre de 2026" in page.lower()
    assert 'data-testid="credits-COP"' not in usd
    assert 'data-testid="credits-USD"' in usd
    bad = client.get("/workspace/finance/credits/", {"month": "2026-13"})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("make_user", "status"),
    [(make_agent, 403), (make_account_manager, 403), (make_finance_user, 200)],
)
def test_only_finance_opens_it(client, db, make_user, status):
    client.force_login(make_user())
    assert client.get("/workspace/finance/credits/").status_code == status


def test_the_export_carries_the_same_figures_as_breakage_records(november, tmp_path):
    export = finance_export_get(filters={"date_from": "2026-11-01", "date_to": "2026-11-30"})

    rows = list(csv.DictReader(io.StringIO("".join(finance_export_csv(export)).lstrip("\ufeff"))))

    breakage = {
        (row["currency"], row["kind"]): (Decimal(row["quantity"]), row["total"])
        for row in rows
        if row["record"] == "breakage"
    }
    assert breakage[("COP", "opening")] == (10, "1000000.00")
    assert breakage[("COP", "sold")] == (5, "600000.00")
    assert breakage[("COP", "used")] == (4, "400000.00")
    assert breakage[("COP", "expired")] == (5, "600000.00")
    assert breakage[("COP", "outstanding")] == (6, "600000.00")
    assert breakage[("USD", "sold")] == (2, "30.00")
    path = tmp_path / "november.xlsx"
    finance_export_xlsx(export, path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["invoices", "lines", "payments", "refunds", "totals", "credits"]
    sheet = list(workbook["credits"].iter_rows(values_only=True))
    assert sheet[0] == ("kind", "currency", "quantity", "total")
    assert len(sheet) - 1 == len(breakage)
