"""One customer's billing month, as its mailbox and its account manager see it: the invoice
issued by the monthly run, a reminder before it falls due, the suspension when it stays
unpaid, the payment that reactivates the contract, and the month's SLA report on the first
business day of January (New Year's Day is a holiday in Colombia)."""

import io
from datetime import date

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from billing.documents.store import pdf_text
from billing.models import Invoice, Payment
from billing.services import Period, billing_run, payment_record
from contracts.models import Contract
from tests.factories import (
    make_account_manager,
    make_contact,
    make_contract,
    make_credit_account,
    make_customer,
    make_plan,
)

pytestmark = pytest.mark.django_db


def command(name: str, capture) -> str:
    out = io.StringIO()
    with capture(execute=True):
        call_command(name, stdout=out)
    return out.getvalue()


def new_mail(seen: int) -> list:
    return mail.outbox[seen:]


def test_a_customer_is_told_of_each_billing_moment_once(
    settings, tmp_path, client, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.BILLING_SUSPEND_AFTER_DAYS = 5
    capture = django_capture_on_commit_callbacks
    manager = make_account_manager(username="gerente", password="secret-password-1")
    customer = make_customer(
        legal_name="Hotel Andino S.A.S.",
        billing_email="pagos@hotel.example",
        account_manager=manager,
    )
    make_contact(customer, name="Ana Ruiz", email="ana@hotel.example", language="en")
    contract = make_contract(
        customer, plan=make_plan(name="Nivel 2", payment_grace_days=0), starts_on=date(2026, 10, 1)
    )
    make_credit_account(customer)

    with time_machine.travel("2026-12-01T07:00:00Z", tick=False) as clock:
        # 1. the monthly run issues November's invoice: both addresses get it with its PDF
        with capture(execute=True):
            billing_run(period=Period.parse("2026-11"))
        invoice = Invoice.objects.get(customer=customer)
        number = invoice.display_number
        assert invoice.due_on == date(2026, 12, 16)
        assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
            ("ana@hotel.example", f"Invoice {number}"),
            ("pagos@hotel.example", f"Factura {number}"),
        ]
        assert number in pdf_text(mail.outbox[0].attachments[0][1])

        # 2. three days before the due date, a reminder; the daily job again sends nothing
        seen = len(mail.outbox)
        clock.move_to("2026-12-13T13:00:00Z")
        command("remind_invoices", capture)
        command("remind_invoices", capture)
        assert sorted(m.subject for m in new_mail(seen)) == [
            f"Invoice {number} is due soon",
            f"La factura {number} vence pronto",
        ]

        # 3. unpaid 5 days after it made the customer insolvent (17th): suspended in the
        # hourly job's first run of the 22nd in Bogotá, told once
        seen = len(mail.outbox)
        clock.move_to("2026-12-22T04:59:00Z")
        command("billing_daily", capture)
        assert new_mail(seen) == []
        clock.move_to("2026-12-22T05:00:00Z")
        command("billing_daily", capture)
        command("billing_daily", capture)
        contract.refresh_from_db()
        assert contract.status == Contract.Status.SUSPENDED
        assert sorted(m.subject for m in new_mail(seen)) == [
            "Su contrato de soporte está suspendido",
            "Your support contract is suspended",
        ]

        # 4. the customer pays by bank transfer: reactivated, told once
        seen = len(mail.outbox)
        clock.move_to("2026-12-22T15:00:00Z")
        with capture(execute=True):
            payment_record(
                customer=customer,
                amount=invoice.total,
                provider=Payment.Provider.BANK_TRANSFER,
                provider_ref="TRX-2212",
                received_on=date(2026, 12, 22),
                invoice=invoice,
            )
        contract.refresh_from_db()
        assert contract.status == Contract.Status.ACTIVE
        assert sorted(m.subject for m in new_mail(seen)) == [
            "Su contrato de soporte está activo de nuevo",
            "Your support contract is active again",
        ]
        # a paid invoice is reminded no more
        seen = len(mail.outbox)
        clock.move_to("2026-12-23T13:00:00Z")
        assert "0 reminders" in command("remind_invoices", capture)

        # 5. December's SLA report: not on New Year's Day (a holiday) nor the weekend, but on
        # Monday 4 January, once
        clock.move_to("2027-01-01T15:00:00Z")
        assert "0 reports" in command("mail_sla_reports", capture)
        clock.move_to("2027-01-04T13:00:00Z")
        assert "1 reports" in command("mail_sla_reports", capture)
        assert "0 reports" in command("mail_sla_reports", capture)
        reports = new_mail(seen)
        assert sorted(m.subject for m in reports) == [
            "Informe de cumplimiento del SLA: diciembre 2026",
            "SLA compliance report: December 2026",
        ]

        # the account manager sees every mail on the customer's page, newest first
        client.force_login(manager)
        page = client.get(reverse("web:customer", args=[customer.pk])).content.decode()

    section = page[page.index("Correos de facturación") :]
    expected = [
        "Informe de cumplimiento del SLA de diciembre 2026",
        f"Aviso de reactivación del contrato (factura {number})",
        f"Aviso de suspensión del contrato (factura {number})",
        f"Recordatorio de pago de {number}: vence en 3 días",
        f"Factura {number} emitida",
    ]
    positions = [section.index(text) for text in expected]
    assert positions == sorted(positions)
    assert section.count("ana@hotel.example") == 5
    assert section.count("pagos@hotel.example") == 5
    assert len(mail.outbox) == 10
