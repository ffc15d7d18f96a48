"""Small typed builders for SLA rows, through the real services."""

from datetime import timedelta

from sla.calendars import Calendar
from sla.choices import Priority
from sla.models import BusinessCalendar, SlaPolicyVersion
from sla.services import TargetSpec, calendar_publish, policy_publish

BOGOTA_HOURS = {d: [("08:00", "16:30")] for d in range(5)}

SEED_001_TARGETS = {
    Priority.P1: TargetSpec(timedelta(minutes=15), timedelta(hours=4), always=True),
    Priority.P2: TargetSpec(timedelta(hours=1), timedelta(hours=4)),
    Priority.P3: TargetSpec(timedelta(hours=2), timedelta(hours=4)),
    Priority.P4: TargetSpec(timedelta(hours=4), timedelta(hours=8)),
}


def make_calendar(slug: str = "bogota", **overrides) -> BusinessCalendar:
    value = overrides.pop("calendar", Calendar.build("America/Bogota", BOGOTA_HOURS, country="CO"))
    return calendar_publish(slug=slug, name=overrides.pop("name", slug), calendar=value).calendar


def make_policy(
    slug: str = "tecnolinux", calendar: BusinessCalendar | None = None, **overrides
) -> SlaPolicyVersion:
    return policy_publish(
        slug=slug,
        name=overrides.pop("name", slug),
        calendar=calendar or make_calendar(),
        targets=overrides.pop("targets", SEED_001_TARGETS),
        **overrides,
    )
