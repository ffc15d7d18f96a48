"""The operations app's row locks.

    a scheduled job -> its run for a slot (no lock: unique per job and slot)

A scheduler tick locks the job's row before it decides whether the current slot is due, so
two schedulers enqueue each slot once: the second waits, then finds the slot recorded.
"""

from operations.models import ScheduledJob


def scheduled_job_lock(name: str) -> ScheduledJob:
    return ScheduledJob.objects.select_for_update().get(name=name)
