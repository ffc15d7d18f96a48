"""One scheduler tick: enqueue each due job once for its current slot.

Under the job row's lock, a slot later than the last one recorded gets a `JobRun` row (unique
per job and slot) and its task, written in the same transaction on the database backend (the
embedded default): a slot is never recorded without its task. On a broker (Redis) the task
is enqueued once the slot commits, and a broker that refuses it loses that slot, logged. A
second scheduler waits for the lock, then sees the slot taken; the unique constraint refuses
what a lock could miss. Missed slots are not replayed: only the current one runs (catch-up
once). A job that cannot be enqueued (the database briefly gone, a job that fails to say
whether it is enabled) is logged and tried again on the next tick; the others go on.
"""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction

from background.queue import enqueue_with_transaction
from operations.locks import scheduled_job_lock
from operations.models import JobRun, ScheduledJob
from operations.schedule import JOBS, Job
from operations.tasks import run_job

logger = logging.getLogger(__name__)


def scheduler_tick(*, now: datetime, jobs: tuple[Job, ...] = JOBS) -> list[JobRun]:
    """Enqueue every enabled job whose current slot has not been enqueued; the runs made."""
    made = []
    for job in jobs:
        try:
            run = _enqueue_if_due(job, now=now) if job.enabled() else None
        except Exception:  # one job's trouble must not stop the others' periodic work
            logger.exception("periodic job %s not enqueued; next tick tries again", job.name)
            continue
        if run is not None:
            made.append(run)
    return made


def _enqueue_if_due(job: Job, *, now: datetime) -> JobRun | None:
    slot = job.slot(now)
    with transaction.atomic():
        ScheduledJob.objects.get_or_create(name=job.name)
        row = scheduled_job_lock(job.name)
        if row.last_slot_at is not None and row.last_slot_at >= slot:
            return None
        try:
            with transaction.atomic():
                run = JobRun.objects.create(job=row, slot_at=slot)
        except IntegrityError:
            return None
        row.last_slot_at = slot
        row.last_enqueued_at = now
        row.save(update_fields=["last_slot_at", "last_enqueued_at"])
        enqueue_with_transaction(run_job, job.name, slot.isoformat())
    return run
