"""Billing's mails under concurrency on PostgreSQL: real threads, real row locks. A mail
follows the committed fact, so racing issuers or lifters mail the customer once."""

import pytest
from django.core import mail
from django.utils import timezone

from background.models import SentMail
from billing.models import BillingSuspension
from billing.notifications import INVOICE_ISSUED_KIND, REACTIVATED_KIND
from billing.services import invoice_issue, overdue_lift_settled
from contracts.models import Contract
from contracts.services import contract_suspend
from tests.factories import make_contract, make_customer, make_invoice
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_four_issuers_of_one_draft_mail_its_invoice_once():
    customer = make_customer()
    draft = make_invoice(customer)

    results = run_together(lambda i: invoice_issue(draft), threads=4)

    assert sum(not isinstance(result, Exception) for result in results) == 1
    (message,) = mail.outbox
    assert message.to == [customer.billing_email]
    assert SentMail.objects.filter(kind=INVOICE_ISSUED_KIND).count() == 1


def test_four_lifters_of_one_suspension_send_one_reactivation_notice():
    # given a contract billing suspended for an invoice since paid
    contract = make_contract()
    invoice = make_invoice(contract.customer, contract=contract, issue=True)
    mail.outbox.clear()
    contract_suspend(contract, reason="Factura vencida")
    BillingSuspension.objects.create(
        contract=contract, invoice=invoice, suspended_at=timezone.now()
    )
    invoice.status = invoice.Status.PAID
    invoice.save(update_fields=["status"])

    # when four daily jobs lift it at once
    results = run_together(lambda i: len(overdue_lift_settled()), threads=4)

    # then it is lifted once and the customer told once
    assert sorted(results) == [0, 0, 0, 1]
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert [message.subject for message in mail.outbox] == [
        "Su contrato de soporte está activo de nuevo"
    ]
    assert SentMail.objects.filter(kind=REACTIVATED_KIND).count() == 1
