from django.core.management.base import BaseCommand, CommandError

from billing.services.run import Period, billing_run
from core.errors import CreditdeskError


class Command(BaseCommand):
    help = "Issue the monthly invoices of a period (YYYY-MM) for every live contract; resumable."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM, e.g. 2026-11")

    def handle(self, *args, **options):
        try:
            period = Period.parse(options["period"])
            summary = billing_run(period=period)
        except CreditdeskError as error:
            raise CommandError(error.message("es")) from error
        for line in summary.lines():
            self.stdout.write(line)
        if summary.failures:
            raise CommandError(f"{len(summary.failures)} contracts could not be invoiced")
