"""The task a scheduled run becomes: the job's management command, as cron would run it."""

from datetime import datetime
from io import StringIO

from django.core.management import call_command

from background.queue import background_task
from operations.schedule import JOBS_BY_NAME


@background_task
def run_job(name: str, slot_at: str) -> str:
    """Run job `name` for its slot (an ISO instant); returns what the command printed."""
    job = JOBS_BY_NAME[name]
    out = StringIO()
    call_command(job.command, *job.args(datetime.fromisoformat(slot_at)), stdout=out)
    return out.getvalue()[-2000:]
