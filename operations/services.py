"""Operators' actions on background tasks."""

from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult


def task_retry(row: DBTaskResult) -> None:
    """Enqueue a failed task again from its first attempt, with its arguments."""
    kwargs = {k: v for k, v in row.args_kwargs["kwargs"].items() if k != "attempt"}
    task = import_string(row.task_path).using(priority=row.priority, queue_name=row.queue_name)
    task.enqueue(*row.args_kwargs["args"], **kwargs)
