"""Tasks that retry, and enqueueing them after commit.

A task built with `background_task` that raises is enqueued again, `run_after` an
exponentially growing delay (`TASKS_RETRY_BASE_SECONDS` * 2 ** (attempt - 1)), until
`TASKS_RETRY_ATTEMPTS` attempts have failed. The attempt that scheduled a retry ends failed
with `RetryScheduled` (its traceback keeps the cause): the task list shows it as
"retrying". The last attempt ends failed with the real error: "failed", for an operator to
retry from the admin. Backends that cannot defer (the immediate backend) do not retry.

What no retry can mend ends the first attempt failed, without retries: arguments the
function does not take (a task enqueued by a version whose task took others), the row a task
about one row is about gone (`ObjectDoesNotExist`), or the task's own word
(`TaskCannotSucceed`).
"""

import functools
import inspect
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.tasks import Task, task
from django.utils import timezone

from core.bulk import rows_insert

logger = logging.getLogger(__name__)


class TaskCannotSucceed(Exception):
    """Raised by a task that can never succeed as it was enqueued: failed at once."""


class RetryScheduled(Exception):
    """This attempt failed; attempt `next_attempt` is enqueued to run at `run_after`."""

    def __init__(self, next_attempt: int, run_after: datetime) -> None:
        super().__init__(f"attempt {next_attempt} at {run_after.isoformat()}")
        self.next_attempt = next_attempt
        self.run_after = run_after


def retry_delay(attempt: int) -> timedelta:
    """How long after failed attempt `attempt` (1-based) the next one runs."""
    return timedelta(seconds=settings.TASKS_RETRY_BASE_SECONDS * 2 ** (attempt - 1))


def background_task(
    func: Callable | None = None,
    *,
    queue_name: str = "default",
    priority: int = 0,
    about_one_row: bool = True,
) -> Any:
    """`@task`, plus retries with exponential backoff (see module). The task takes an
    extra keyword `attempt` (1 for the first run) that callers never pass.

    `about_one_row`: the task reads the row whose id it is given, so a missing row means it
    was deleted, which no retry brings back. A task that works through many rows (a billing
    run, the PDFs to render, a periodic job) says False: a row missing midway is retried."""

    def decorate(function: Callable) -> Task:
        signature = inspect.signature(function)
        final: tuple[type[Exception], ...] = (
            (ObjectDoesNotExist, TaskCannotSucceed) if about_one_row else (TaskCannotSucceed,)
        )

        @functools.wraps(function)
        def run(*args: Any, attempt: int = 1, **kwargs: Any) -> Any:
            try:
                signature.bind(*args, **kwargs)
            except TypeError as error:
                raise TaskCannotSucceed(f"arguments not the task's: {error}") from error
            try:
                return function(*args, **kwargs)
            except final:
                raise
            except Exception as error:
                backend = wrapped.get_backend()
                if attempt >= settings.TASKS_RETRY_ATTEMPTS or not backend.supports_defer:
                    raise
                run_after = timezone.now() + retry_delay(attempt)
                wrapped.using(run_after=run_after).enqueue(*args, attempt=attempt + 1, **kwargs)
                logger.warning(
                    "task %s attempt %s failed (%s); retry at %s",
                    wrapped.name,
                    attempt,
                    error,
                    run_after.isoformat(),
                )
                raise RetryScheduled(attempt + 1, run_after) from error

        wrapped = task(queue_name=queue_name, priority=priority)(run)
        return wrapped

    return decorate(func) if func is not None else decorate


def enqueue_on_commit(task_: Task, *args: Any, **kwargs: Any) -> None:
    """Enqueue once the surrounding transaction commits (nothing for work that rolled back).

    Arguments must be JSON values, ids rather than model instances: the task reads the rows
    as they are when it runs. A queue that cannot take the task (a broker down) is logged,
    never raised into the request that committed.
    """
    transaction.on_commit(lambda: task_.enqueue(*args, **kwargs), robust=True)


def enqueue_with_transaction(task_: Task, *args: Any) -> None:
    """Enqueue `task_(*args)` as part of the surrounding transaction: see
    `enqueue_many_with_transaction`."""
    enqueue_many_with_transaction(task_, [args])


def enqueue_many_with_transaction(task_: Task, calls: list[tuple[Any, ...]]) -> None:
    """Enqueue `task_` once per argument tuple in `calls`, as part of the surrounding
    transaction (an intake's acknowledgement, a batch of invoices: one mail task each).

    On the database backend (django-tasks-db) the rows are written now, by one INSERT
    (`core.bulk.rows_insert`), in the caller's transaction: they commit or roll back with
    the work, and a process that dies between its commit and the on-commit callbacks still
    leaves them for a worker (an issued invoice is mailed even then; a rerun would skip it).
    They are the rows `DatabaseBackend.enqueue` writes (its `pre_save` hook, which a bulk
    insert skips, only replaces a missing `run_after`); `task_enqueued` is sent for each.
    Other backends (a broker) take the tasks one by one once the transaction commits, and
    one that refuses is logged, never raised into the work that committed. Arguments are
    JSON values, ids rather than model instances.
    """
    if not calls:
        return
    from django_tasks_db.backend import DatabaseBackend

    backend = task_.get_backend()
    if not isinstance(backend, DatabaseBackend):
        for args in calls:  # a callback each: a task the broker refuses costs only itself
            transaction.on_commit(functools.partial(task_.enqueue, *args), robust=True)
        return
    from django.tasks.signals import task_enqueued
    from django.utils.json import normalize_json
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend.validate_task(task_)
    rows: list[Any] = [
        DBTaskResult(
            args_kwargs=normalize_json({"args": list(args), "kwargs": {}}),
            priority=task_.priority,
            task_path=task_.module_path,
            queue_name=task_.queue_name,
            run_after=task_.run_after or get_date_max(),
            backend_name=backend.alias,
        )
        for args in calls
    ]
    rows_insert(rows)
    for row in rows:
        task_enqueued.send(type(backend), task_result=row.task_result)
