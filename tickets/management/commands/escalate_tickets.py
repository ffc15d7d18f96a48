from django.core.management.base import BaseCommand

from tickets.services.escalation import escalations_run


class Command(BaseCommand):
    help = (
        "Act on the escalation ladders: notify, reassign or raise the level of open tickets "
        "whose clocks reached a rung (run every minute; each rung acts once per ticket and level)."
    )

    def handle(self, *args, **options):
        result = escalations_run()
        actions = ", ".join(f"{action} {count}" for action, count in sorted(result.acted.items()))
        self.stdout.write(f"acted {result.total}" + (f" ({actions})" if actions else ""))
