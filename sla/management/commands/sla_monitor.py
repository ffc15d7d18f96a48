"""`manage.py sla_monitor`: run every minute (cron, systemd timer). Safe to run twice."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from sla.services import sla_monitor_run


class Command(BaseCommand):
    help = "Marca avisos e incumplimientos de SLA y notifica una sola vez por reloj y umbral."

    def handle(self, *args, **options) -> None:
        result = sla_monitor_run(now=timezone.now())
        self.stdout.write(
            f"warned={result.warned} breached={result.breached} emails={result.emails}"
        )
