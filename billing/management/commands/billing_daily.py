from django.core.management.base import BaseCommand

from billing.services.overdue import overdue_lift_settled, overdue_suspend_due
from billing.services.subscriptions import subscriptions_end_due


class Command(BaseCommand):
    help = (
        "Daily billing upkeep: suspend contracts with invoices overdue past "
        "BILLING_SUSPEND_AFTER_DAYS, reactivate settled ones, end cancelled premium plans."
    )

    def handle(self, *args, **options):
        suspended = overdue_suspend_due()
        lifted = overdue_lift_settled()
        ended = subscriptions_end_due()
        self.stdout.write(
            f"billing daily: {len(suspended)} contracts suspended, {len(lifted)} reactivated, "
            f"{len(ended)} premium plans ended"
        )
