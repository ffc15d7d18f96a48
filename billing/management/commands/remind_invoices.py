"""Enqueue the payment reminders due today (BILLING_REMINDER_DAYS from each unpaid invoice's
due date, in its customer's calendar day; once per invoice and offset)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from background.queue import enqueue_on_commit
from billing.notifications import payment_reminders_due
from billing.tasks import send_payment_reminder


class Command(BaseCommand):
    help = (
        "Enqueue a payment reminder for each issued, unpaid invoice whose reminder day "
        "(BILLING_REMINDER_DAYS from its due date) has come: once per invoice and offset, to "
        "the billing address and the authorized contacts."
    )

    def handle(self, *args, **options) -> None:
        due = payment_reminders_due(now=timezone.now())
        for invoice_id, offset in due:
            enqueue_on_commit(send_payment_reminder, invoice_id, offset)
        self.stdout.write(f"remind_invoices: {len(due)} reminders enqueued")
