"""The mail that tells a customer finance confirmed or rejected the bank transfer they
reported (`billing.services.transfers`): a task enqueued on commit, sent once per report,
decision and recipient (`background.mail.mail_once`), to the contact who reported it and to
the billing address, each in its language."""

from typing import TYPE_CHECKING

from django.core.mail import EmailMessage

from background.mail import mail_once
from background.queue import background_task
from core.formatting import format_day, money_text
from core.languages import in_language

if TYPE_CHECKING:
    from billing.models import BankTransferReport


def _message(report: "BankTransferReport", address: str, language: str) -> EmailMessage:
    from billing.models import BankTransferReport

    amount = money_text(report.amount, language=language)
    day = format_day(report.transferred_on, language)
    if report.invoice is not None:
        what_es = f"la factura {report.invoice.display_number}"
        what_en = f"invoice {report.invoice.display_number}"
    elif report.credit_pack is not None:
        what_es = f"el paquete {report.credit_pack.name}"
        what_en = f"the {report.credit_pack.name} pack"
    else:
        # A database constraint makes every report carry an invoice or a credit pack.
        raise ValueError(f"bank transfer report {report.pk} has no invoice nor credit pack")
    if report.status == BankTransferReport.Status.CONFIRMED:
        subject = in_language(
            "Confirmamos su transferencia", "We confirmed your bank transfer", language
        )
        body = in_language(
            f"Recibimos su transferencia de {amount} del {day} (referencia "
            f"{report.reference}) y la aplicamos a {what_es}. Gracias.",
            f"We received your transfer of {amount} of {day} (reference "
            f"{report.reference}) and applied it to {what_en}. Thank you.",
            language,
        )
    else:
        subject = in_language(
            "No pudimos confirmar su transferencia",
            "We could not confirm your bank transfer",
            language,
        )
        body = in_language(
            f"No pudimos confirmar su transferencia de {amount} del {day} (referencia "
            f"{report.reference}) para {what_es}.\n\nMotivo: {report.rejection_reason}\n\n"
            "Puede informarla de nuevo con otro comprobante desde el portal.",
            f"We could not confirm your transfer of {amount} of {day} (reference "
            f"{report.reference}) for {what_en}.\n\nReason: {report.rejection_reason}\n\n"
            "You may report it again with another proof from the portal.",
            language,
        )
    return EmailMessage(subject, body, None, [address])


def transfer_decision_mails(report_id: int) -> list[EmailMessage]:
    """One mail per address: the reporting contact's and the billing address."""
    from billing.models import BankTransferReport
    from contracts.models import Contact

    report = BankTransferReport.objects.select_related("customer", "invoice", "credit_pack").get(
        pk=report_id
    )
    if report.status == BankTransferReport.Status.PENDING:
        return []
    customer = report.customer
    recipients: dict[str, str] = {}
    contact = Contact.objects.filter(user_id=report.reported_by_id).first()
    if contact is not None and contact.email:
        recipients[contact.email.lower()] = contact.language or customer.language
    recipients.setdefault(customer.billing_email.lower(), customer.language)
    return [_message(report, address, language) for address, language in recipients.items()]


@background_task
def send_transfer_decision(report_id: int) -> int:
    """Idempotent: a mail already sent for this report's decision is not sent again."""
    from billing.models import BankTransferReport

    status = BankTransferReport.objects.values_list("status", flat=True).get(pk=report_id)
    return sum(
        mail_once(message, kind="transfer_decision", about=f"{report_id}:{status}")
        for message in transfer_decision_mails(report_id)
    )
