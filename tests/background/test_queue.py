"""The embedded queue (django-tasks-db on the test database, run by an in-process worker):
enqueue on commit, retries with exponential backoff ending failed, one mail per subject."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background.models import SentMail
from background.queue import (
    RetryScheduled,
    TaskCannotSucceed,
    enqueue_on_commit,
    retry_delay,
)
from operations.tasks import run_job
from sla.tasks import send_clock_mail
from tests.background.sample_tasks import always_fails, greet, has_a_bug, reads_many_rows
from tickets.tasks import send_acknowledgement

pytestmark = pytest.mark.django_db

RETRY_SCHEDULED = f"{RetryScheduled.__module__}.{RetryScheduled.__qualname__}"
CANNOT_SUCCEED = f"{TaskCannotSucceed.__module__}.{TaskCannotSucceed.__qualname__}"


def test_a_task_is_enqueued_when_the_transaction_commits(
    db_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_on_commit(greet, "ana@example.com")
        assert not DBTaskResult.objects.exists()

    assert DBTaskResult.objects.get().args_kwargs == {"args": ["ana@example.com"], "kwargs": {}}
    assert db_tasks() == 1
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def _enqueue_then_roll_back() -> None:
    with transaction.atomic():
        enqueue_on_commit(greet, "ana@example.com")
        raise RuntimeError("rolled back")


def test_nothing_is_enqueued_for_work_that_rolled_back(
    db_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        _enqueue_then_roll_back()

    assert not DBTaskResult.objects.exists()


def test_a_task_run_twice_sends_one_mail(db_tasks):
    greet.enqueue("ana@example.com")
    greet.enqueue("ana@example.com")

    assert db_tasks() == 2
    assert len(mail.outbox) == 1
    assert SentMail.objects.get().recipient == "ana@example.com"
    assert [r.return_value for r in DBTaskResult.objects.order_by("enqueued_at")] == [True, False]


def test_a_failing_task_retries_with_exponential_backoff_then_fails(db_tasks, settings):
    settings.TASKS_RETRY_ATTEMPTS = 3
    settings.TASKS_RETRY_BASE_SECONDS = 60
    start = timezone.now()
    always_fails.enqueue("the impossible")

    # when: the first attempt fails
    db_tasks()

    # then: it ended "retrying", and attempt 2 waits one base delay
    first = DBTaskResult.objects.get(args_kwargs__kwargs={})
    assert first.status == "FAILED"
    assert first.exception_class_path == RETRY_SCHEDULED
    assert "ValueError: the impossible cannot be done" in first.traceback
    second = DBTaskResult.objects.get(status="READY")
    assert second.args_kwargs == {"args": ["the impossible"], "kwargs": {"attempt": 2}}
    assert second.run_after >= start + timedelta(seconds=60)
    assert db_tasks() == 0  # not due yet

    with time_machine.travel(second.run_after + timedelta(seconds=1)):
        assert db_tasks() == 1
    third = DBTaskResult.objects.get(status="READY")
    assert third.args_kwargs["kwargs"] == {"attempt": 3}
    assert third.run_after - second.run_after >= retry_delay(2) == timedelta(seconds=120)

    with time_machine.travel(third.run_after + timedelta(seconds=1)):
        assert db_tasks() == 1

    # then: the last attempt failed with the real error, and nothing is waiting
    last = DBTaskResult.objects.get(args_kwargs__kwargs={"attempt": 3})
    assert last.status == "FAILED"
    assert last.exception_class_path == "builtins.ValueError"
    assert not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.parametrize(
    ("enqueue", "error"),
    [
        # the ticket is gone
        (lambda: send_acknowledgement.enqueue(987654), "tickets.models.Ticket.DoesNotExist"),
        # enqueued by a version whose task took other arguments
        (lambda: send_clock_mail.enqueue(1), CANNOT_SUCCEED),
        # a periodic job this version does not have
        (lambda: run_job.enqueue("retired_job", "2026-11-01T00:00:00+00:00"), CANNOT_SUCCEED),
    ],
)
def test_a_task_no_retry_can_mend_fails_at_once(db_tasks, settings, enqueue, error):
    settings.TASKS_RETRY_BASE_SECONDS = 0  # a retry would be due at once
    enqueue()

    assert db_tasks() == 1
    assert db_tasks() == 0

    failed = DBTaskResult.objects.get()
    assert (failed.status, failed.exception_class_path) == ("FAILED", error)


@pytest.mark.parametrize(
    ("enqueue", "cause"),
    [
        # a bug inside the task is fixed and the task retried, not dropped at once
        (lambda: has_a_bug.enqueue("the report"), "TypeError: the report: a bug inside"),
        # a task through many rows retries one missing midway
        (lambda: reads_many_rows.enqueue(987654), "SentMail.DoesNotExist"),
    ],
)
def test_what_a_retry_may_mend_is_retried(db_tasks, settings, enqueue, cause):
    enqueue()

    assert db_tasks() == 1

    failed = DBTaskResult.objects.get(status="FAILED")
    assert failed.exception_class_path == RETRY_SCHEDULED
    assert cause in failed.traceback
    assert DBTaskResult.objects.filter(status="READY").count() == 1
