from datetime import date
from decimal import Decimal

import pytest
from djmoney.money import Money

from billing.models import Invoice, OnsiteCharge, Payment, TaxRate
from tests.factories import make_contract, make_invoice

pytestmark = pytest.mark.django_db


def test_finance_pages_render(admin_client):
    invoice = make_invoice(issue=True)
    for url in [
        "/admin/billing/invoice/",
        f"/admin/billing/invoice/{invoice.pk}/change/",
        "/admin/billing/payment/?needs_attention__exact=1",
        "/admin/billing/payment/record-transfer/",
        "/admin/billing/stripeevent/",
        "/admin/billing/billingrun/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_finance_records_a_bank_transfer_in_the_admin(admin_client):
    invoice = make_invoice(issue=True)
    response = admin_client.post(
        "/admin/billing/payment/record-transfer/",
        {
            "customer": invoice.customer_id,
            "invoice": invoice.pk,
            "amount_0": "119000",
            "amount_1": "COP",
            "provider": Payment.Provider.BANK_TRANSFER,
            "provider_ref": "BANCO-123",
            "received_on": date(2026, 12, 1).isoformat(),
        },
    )
    assert response.status_code == 302
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID
    payment = Payment.objects.get(provider_ref="BANCO-123")
    assert payment.amount == Money("119000", "COP")
    assert payment.applied_at is not None


def test_a_finance_user_works_the_back_office_and_an_agent_may_not_record_payments(client):
    from tests.factories import make_agent, make_finance_user

    invoice = make_invoice(issue=True)
    client.force_login(make_finance_user())
    for url in [
        "/admin/billing/invoice/",
        f"/admin/billing/invoice/{invoice.pk}/change/",
        "/admin/billing/payment/record-transfer/",
        "/admin/credits/ledgerentry/",
    ]:
        assert client.get(url).status_code == 200, url

    client.force_login(make_agent())
    assert client.get("/admin/billing/payment/record-transfer/").status_code == 403


@pytest.mark.parametrize("typed", ["1e1", "1_0", "NaN", "\u0661\u0660"])
def test_the_admin_takes_plain_digits_for_a_rate(admin_client, typed):
    # Decimal() reads all of these; every page and the API take plain digits only.
    form = {"country": "CO", "name": "IVA", "valid_from": "2027-01-01"}

    refused = admin_client.post("/admin/billing/taxrate/add/", form | {"rate": typed})

    assert refused.status_code == 200
    assert "rate" in refused.context["adminform"].form.errors
    saved = admin_client.post("/admin/billing/taxrate/add/", form | {"rate": "10"})
    assert saved.status_code == 302
    assert TaxRate.objects.get(valid_from=date(2027, 1, 1)).rate == Decimal("10")


def test_the_admin_takes_plain_digits_for_an_amount_and_keeps_its_currency(admin_client):
    contract = make_contract()
    form = {
        "contract": contract.pk,
        "performed_on": "2026-11-20",
        "description": "Visita",
        "amount_1": "COP",
    }

    refused = admin_client.post("/admin/billing/onsitecharge/add/", form | {"amount_0": "5e4"})

    assert refused.status_code == 200
    assert "amount" in refused.context["adminform"].form.errors
    assert not OnsiteCharge.objects.exists()
    saved = admin_client.post("/admin/billing/onsitecharge/add/", form | {"amount_0": "50000"})
    assert saved.status_code == 302
    assert OnsiteCharge.objects.get().amount == Money("50000", "COP")
