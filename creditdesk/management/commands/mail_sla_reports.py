"""Enqueue last month's SLA compliance report of each contract whose customer's first
business day of the month has come (once per contract and month)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from background.queue import enqueue_on_commit
from creditdesk.reports.mailing import sla_reports_due
from creditdesk.tasks import send_sla_report


class Command(BaseCommand):
    help = (
        "Enqueue the mail of last month's SLA compliance report (PDF) for each live contract "
        "whose customer's first business day of this month has come: once per contract and "
        "month, to the billing address and the authorized contacts."
    )

    def handle(self, *args, **options) -> None:
        due = sla_reports_due(now=timezone.now())
        for contract_id, month in due:
            enqueue_on_commit(send_sla_report, contract_id, month)
        self.stdout.write(f"mail_sla_reports: {len(due)} reports enqueued")
