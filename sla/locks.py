"""The sla app's row locks.

    a calendar or a policy (by its slug) -> nothing else of sla
    a clock -> nothing else of sla

A clock is locked by every service that moves it (pause, resume, stop, reopen, its
recipients, a retarget), read with its calendar and policy versions, so two requests moving
one clock queue and each measures from where the other left it. The ticket a clock measures
is locked before it, in `tickets`: sla knows no ticket. Publishing a calendar or a policy
locks it by slug, so two publishers of one slug number their versions one after the other;
a slug published for the first time has no row to lock, and its unique slug refuses the
second writer.
"""

from sla.models import BusinessCalendar, SlaClock, SlaPolicy


def clock_lock(pk: int) -> SlaClock:
    return (
        SlaClock.objects.select_for_update(of=("self",))
        .select_related("calendar_version", "policy_version")
        .get(pk=pk)
    )


def calendar_lock_by_slug(slug: str) -> BusinessCalendar | None:
    return BusinessCalendar.objects.select_for_update().filter(slug=slug).first()


def policy_lock_by_slug(slug: str) -> SlaPolicy | None:
    return SlaPolicy.objects.select_for_update().filter(slug=slug).first()
