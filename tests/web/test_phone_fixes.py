"""What a browser walk at 390 px found: the customer page's billing mails are cards like the
page's other tables, the webhook confirmation lays out its facts and buttons with the site's
patterns, and finance's invoice list told of a stale `?run=` with the hidden field's key."""

import re

import pytest
from djmoney.money import Money

from billing import notifications
from billing.models import BillingRun
from billing.services import Period, billing_run
from tests.billing.conftest import frozen_now  # noqa: F401  (fixture)
from tests.clients import signed_in
from tests.factories import (
    make_account_manager,
    make_contract,
    make_customer,
    make_finance_user,
    make_invoice,
    make_plan,
)
from tests.web.test_portal_readable import assert_cells_labelled

pytestmark = pytest.mark.django_db

INVOICES = "/workspace/finance/invoices/"
ROW = 'data-testid="invoice-row"'
UNKNOWN = {
    "es": "Esa corrida de facturación no existe; se muestran las facturas sin limitarlas a una "
    "corrida.",
    "en": "That billing run does not exist; the invoices are listed without limiting them to "
    "a run.",
}


def test_the_billing_mails_table_is_cards_on_a_phone(django_capture_on_commit_callbacks):
    manager = make_account_manager(username="gerente")
    customer = make_customer(billing_email="pagos@hotel.example", account_manager=manager)
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(customer, issue=True)
    notifications.send_payment_reminder(invoice.pk, -3)

    html = signed_in(manager).get(f"/workspace/customers/{customer.pk}/").text

    mails = html[html.index('id="billing-mails"') :]
    mails = mails[: mails.index("</table>") + len("</table>")]
    assert '<table class="stack">' in mails
    assert invoice.display_number in mails
    assert_cells_labelled(mails, "billing mails")
    assert 'data-label="Para">pagos@hotel.example</td>' in mails


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize("language", ["es", "en"])
def test_an_unknown_run_says_so_in_the_readers_words_and_lists_without_it(language):
    make_contract(plan=make_plan(monthly_fee=Money("120900", "COP")))
    billing_run(period=Period.parse("2026-11"))
    make_invoice(issue=True)
    finance = signed_in(make_finance_user(username="finanzas"))
    known = BillingRun.objects.get().pk
    everything = finance.get(INVOICES, HTTP_ACCEPT_LANGUAGE=language).text
    assert everything.count(ROW) == 2
    assert UNKNOWN[language] not in everything
    narrowed = finance.get(INVOICES, {"run": known}, HTTP_ACCEPT_LANGUAGE=language).text
    assert narrowed.count(ROW) == 1
    assert UNKNOWN[language] not in narrowed

    for bad in ("abc", "999999", "1" * 30, "-1", " "):
        answer = finance.get(INVOICES, {"run": bad}, HTTP_ACCEPT_LANGUAGE=language)

        assert answer.status_code == 200, bad
        assert UNKNOWN[language] in answer.text, bad
        assert answer.text.count(ROW) == 2, bad
        assert not re.search(r"(Campo oculto|Hidden field) run", answer.text), bad
        assert 'class="errorlist' not in answer.text, bad
        # "Filtrar" does not ask for the missing run again
        assert re.search(r'<input type="hidden" name="run" id="id_run">', answer.text), bad
    # with other filters the unknown run is dropped and the others still apply
    paid = finance.get(
        INVOICES, {"run": "999999", "status": "paid"}, HTTP_ACCEPT_LANGUAGE=language
    ).text
    assert paid.count(ROW) == 0
    assert UNKNOWN[language] in paid
