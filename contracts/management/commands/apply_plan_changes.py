"""Put scheduled plan changes in force on their day (run hourly from cron)."""

from django.core.management.base import BaseCommand

from contracts.services import plan_changes_apply_due


class Command(BaseCommand):
    help = (
        "Apply every scheduled plan change whose effective day has begun in its customer's "
        "time zone; idempotent, prints one line per change and a count."
    )

    def handle(self, *args, **options) -> None:
        applied = plan_changes_apply_due()
        for change in applied:
            self.stdout.write(f"contract {change.contract_id}: {change}")
        self.stdout.write(f"{len(applied)} plan changes applied")
