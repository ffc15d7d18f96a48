"""Billing that talks: mail to customers about their invoices and contracts, and the log of
that mail for the customer's workspace page.

- an invoice issued, its PDF attached (`send_invoice_issued`; every issuing path goes
  through `billing.services.invoices.issue_locked`, which enqueues it on commit: the PDF is
  rendered by the task, never inside the issuing transaction);
- payment reminders before, on and after the due date, on `BILLING_REMINDER_DAYS`
  (`payment_reminders_due`, enqueued daily by `manage.py remind_invoices`);
- a suspension notice and a reactivation notice (`billing.services.overdue`);
- the month's SLA compliance report, sent by the top layer (`creditdesk.reports.mailing`)
  through `customer_mail_send` with the kind `SLA_REPORT_KIND`.

Every mail goes, one message each, to the customer's billing address (in the customer's
language) and its authorized contacts (each in their own), in the customer's time zone, and
leaves once per subject and recipient (`background.mail.mail_once`). Which customer a mail
was about is the start of its `SentMail.about` ("<customer id>:..."): the format is written
and read only in this module (`mail_about`, `billing_mails_of`), so the log needs no model
of its own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from background.mail import mail_once, recipients_key
from background.models import SentMail
from billing.models import BillingSuspension, Invoice
from contracts.models import Customer
from core.formatting import document_locale, format_date, money_text, zone_label
from core.languages import in_language, language_code

INVOICE_ISSUED_KIND = "billing_invoice"
REMINDER_KIND = "billing_reminder"
SUSPENDED_KIND = "billing_suspended"
REACTIVATED_KIND = "billing_reactivated"
SLA_REPORT_KIND = "sla_report"
KINDS = (INVOICE_ISSUED_KIND, REMINDER_KIND, SUSPENDED_KIND, REACTIVATED_KIND, SLA_REPORT_KIND)

# Days from an invoice's due date at which an unpaid invoice is reminded (negative: before).
DEFAULT_REMINDER_DAYS = (-3, 0, 7, 15)

PDF = "application/pdf"
Attachment = tuple[str, bytes, str]


# --- who, in which language, and the one way a billing mail leaves ------------------------------


def mail_about(customer_id: int, *parts: object) -> str:
    """The `SentMail.about` of a billing mail: the customer first, then what it is about."""
    return ":".join(str(part) for part in (customer_id, *parts))


def customer_recipients(customer: Customer) -> dict[str, str]:
    """Address -> language: the billing address in the customer's language, then each
    authorized contact in theirs (an address listed twice keeps the first)."""
    recipients = {customer.billing_email.strip().lower(): customer.language}
    for email, language in customer.contacts.filter(can_request=True).values_list(
        "email", "language"
    ):
        recipients.setdefault(email.strip().lower(), language or customer.language)
    return recipients


def customer_mail_send(
    *,
    customer: Customer,
    kind: str,
    about: str,
    subject: tuple[str, str],
    template: str,
    context: dict,
    attachments: Callable[[str], list[Attachment]] | None = None,
) -> int:
    """Mail `template` (`<template>.<es|en>.txt`) to each of the customer's recipients not
    yet sent this mail, in their language and the customer's zone; `attachments(language)`
    is asked once per language, and only for someone who still needs the mail (a PDF is
    not rendered for nobody). Returns the mails sent now."""
    sent_to = set(
        SentMail.objects.filter(kind=kind, about=about).values_list("recipient", flat=True)
    )
    files: dict[str, list[Attachment]] = {}
    sent = 0
    for address, language in sorted(customer_recipients(customer).items()):
        if recipients_key([address]) in sent_to:
            continue
        with translation.override(language), timezone.override(customer.time_zone_info):
            body = render_to_string(
                f"{template}.{language}.txt",
                {
                    "customer": customer,
                    "time_zone": zone_label(customer.time_zone, language),
                    **{
                        key: value(language) if callable(value) else value
                        for key, value in context.items()
                    },
                },
            )
        if attachments is not None and language not in files:
            files[language] = attachments(language)
        message = EmailMessage(
            subject=in_language(*subject, language),
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            attachments=files.get(language, []),
        )
        sent += mail_once(message, kind=kind, about=about)
    return sent


def _day(value: date | None) -> Callable[[str], str]:
    return lambda language: format_date(value, locale=document_locale(language))


def _money(invoice: Invoice) -> Callable[[str], str]:
    return lambda language: money_text(invoice.total, language=language)


def _invoice_pdf(invoice: Invoice) -> Callable[[str], list[Attachment]]:
    """The invoice's one stored PDF (rendered now by the task if not yet), in the language it
    was issued in: the same document whoever reads it."""

    def attach(_language: str) -> list[Attachment]:
        from billing.documents.store import invoice_pdf_get

        stored = invoice_pdf_get(invoice=invoice)
        with stored.open("rb") as handle:
            return [(f"{invoice.display_number}.pdf", handle.read(), PDF)]

    return attach


def _portal(name: str) -> str:
    site: str = settings.SITE_URL
    return site + reverse(name)


# --- an invoice issued ---------------------------------------------------------------------------


def _invoice(invoice_id: int) -> Invoice:
    return Invoice.objects.select_related("customer", "series", "contract__plan").get(pk=invoice_id)


def send_invoice_issued(invoice_id: int) -> int:
    """The invoice, its PDF attached; says it is paid already (a top-up) or when it is due.
    Nothing for a credit note or an invoice voided before the mail left."""
    invoice = _invoice(invoice_id)
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status not in (
        Invoice.Status.ISSUED,
        Invoice.Status.PAID,
    ):
        return 0
    number = invoice.display_number
    return customer_mail_send(
        customer=invoice.customer,
        kind=INVOICE_ISSUED_KIND,
        about=mail_about(invoice.customer_id, "invoice", invoice.pk),
        subject=(f"Factura {number}", f"Invoice {number}"),
        template="billing/email/invoice_issued",
        context={
            "invoice": invoice,
            "number": number,
            "paid": invoice.status == Invoice.Status.PAID,
            "total": _money(invoice),
            "issued_on": _day(invoice.issued_on),
            "due_on": _day(invoice.due_on),
            "period_start": _day(invoice.period_start),
            "period_end": _day(invoice.period_end),
            "url": _portal("web:invoices"),
        },
        attachments=_invoice_pdf(invoice),
    )


# --- payment reminders ---------------------------------------------------------------------------


def reminder_days() -> tuple[int, ...]:
    """`BILLING_REMINDER_DAYS` (default `DEFAULT_REMINDER_DAYS`), each once, in order."""
    days = getattr(settings, "BILLING_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)
    return tuple(sorted({int(day) for day in days}))


def reminder_offset(invoice: Invoice, *, today: date) -> int | None:
    """The reminder an unpaid invoice is due for on the customer's `today`: the latest offset
    whose day has come (missed earlier ones are not sent late), never one falling on or
    before the issue day (the invoice's own mail told the due date); None if none."""
    if invoice.due_on is None:
        return None
    come = [
        days
        for days in reminder_days()
        if invoice.due_on + timedelta(days=days) <= today
        and (invoice.issued_on is None or invoice.due_on + timedelta(days=days) > invoice.issued_on)
    ]
    return come[-1] if come else None


def payment_reminders_due(*, now: datetime | None = None) -> list[tuple[int, int]]:
    """(invoice, offset) for each issued, unpaid invoice whose reminder for the latest offset
    that has come, in its customer's calendar day, was not sent yet. Two queries."""
    offsets = reminder_days()
    if not offsets:
        return []
    now = now or timezone.now()
    # No customer's local date is later than the UTC date plus one.
    latest_day = now.astimezone(UTC).date() + timedelta(days=1)
    invoices = Invoice.objects.filter(
        kind=Invoice.Kind.INVOICE,
        status=Invoice.Status.ISSUED,
        due_on__lte=latest_day - timedelta(days=offsets[0]),
    ).select_related("customer")
    due: dict[str, tuple[int, int]] = {}
    for invoice in invoices.order_by("pk"):
        offset = reminder_offset(
            invoice, today=now.astimezone(invoice.customer.time_zone_info).date()
        )
        if offset is not None:
            due[mail_about(invoice.customer_id, "invoice", invoice.pk, offset)] = (
                invoice.pk,
                offset,
            )
    sent = set(
        SentMail.objects.filter(kind=REMINDER_KIND, about__in=list(due)).values_list(
            "about", flat=True
        )
    )
    return [pair for about, pair in due.items() if about not in sent]


def send_payment_reminder(invoice_id: int, offset: int) -> int:
    """A reminder `offset` days from the due date (negative: before). Nothing once the
    invoice is paid or voided."""
    invoice = _invoice(invoice_id)
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status != Invoice.Status.ISSUED:
        return 0
    number = invoice.display_number
    if offset < 0:
        subject = (f"La factura {number} vence pronto", f"Invoice {number} is due soon")
    elif offset == 0:
        subject = (f"La factura {number} vence hoy", f"Invoice {number} is due today")
    else:
        subject = (f"La factura {number} está vencida", f"Invoice {number} is overdue")
    today = timezone.localdate(timezone=invoice.customer.time_zone_info)
    insolvent_on = invoice.insolvent_on or invoice.due_on
    if insolvent_on is None:
        # An issued invoice always carries its due date.
        raise ValueError(f"issued invoice {invoice.pk} has no due date")
    suspend_on = insolvent_on + timedelta(days=int(settings.BILLING_SUSPEND_AFTER_DAYS))
    return customer_mail_send(
        customer=invoice.customer,
        kind=REMINDER_KIND,
        about=mail_about(invoice.customer_id, "invoice", invoice.pk, offset),
        subject=subject,
        template="billing/email/reminder",
        context={
            "invoice": invoice,
            "number": number,
            "offset": offset,
            "days": abs(offset),
            "total": _money(invoice),
            "due_on": _day(invoice.due_on),
            "insolvent_on": _day(insolvent_on),
            "insolvent_ahead": insolvent_on > today,
            "suspend_on": _day(suspend_on),
            "suspend_ahead": suspend_on > today,
            "url": _portal("web:invoices"),
        },
        attachments=_invoice_pdf(invoice),
    )


# --- suspension and reactivation -----------------------------------------------------------------


def _suspension(suspension_id: int) -> BillingSuspension:
    return BillingSuspension.objects.select_related(
        "contract__customer", "contract__plan", "invoice__series"
    ).get(pk=suspension_id)


def send_suspension_notice(suspension_id: int) -> int:
    """The contract is suspended for an overdue invoice: which one, what it means, how it
    ends. Nothing when the suspension was lifted before the mail left."""
    suspension = _suspension(suspension_id)
    if suspension.lifted_at is not None:
        return 0
    contract, invoice = suspension.contract, suspension.invoice
    return customer_mail_send(
        customer=contract.customer,
        kind=SUSPENDED_KIND,
        about=mail_about(contract.customer_id, "suspension", suspension.pk),
        subject=("Su contrato de soporte está suspendido", "Your support contract is suspended"),
        template="billing/email/suspended",
        context={
            "contract": contract,
            "plan": contract.plan.name,
            "number": invoice.display_number,
            "total": _money(invoice),
            "due_on": _day(invoice.due_on),
            "url": _portal("web:invoices"),
        },
    )


def send_reactivation_notice(suspension_id: int) -> int:
    """The payment lifted the suspension: the contract is active again."""
    suspension = _suspension(suspension_id)
    contract = suspension.contract
    if suspension.lifted_at is None or contract.status != contract.Status.ACTIVE:
        return 0
    return customer_mail_send(
        customer=contract.customer,
        kind=REACTIVATED_KIND,
        about=mail_about(contract.customer_id, "suspension", suspension.pk),
        subject=(
            "Su contrato de soporte está activo de nuevo",
            "Your support contract is active again",
        ),
        template="billing/email/reactivated",
        context={
            "contract": contract,
            "plan": contract.plan.name,
            "number": suspension.invoice.display_number,
            "url": _portal("home"),
        },
    )


# --- the log on the customer's page --------------------------------------------------------------


@dataclass(frozen=True)
class BillingMail:
    """One billing mail that left: what (kind, and the invoice or month it was about), when,
    to whom."""

    kind: str
    sent_at: datetime
    recipient: str
    invoice_number: str = ""
    offset: int | None = None
    month: date | None = None

    @property
    def what(self) -> str:
        """What the mail was, in the active language."""
        number, days = self.invoice_number, abs(self.offset or 0)
        if self.kind == INVOICE_ISSUED_KIND:
            return _("Factura %(number)s emitida") % {"number": number}
        if self.kind == REMINDER_KIND and (self.offset or 0) < 0:
            return ngettext(
                "Recordatorio de pago de %(number)s: vence en %(days)s día",
                "Recordatorio de pago de %(number)s: vence en %(days)s días",
                days,
            ) % {"number": number, "days": days}
        if self.kind == REMINDER_KIND and self.offset == 0:
            return _("Recordatorio de pago de %(number)s: vence hoy") % {"number": number}
        if self.kind == REMINDER_KIND:
            return ngettext(
                "Recordatorio de pago de %(number)s: vencida hace %(days)s día",
                "Recordatorio de pago de %(number)s: vencida hace %(days)s días",
                days,
            ) % {"number": number, "days": days}
        if self.kind == SUSPENDED_KIND:
            return _("Aviso de suspensión del contrato (factura %(number)s)") % {"number": number}
        if self.kind == REACTIVATED_KIND:
            return _("Aviso de reactivación del contrato (factura %(number)s)") % {"number": number}
        month = format_date(self.month, locale=document_locale(language_code()), pattern="MMMM y")
        return _("Informe de cumplimiento del SLA de %(month)s") % {"month": month}


def billing_mails_of(*, customer: Customer, limit: int = 50) -> list[BillingMail]:
    """The customer's billing mails, newest first (`limit` of them). At most three queries."""
    rows = [
        (kind, about.split(":")[1:], sent_at, recipient)
        for kind, about, sent_at, recipient in SentMail.objects.filter(
            kind__in=KINDS, about__startswith=f"{customer.pk}:"
        )
        .order_by("-sent_at", "-pk")
        .values_list("kind", "about", "sent_at", "recipient")[:limit]
    ]
    invoice_ids = {int(parts[1]) for _k, parts, _s, _r in rows if parts[0] == "invoice"}
    suspension_ids = {int(parts[1]) for _k, parts, _s, _r in rows if parts[0] == "suspension"}
    invoices = {
        invoice.pk: invoice.display_number
        for invoice in Invoice.objects.filter(pk__in=invoice_ids).select_related("series")
    }
    suspensions = (
        {
            suspension.pk: suspension.invoice.display_number
            for suspension in BillingSuspension.objects.filter(
                pk__in=suspension_ids
            ).select_related("invoice__series")
        }
        if suspension_ids
        else {}
    )
    mails = []
    for kind, parts, sent_at, recipient in rows:
        what, ref, rest = parts[0], int(parts[1]), parts[2:]
        fields: dict = {"kind": kind, "sent_at": sent_at, "recipient": recipient}
        if what == "invoice":
            fields["invoice_number"] = invoices.get(ref, "")
            fields["offset"] = int(rest[0]) if rest else None
        elif what == "suspension":
            fields["invoice_number"] = suspensions.get(ref, "")
        elif what == "contract":
            fields["month"] = date.fromisoformat(f"{rest[0]}-01")
        mails.append(BillingMail(**fields))
    return mails
