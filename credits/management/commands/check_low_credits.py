"""Check every active contract's credits against its low-credits thresholds (hourly)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from contracts.models import Contract
from credits.alerts import credits_low_check


class Command(BaseCommand):
    help = (
        "Alert each customer whose credits crossed below its contract's thresholds (once per "
        "crossing: mail and the credits.low webhook event); re-arm those topped up since."
    )

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        contracts = Contract.objects.filter(status=Contract.Status.ACTIVE).select_related(
            "customer", "plan"
        )
        checked, fired = 0, 0
        for contract in contracts.order_by("pk").iterator(chunk_size=500):
            checked += 1
            fired += credits_low_check(contract=contract, now=now)
        self.stdout.write(f"check_low_credits: {checked} contracts, {fired} alerts")
