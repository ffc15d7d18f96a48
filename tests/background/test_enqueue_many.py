"""Tasks enqueued with the transaction that asks for them (intake's acknowledgement, the
monthly run's invoice mails): on the database backend their rows are written in that
transaction, many in one INSERT, the same rows `enqueue` writes, so they commit or roll back
with the work and no crash between the commit and its callbacks can lose them; other
backends get them one by one on commit."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.tasks.backends.immediate import ImmediateBackend
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult, get_date_max

from background.queue import enqueue_many_with_transaction, enqueue_with_transaction
from tests.background.sample_tasks import greet

pytestmark = pytest.mark.django_db

ADDRESSES = ["ana@example.com", "luis@example.com", "eva@example.com"]


def test_many_tasks_are_one_insert_of_the_rows_enqueue_writes(
    db_tasks, django_capture_on_commit_callbacks
):
    greet.enqueue("uno@example.com")  # the row one enqueue writes, to compare with
    single = DBTaskResult.objects.get()

    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        enqueue_many_with_transaction(greet, [(address,) for address in ADDRESSES])
        assert DBTaskResult.objects.count() == 4  # written in the transaction

    table = DBTaskResult._meta.db_table
    assert sum(f'INSERT INTO "{table}"' in q["sql"] for q in captured.captured_queries) == 1
    rows = list(DBTaskResult.objects.exclude(pk=single.pk).order_by("args_kwargs"))
    assert sorted(row.args_kwargs["args"][0] for row in rows) == sorted(ADDRESSES)
    for row in rows:
        assert row.args_kwargs["kwargs"] == {}
        assert (row.task_path, row.queue_name, row.priority, row.backend_name, row.status) == (
            single.task_path,
            single.queue_name,
            single.priority,
            single.backend_name,
            single.status,
        )
        assert row.run_after == get_date_max() == single.run_after
        assert row.enqueued_at is not None
    # the worker runs them like any other
    assert db_tasks() == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted([*ADDRESSES, "uno@example.com"])


def _enqueue_many_then_roll_back() -> None:
    with transaction.atomic():
        enqueue_many_with_transaction(greet, [(address,) for address in ADDRESSES])
        raise RuntimeError("rolled back")


def test_nothing_is_enqueued_when_the_work_rolls_back(db_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        _enqueue_many_then_roll_back()

    assert not DBTaskResult.objects.exists()


def test_other_backends_get_the_tasks_one_by_one(django_capture_on_commit_callbacks):
    # the test default: the immediate backend runs each task as it is enqueued
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_many_with_transaction(greet, [(address,) for address in ADDRESSES])

    assert sorted(m.to[0] for m in mail.outbox) == sorted(ADDRESSES)


class RefusingBroker(ImmediateBackend):
    """A broker that refuses one task (a connection dropped midway) and takes the others."""

    def enqueue(self, task, args, kwargs):
        if "luis@example.com" in args:
            raise ConnectionError("the broker went away")
        return super().enqueue(task, args, kwargs)


def test_a_broker_refusing_one_task_loses_only_that_one(
    settings, django_capture_on_commit_callbacks, caplog
):
    settings.TASKS = {"default": {"BACKEND": f"{__name__}.RefusingBroker"}}

    with django_capture_on_commit_callbacks(execute=True):
        enqueue_many_with_transaction(greet, [(address,) for address in ADDRESSES])

    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "eva@example.com"]
    assert "the broker went away" in caplog.text


def test_the_rows_need_no_callback_after_the_commit(db_tasks, django_capture_on_commit_callbacks):
    # A process that dies right after its commit never runs the on-commit callbacks: the
    # invoices a monthly batch issued must still be mailed.
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        enqueue_many_with_transaction(greet, [(address,) for address in ADDRESSES])
        enqueue_with_transaction(greet, "uno@example.com")

    assert db_tasks() == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted([*ADDRESSES, "uno@example.com"])
