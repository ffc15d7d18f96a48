from django.core.management.base import BaseCommand

from tickets.services.lifecycle import tickets_chase_unanswered


class Command(BaseCommand):
    help = (
        "Remind customers who left an information request unanswered and close as abandoned "
        "the tickets with too many (run from cron; idempotent)."
    )

    def handle(self, *args, **options):
        done = tickets_chase_unanswered()
        self.stdout.write(f"reminded {done['reminded']}, abandoned {done['abandoned']}")
