"""Billing that talks: the invoice-issued mail with its PDF, payment reminders, suspension and
reactivation notices; each in the reader's language, exactly once, listed for the customer."""

import io
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from djmoney.money import Money

from background.models import SentMail
from billing import notifications, tasks
from billing.documents.store import pdf_text
from billing.models import Invoice, InvoiceLine, Payment
from billing.notifications import billing_mails_of, payment_reminders_due
from billing.services import (
    invoice_add_line,
    invoice_create_draft,
    invoice_issue,
    invoice_void,
    overdue_suspend_due,
    payment_record,
)
from tests.factories import (
    make_contact,
    make_contract,
    make_credit_account,
    make_customer,
    make_invoice,
    make_plan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def issue(customer, capture, **overrides) -> Invoice:
    with capture(execute=True):
        return make_invoice(customer, issue=True, **overrides)


def by_address(messages) -> dict:
    return {message.to[0]: message for message in messages}


def attachment_text(message) -> str:
    ((name, data, mimetype),) = message.attachments
    assert mimetype == "application/pdf"
    assert name.endswith(".pdf")
    return pdf_text(data)


# --- invoice issued ---------------------------------------------------------------------------


def test_an_issued_invoice_is_mailed_with_its_pdf_in_each_readers_language(
    frozen_now, django_capture_on_commit_callbacks
):
    # given a Spanish-speaking customer with an English-speaking authorized contact
    customer = make_customer(legal_name="Andina S.A.S.", billing_email="Pagos@Andina.example")
    make_contact(customer, email="ops@andina.example", language="en")
    make_contact(customer, email="visitante@andina.example", can_request=False)

    # when an invoice is issued
    invoice = issue(customer, django_capture_on_commit_callbacks)

    # then the billing address and the authorized contact get it, each once, nobody else
    mails = by_address(mail.outbox)
    assert set(mails) == {"pagos@andina.example", "ops@andina.example"}
    spanish, english = mails["pagos@andina.example"], mails["ops@andina.example"]
    number = invoice.display_number
    assert spanish.subject == f"Factura {number}"
    assert "Emitimos la factura" in spanish.body
    assert "3 de diciembre de 2026" in spanish.body
    assert "Vence el 18 de diciembre de 2026" in spanish.body
    assert "COP 119.000" in spanish.body  # 100.000 + 19 % IVA
    assert english.subject == f"Invoice {number}"
    assert "It is due on 18 December 2026" in english.body
    assert "/portal/invoices/" in english.body
    # the attachment is the invoice's one stored PDF, in the customer's language
    for message in (spanish, english):
        text = attachment_text(message)
        assert number in text
        assert "Factura de venta" in text


def test_an_english_customer_gets_an_english_invoice_and_pdf(
    frozen_now, django_capture_on_commit_callbacks
):
    customer = make_customer(language="en", legal_name="Caribe Corp.")

    invoice = issue(customer, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.subject == f"Invoice {invoice.display_number}"
    assert message.body.startswith("Hello, Caribe Corp.:")
    text = attachment_text(message)
    assert "Invoice" in text
    assert "Due date" in text
    assert "Factura de venta" not in text


def test_the_invoice_mail_leaves_once_however_often_its_task_runs(
    frozen_now, django_capture_on_commit_callbacks
):
    customer = make_customer()
    make_contact(customer)
    invoice = issue(customer, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2

    tasks.send_invoice_issued.enqueue(invoice.pk)
    assert notifications.send_invoice_issued(invoice.pk) == 0

    assert len(mail.outbox) == 2
    assert SentMail.objects.filter(kind=notifications.INVOICE_ISSUED_KIND).count() == 2


def test_a_contact_added_later_does_not_make_the_others_receive_it_again(
    frozen_now, django_capture_on_commit_callbacks
):
    customer = make_customer()
    invoice = issue(customer, django_capture_on_commit_callbacks)
    make_contact(customer, email="nueva@cliente.example")

    assert notifications.send_invoice_issued(invoice.pk) == 1

    assert [message.to for message in mail.outbox] == [
        [customer.billing_email],
        ["nueva@cliente.example"],
    ]


def test_a_void_invoice_or_a_credit_note_is_not_mailed(frozen_now):
    customer = make_customer()
    invoice = make_invoice(customer, issue=True)
    invoice_void(invoice, reason="Error de digitación")

    assert notifications.send_invoice_issued(invoice.pk) == 0
    assert mail.outbox == []


def test_a_manual_issue_from_a_draft_is_mailed_too(frozen_now, django_capture_on_commit_callbacks):
    customer = make_customer()
    draft = invoice_create_draft(customer=customer)
    invoice_add_line(
        invoice=draft,
        kind=InvoiceLine.Kind.OTHER,
        description="Migración de correo",
        quantity=2,
        unit_price=Money("50000", "COP"),
    )

    with django_capture_on_commit_callbacks(execute=True):
        invoice_issue(draft)

    (message,) = mail.outbox
    assert message.subject == f"Factura {Invoice.objects.get(pk=draft.pk).display_number}"


def test_a_paid_top_up_invoice_says_it_is_paid(frozen_now, django_capture_on_commit_callbacks):
    # a bank transfer for a draft: the payment path issues and pays it in one transaction
    customer = make_customer()
    make_credit_account(customer)
    draft = make_invoice(customer, source=Invoice.Source.TOP_UP)

    with django_capture_on_commit_callbacks(execute=True):
        payment_record(
            customer=customer,
            amount=draft.total,
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref="TRX-1",
            received_on=date(2026, 12, 3),
            invoice=draft,
        )

    (message,) = mail.outbox
    assert "Ya está pagada: gracias." in message.body
    assert "Vence el" not in message.body


@pytest.mark.django_db(transaction=True)
def test_nothing_is_mailed_for_an_issue_that_rolled_back(frozen_now):
    customer = make_customer()
    draft = make_invoice(customer)

    def issue_then_fail() -> None:
        with transaction.atomic():
            invoice_issue(draft)
            raise RuntimeError("the caller failed after issuing")

    with pytest.raises(RuntimeError):
        issue_then_fail()

    assert Invoice.objects.get(pk=draft.pk).status == Invoice.Status.DRAFT
    assert mail.outbox == []
    invoice_issue(draft)  # committed this time
    assert len(mail.outbox) == 1


def test_the_monthly_run_mails_each_invoice_after_its_commit(
    frozen_now, django_capture_on_commit_callbacks
):
    from billing.services.run import Period, billing_run

    first = make_contract(make_customer(language="en"), starts_on=date(2026, 10, 1))
    second = make_contract(starts_on=date(2026, 10, 1))

    with django_capture_on_commit_callbacks(execute=True):
        billing_run(period=Period.parse("2026-11"))

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [first.customer.billing_email, second.customer.billing_email]
    )
    english = by_address(mail.outbox)[first.customer.billing_email]
    assert "Period: 1 November 2026 to 30 November 2026." in english.body


# --- payment reminders ------------------------------------------------------------------------


def remind(capture) -> str:
    out = io.StringIO()
    with capture(execute=True):
        call_command("remind_invoices", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("moment", "offset"),
    [
        ("2026-12-14T12:00:00Z", None),  # 4 days before the due date (18th)
        ("2026-12-15T04:59:00Z", None),  # 23:59 on the 14th in Bogotá
        ("2026-12-15T05:00:00Z", -3),  # midnight of the 15th in Bogotá: 3 days before
        ("2026-12-17T12:00:00Z", -3),  # the -3 reminder still applies until the due date
        ("2026-12-18T12:00:00Z", 0),
        ("2026-12-24T12:00:00Z", 0),
        ("2026-12-25T12:00:00Z", 7),
        ("2027-01-02T12:00:00Z", 15),
        ("2027-03-01T12:00:00Z", 15),
    ],
)
def test_the_reminder_due_is_the_latest_offset_that_has_come(frozen_now, moment, offset):
    invoice = make_invoice(issue=True)  # issued 2026-12-03, due 2026-12-18
    frozen_now.move_to(moment)

    expected = [] if offset is None else [(invoice.pk, offset)]
    assert payment_reminders_due() == expected


def test_each_reminder_leaves_once_per_invoice_and_offset(
    frozen_now, django_capture_on_commit_callbacks
):
    customer = make_customer()
    make_contact(customer, language="en", email="ap@cliente.example")
    invoice = make_invoice(customer, issue=True)

    frozen_now.move_to("2026-12-15T13:00:00Z")
    assert "1 reminders enqueued" in remind(django_capture_on_commit_callbacks)
    assert "0 reminders enqueued" in remind(django_capture_on_commit_callbacks)  # same day
    frozen_now.move_to("2026-12-16T13:00:00Z")
    assert "0 reminders enqueued" in remind(django_capture_on_commit_callbacks)
    assert notifications.send_payment_reminder(invoice.pk, -3) == 0  # the task again

    mails = by_address(mail.outbox)
    assert len(mail.outbox) == 2
    spanish, english = mails[customer.billing_email], mails["ap@cliente.example"]
    number = invoice.display_number
    assert spanish.subject == f"La factura {number} vence pronto"
    assert "vence el 18 de diciembre de 2026, en 3 días" in spanish.body
    assert english.subject == f"Invoice {number} is due soon"
    assert "is due on 18 December 2026, in 3 days" in english.body
    assert number in attachment_text(english)

    frozen_now.move_to("2026-12-18T13:00:00Z")
    remind(django_capture_on_commit_callbacks)
    assert {message.subject for message in mail.outbox[2:]} == {
        f"Invoice {number} is due today",
        f"La factura {number} vence hoy",
    }


def test_an_overdue_reminder_names_what_comes_next(frozen_now):
    contract = make_contract(plan=make_plan(payment_grace_days=5))
    invoice = make_invoice(contract.customer, contract=contract, issue=True)
    frozen_now.move_to("2026-12-25T13:00:00Z")  # 7 days after the due date

    assert notifications.send_payment_reminder(invoice.pk, 7) == 1

    (message,) = mail.outbox
    assert message.subject == f"La factura {invoice.display_number} está vencida"
    assert "venció el 18 de diciembre de 2026, hace 7 días" in message.body
    # insolvent from the 24th (already), suspended 15 days later
    assert "no podrá abrir solicitudes" not in message.body
    assert "A partir del 8 de enero de 2027 su contrato de soporte se suspenderá." in message.body


def test_no_reminder_for_a_paid_invoice_or_before_the_issue_day(frozen_now, settings):
    paid = make_invoice(issue=True)
    Invoice.objects.filter(pk=paid.pk).update(status=Invoice.Status.PAID)
    settings.BILLING_REMINDER_DAYS = (-20, 1)  # -20 falls before the issue day
    frozen_now.move_to("2026-12-05T12:00:00Z")
    short = make_invoice(issue=True)

    assert payment_reminders_due() == []
    frozen_now.move_to("2026-12-21T12:00:00Z")
    assert payment_reminders_due() == [(short.pk, 1)]
    assert notifications.send_payment_reminder(paid.pk, 1) == 0


def test_an_empty_schedule_sends_no_reminder(frozen_now, settings):
    make_invoice(issue=True)
    settings.BILLING_REMINDER_DAYS = ()
    frozen_now.move_to("2027-01-02T12:00:00Z")
    assert payment_reminders_due() == []


# --- suspension and reactivation --------------------------------------------------------------


@pytest.mark.parametrize("language", ["es", "en"])
def test_suspension_and_reactivation_notices_once_each(
    frozen_now, settings, django_capture_on_commit_callbacks, language
):
    settings.BILLING_SUSPEND_AFTER_DAYS = 0
    customer = make_customer(language=language, legal_name="Andina S.A.S.")
    contract = make_contract(customer, plan=make_plan(name="Soporte Nivel 2", payment_grace_days=0))
    make_credit_account(customer)
    invoice = make_invoice(customer, contract=contract, issue=True)
    frozen_now.move_to("2026-12-19T12:00:00Z")  # insolvent from the 19th

    with django_capture_on_commit_callbacks(execute=True):
        (suspension,) = overdue_suspend_due()
    with django_capture_on_commit_callbacks(execute=True):
        assert overdue_suspend_due() == []
    assert notifications.send_suspension_notice(suspension.pk) == 0

    (notice,) = mail.outbox
    number = invoice.display_number
    if language == "es":
        assert notice.subject == "Su contrato de soporte está suspendido"
        assert (
            f"Suspendimos su contrato de soporte (Soporte Nivel 2) porque la factura {number}"
            in notice.body
        )
        assert "vencida el 18 de diciembre de 2026" in notice.body
    else:
        assert notice.subject == "Your support contract is suspended"
        assert "due on 18 December 2026, is still unpaid" in notice.body

    # when the customer pays, the suspension is lifted and the customer told once
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(
            customer=customer,
            amount=invoice.total,
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref="TRX-9",
            received_on=date(2026, 12, 19),
            invoice=invoice,
        )
    assert notifications.send_reactivation_notice(suspension.pk) == 0
    assert len(mail.outbox) == 2
    reactivated = mail.outbox[-1]
    if language == "es":
        assert reactivated.subject == "Su contrato de soporte está activo de nuevo"
        assert f"Recibimos el pago de la factura {number}" in reactivated.body
    else:
        assert reactivated.subject == "Your support contract is active again"
        assert f"We received the payment of invoice {number}" in reactivated.body


def test_no_suspension_notice_once_the_suspension_was_lifted(frozen_now, settings):
    settings.BILLING_SUSPEND_AFTER_DAYS = 0
    contract = make_contract(plan=make_plan(payment_grace_days=0))
    make_invoice(contract.customer, contract=contract, issue=True)
    frozen_now.move_to("2026-12-19T12:00:00Z")
    (suspension,) = overdue_suspend_due()
    suspension.lifted_at = suspension.suspended_at
    suspension.save()

    assert notifications.send_suspension_notice(suspension.pk) == 0
    assert mail.outbox == []


# --- the customer's mail log ------------------------------------------------------------------


def test_the_customers_billing_mails_are_listed_newest_first(
    frozen_now, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    customer = make_customer()
    other = make_customer()
    invoice = issue(customer, django_capture_on_commit_callbacks)
    issue(other, django_capture_on_commit_callbacks)
    frozen_now.move_to("2026-12-15T13:00:00Z")
    notifications.send_payment_reminder(invoice.pk, -3)

    with django_assert_max_num_queries(3):
        mails = billing_mails_of(customer=customer)

    assert [(m.kind, m.invoice_number, m.offset, m.recipient) for m in mails] == [
        (notifications.REMINDER_KIND, invoice.display_number, -3, customer.billing_email),
        (notifications.INVOICE_ISSUED_KIND, invoice.display_number, None, customer.billing_email),
    ]
    assert mails[0].what == f"Recordatorio de pago de {invoice.display_number}: vence en 3 días"
    assert mails[1].what == f"Factura {invoice.display_number} emitida"
