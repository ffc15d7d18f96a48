"""`manage.py sla_reapply --policy SLUG --calendar SLUG`: move open clocks to current versions.

Due times are recomputed from each clock's event history on the new calendar and targets;
time spent paused stays excluded.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sla.models import BusinessCalendar, SlaPolicy
from sla.services import clocks_reapply


class Command(BaseCommand):
    help = "Aplica la versión vigente de políticas o calendarios a los relojes abiertos."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--policy", action="append", default=[], help="policy slug")
        parser.add_argument("--calendar", action="append", default=[], help="calendar slug")

    def handle(self, *args, **options) -> None:
        policies = list(SlaPolicy.objects.filter(slug__in=options["policy"]))
        calendars = list(BusinessCalendar.objects.filter(slug__in=options["calendar"]))
        missing = (set(options["policy"]) - {p.slug for p in policies}) | (
            set(options["calendar"]) - {c.slug for c in calendars}
        )
        if missing:
            raise CommandError(f"Unknown slug(s): {', '.join(sorted(missing))}")
        if not policies and not calendars:
            raise CommandError("Name at least one --policy or --calendar.")
        result = clocks_reapply(at=timezone.now(), policies=policies, calendars=calendars)
        self.stdout.write(
            f"moved={result.moved} unchanged={result.unchanged} "
            f"without_target={len(result.without_target)}"
        )
        for clock_id in result.without_target:
            self.stdout.write(f"  clock {clock_id}: the current policy has no target, kept")
