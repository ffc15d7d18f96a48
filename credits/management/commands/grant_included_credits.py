"""Grant each active contract its plan's included credits of the customer's current month."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from contracts.models import Contract
from credits.models import LedgerEntry, PlanCreditTerms
from credits.services import credits_grant_included


class Command(BaseCommand):
    help = (
        "Grant every active contract whose plan includes credits each month its block of the "
        "customer's current month (once per contract and month; they lapse when it ends)."
    )

    def handle(self, *args, **options) -> None:
        plans = PlanCreditTerms.objects.filter(monthly_credits__isnull=False).values("plan_id")
        contracts = Contract.objects.filter(
            status=Contract.Status.ACTIVE, plan_id__in=plans
        ).select_related("customer", "plan")
        now = timezone.now()
        # A month granted before returns its first entry: only newer entries are new grants.
        last = LedgerEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        count, granted = 0, 0
        for contract in contracts.order_by("pk"):
            count += 1
            month = timezone.localdate(now, timezone=contract.customer.time_zone_info)
            entry = credits_grant_included(contract=contract, month=month)
            granted += entry is not None and entry.pk > last
        self.stdout.write(f"grant_included_credits: {count} contracts, {granted} grants")
