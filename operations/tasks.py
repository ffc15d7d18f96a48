"""The task a scheduled run becomes: the job's management command, as cron would run it."""

from datetime import datetime
from io import StringIO

from django.core.management import call_command

from background.queue import TaskCannotSucceed, background_task
from operations.schedule import JOBS_BY_NAME


@background_task(about_one_row=False)
def run_job(name: str, slot_at: str) -> str:
    """Run job `name` for its slot (an ISO instant); returns what the command printed."""
    job = JOBS_BY_NAME.get(name)
    if job is None:  # enqueued by a version that had it
        raise TaskCannotSucceed(f"no periodic job is named {name!r}")
    out = StringIO()
    call_command(job.command, *job.args(datetime.fromisoformat(slot_at)), stdout=out)
    return out.getvalue()[-2000:]
