from datetime import date

import pytest
from djmoney.money import Money

from billing.models import Invoice, Payment
from tests.factories import make_invoice

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
