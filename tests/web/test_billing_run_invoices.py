"""A billing run's "Ver las facturas emitidas" lists that run's invoices, and only them.

It used to filter by the day the run started (`?issued_from=`), which also listed every later
run's invoices and every manual one issued since."""

import re

import pytest
import time_machine
from django.test import Client
from djmoney.money import Money

from billing.models import BillingRun, Invoice
from billing.services import Period, billing_run
from tests.billing.conftest import frozen_now  # noqa: F401  (fixture)
from tests.factories import make_contract, make_finance_user, make_invoice, make_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

STATUS = "/workspace/finance/billing-run/?period={period}&fragment=status"


@pytest.fixture
def finance(client: Client):
    client.force_login(make_finance_user(username="finanzas"))
    return client


ROW = re.compile(r'data-testid="invoice-row">\s*<td[^>]*><a href="[^"]+">([^<]+)</a>')


def _rows(page: str) -> set[str]:
    return set(ROW.findall(page))


def _numbers(invoices) -> set[str]:
    return {invoice.display_number for invoice in invoices}


def _link(finance: Client, period: str, language: str) -> str:
    fragment = finance.get(STATUS.format(period=period), HTTP_ACCEPT_LANGUAGE=language).text
    text = "Ver las facturas emitidas" if language == "es" else "View issued invoices"
    return re.search(rf'<a href="([^"]+)">{text}</a>', fragment).group(1).replace("&amp;", "&")


@pytest.mark.parametrize(
    ("language", "banner", "clear"),
    [
        ("es", "Facturas de la corrida de facturación de octubre de 2026", "Ver todas las"),
        ("en", "Invoices of the billing run of October 2026", "View all"),
    ],
)
def test_a_runs_link_lists_exactly_its_invoices(finance, language, banner, clear):
    for fee in ("120900", "60000"):
        make_contract(plan=make_plan(monthly_fee=Money(fee, "COP")))
    with time_machine.travel("2026-11-02T12:00:00Z", tick=False):
        billing_run(period=Period.parse("2026-10"))
    billing_run(period=Period.parse("2026-11"))
    manual = make_invoice(issue=True)  # the same day as November's run
    october = Invoice.objects.filter(period_start="2026-10-01")
    november = Invoice.objects.filter(period_start="2026-11-01")
    assert (october.count(), november.count()) == (2, 2)

    link = _link(finance, "2026-10", language)
    page = finance.get(link, HTTP_ACCEPT_LANGUAGE=language).text

    assert _rows(page) == _numbers(october)
    assert banner in page
    assert re.search(rf'<a href="/workspace/finance/invoices/">{clear}', page)
    later = finance.get(_link(finance, "2026-11", language), HTTP_ACCEPT_LANGUAGE=language).text
    assert _rows(later) == _numbers(november)
    assert manual.display_number not in later
    everything = finance.get("/workspace/finance/invoices/", HTTP_ACCEPT_LANGUAGE=language).text
    assert _rows(everything) == _numbers(october) | _numbers(november) | {manual.display_number}
    assert banner not in everything


def test_the_run_filter_keeps_the_others_and_refuses_a_bad_run_without_a_500(finance):
    make_contract(plan=make_plan(monthly_fee=Money("120900", "COP")))
    billing_run(period=Period.parse("2026-11"))
    run = BillingRun.objects.get()
    (invoice,) = Invoice.objects.filter(period_start="2026-11-01")

    paid = finance.get("/workspace/finance/invoices/", {"run": run.pk, "status": "paid"}).text
    issued = finance.get("/workspace/finance/invoices/", {"run": run.pk, "status": "issued"}).text

    assert _rows(paid) == set()
    assert _rows(issued) == {invoice.display_number}
    assert f'name="run" value="{run.pk}"' in issued  # "Filtrar" keeps the run
    for bad in ("987654", "abc", "1" * 30, "-1"):
        answer = finance.get("/workspace/finance/invoices/", {"run": bad})
        assert answer.status_code == 200
        assert "Facturas de la corrida" not in answer.text
