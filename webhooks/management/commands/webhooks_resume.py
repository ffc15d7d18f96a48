from django.core.management.base import BaseCommand

from webhooks.services import webhook_deliveries_resume


class Command(BaseCommand):
    help = "Resume webhook deliveries whose attempt is overdue (a worker died mid-delivery)."

    def handle(self, *args, **options) -> None:
        resumed = webhook_deliveries_resume()
        self.stdout.write(f"webhooks: {resumed} deliveries resumed")
