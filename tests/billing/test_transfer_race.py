"""Two finance users confirm the same reported transfer at the same instant (PostgreSQL, real
threads and row locks): one payment, the invoice paid once, the other refused."""

from datetime import date

import pytest
from django.core import mail

from billing.models import BankTransferReport, Invoice, Payment
from billing.services.transfers import transfer_confirm, transfer_reject, transfer_report
from tests.billing.transfer_files import pdf_bytes
from tests.factories import (
    make_contact,
    make_contract,
    make_finance_user,
    make_invoice,
    make_portal_user,
)
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reported(settings, tmp_path, frozen_now):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    contract = make_contract()
    user = make_portal_user(make_contact(contract.customer))
    invoice = make_invoice(contract.customer, issue=True)
    report = transfer_report(
        customer=contract.customer,
        by=user,
        amount=invoice.total,
        transferred_on=date(2026, 12, 2),
        reference="DAVIVIENDA-0042",
        filename="recibo.pdf",
        content=pdf_bytes(),
        invoice=invoice,
    )
    return report, invoice


def test_two_finance_users_confirming_at_once_make_one_payment(reported):
    report, invoice = reported
    finance = [make_finance_user(), make_finance_user()]

    results = run_together(lambda i: transfer_confirm(report=report, by=finance[i]), threads=2)

    outcomes = sorted(type(r).__name__ for r in results)
    assert outcomes == ["BankTransferReport", "TransferAlreadyDecided"]
    assert Payment.objects.count() == 1
    payment = Payment.objects.get()
    assert payment.applied_at is not None
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID
    row = BankTransferReport.objects.get(pk=report.pk)
    assert row.payment == payment
    assert row.decided_by in finance
    # the customer hears of it once per address (contact and billing address)
    told = [m for m in mail.outbox if "transferencia" in m.subject.lower()]
    assert len(told) == 2


def test_a_confirm_and_a_reject_at_once_decide_once(reported):
    report, _invoice = reported
    finance = make_finance_user()

    def decide(i: int):
        if i % 2:
            return transfer_reject(report=report, by=finance, reason="No aparece")
        return transfer_confirm(report=report, by=finance)

    results = run_together(decide, threads=4)

    decided = [r for r in results if isinstance(r, BankTransferReport)]
    assert len(decided) == 1
    refused = [type(r).__name__ for r in results if not isinstance(r, BankTransferReport)]
    assert refused == ["TransferAlreadyDecided"] * 3
    row = BankTransferReport.objects.get(pk=report.pk)
    assert Payment.objects.count() == (1 if row.status == "confirmed" else 0)
