"""Enqueue the reminders of credits expiring in 30 and 7 days (once per block and threshold)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from background.queue import enqueue_on_commit
from credits.selectors import expiry_reminders_due
from credits.tasks import send_expiry_reminder


class Command(BaseCommand):
    help = (
        "Enqueue a mail to each customer whose credits expire within 30 days, and again within "
        "7 days: once per block and threshold, to its billing address and authorized contacts."
    )

    def handle(self, *args, **options) -> None:
        due = expiry_reminders_due(now=timezone.now())
        for block_id, days in due:
            enqueue_on_commit(send_expiry_reminder, block_id, days)
        self.stdout.write(f"remind_expiring_credits: {len(due)} reminders enqueued")
