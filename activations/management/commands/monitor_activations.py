from django.core.management.base import BaseCommand
from django.utils import timezone

from activations.services import activations_monitor_run


class Command(BaseCommand):
    help = "Mark activations past their warning and due time (once each)."

    def handle(self, *args, **options) -> None:
        warned, late = activations_monitor_run(now=timezone.now())
        self.stdout.write(f"activations warned={warned} late={late}")
