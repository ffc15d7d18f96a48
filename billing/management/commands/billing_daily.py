from django.core.management.base import BaseCommand

from billing.services.autotopup import auto_top_up_resume
from billing.services.overdue import (
    overdue_announce,
    overdue_lift_settled,
    overdue_suspend_due,
)
from billing.services.subscriptions import subscriptions_end_due
from billing.services.webhooks import stripe_events_replay_pending


class Command(BaseCommand):
    help = (
        "Billing upkeep of each customer's day (run it hourly: a customer's day starts at its "
        "own midnight): announce overdue invoices, suspend contracts with invoices overdue "
        "past BILLING_SUSPEND_AFTER_DAYS, reactivate settled ones, end cancelled premium "
        "plans; charge again (or end) the auto top-ups whose task died; process the Stripe events "
        "still waiting for a subscription (rejected a day after they arrived)."
    )

    def handle(self, *args, **options):
        overdue = overdue_announce()
        suspended = overdue_suspend_due()
        lifted = overdue_lift_settled()
        ended = subscriptions_end_due()
        charged_again, uncharged = auto_top_up_resume()
        waited = stripe_events_replay_pending()
        self.stdout.write(
            f"billing daily: {overdue} invoices overdue, {len(suspended)} contracts suspended, "
            f"{len(lifted)} reactivated, {len(ended)} premium plans ended, "
            f"{charged_again} auto top-ups charged again, {uncharged} ended uncharged, "
            f"{waited.count('processed')} waiting Stripe events processed, "
            f"{waited.count('rejected')} given up"
        )
