"""The periodic jobs as data: which command, how often, and the run slot an instant falls in.

Slots are in UTC. A job's slot for an instant is the latest start of its cadence at or before
it: a scheduler that was down for three hours enqueues the hourly jobs once, for the
current slot, not once per missed hour.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import environ


def _always() -> bool:
    return True


def _imap_configured() -> bool:
    return bool(environ.Env().str("IMAP_URL", default=""))


def _previous_month(slot: datetime) -> list[str]:
    last_day = slot.replace(day=1) - timedelta(days=1)
    return ["--period", f"{last_day:%Y-%m}"]


@dataclass(frozen=True)
class Job:
    name: str
    command: str
    every: str  # minute | hour | day | month
    hour: int = 0  # for day and month: the UTC hour it runs at
    args: Callable[[datetime], list[str]] = field(default=lambda slot: [])
    enabled: Callable[[], bool] = _always

    def slot(self, now: datetime) -> datetime:
        """The latest start of this job's cadence at or before `now`."""
        now = now.astimezone(UTC).replace(second=0, microsecond=0)
        if self.every == "minute":
            return now
        if self.every == "hour":
            return now.replace(minute=0)
        if self.every == "day":
            slot = now.replace(hour=self.hour, minute=0)
            return slot if slot <= now else slot - timedelta(days=1)
        slot = now.replace(day=1, hour=self.hour, minute=0)
        if slot <= now:
            return slot
        return (slot - timedelta(days=1)).replace(day=1)


JOBS: tuple[Job, ...] = (
    Job("sla_monitor", "sla_monitor", "minute"),
    Job("escalate_tickets", "escalate_tickets", "minute"),
    Job("monitor_activations", "monitor_activations", "minute"),
    Job(
        "ingest_mail",
        "ingest_mail",
        "minute",
        args=lambda slot: ["--imap"],
        enabled=_imap_configured,
    ),
    Job("chase_unanswered", "chase_unanswered", "hour"),
    Job("webhooks_resume", "webhooks_resume", "hour"),
    Job("apply_plan_changes", "apply_plan_changes", "hour"),
    Job("expire_credits", "expire_credits", "hour"),
    Job("grant_included_credits", "grant_included_credits", "hour"),
    Job("check_low_credits", "check_low_credits", "hour"),
    # Hourly: each customer's invoices turn overdue at its own midnight.
    Job("billing_daily", "billing_daily", "hour"),
    # 13:00 UTC: the morning in the Americas, when a customer can still buy or use them.
    Job("remind_expiring_credits", "remind_expiring_credits", "day", hour=13),
    Job("remind_invoices", "remind_invoices", "day", hour=13),
    # Daily: each customer's first business day of the month falls on a different date.
    Job("mail_sla_reports", "mail_sla_reports", "day", hour=13),
    # 12:00 UTC on the 1st: the month is over in every time zone from UTC-12 eastwards (the
    # run refuses a month not over for some customer), and invoices reach the Americas in
    # the morning.
    Job("run_billing", "run_billing", "month", hour=12, args=_previous_month),
    Job("verify_ledger", "verify_ledger", "day", hour=3),
    # 06:00 UTC: the day has ended for every customer from UTC-6 eastwards (the portal and
    # the services refuse a quote past its date before the job marks it, too).
    Job("expire_quotes", "expire_quotes", "day", hour=6),
)
JOBS_BY_NAME = {job.name: job for job in JOBS}
