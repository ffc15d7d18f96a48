"""core.bulk writes what the ORM would write, or refuses what it refuses, in both of its
forms on PostgreSQL (plain VALUES for a few rows, one array per column from
`ARRAYS_FROM_ROWS` on)."""

import pytest
from django.db import DataError, transaction
from django_tasks_db.models import DBTaskResult, get_date_max

from core.bulk import ARRAYS_FROM_ROWS, row_update, rows_insert

ROW_COUNTS = [1, ARRAYS_FROM_ROWS - 1, ARRAYS_FROM_ROWS, 3 * ARRAYS_FROM_ROWS]


def _task_row(queue_name: str) -> DBTaskResult:
    return DBTaskResult(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="tests.background.sample_tasks.greet",
        queue_name=queue_name,
        backend_name="default",
        run_after=get_date_max(),
    )


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("count", ROW_COUNTS)
def test_a_text_too_long_for_its_column_is_refused_as_the_orm_refuses_it(count):
    # given a value longer than its column (queue_name is varchar(32))
    too_long = "q" * 40
    with pytest.raises(DataError), transaction.atomic():
        _task_row(too_long).save()  # the ORM's answer

    # when it is inserted in bulk, then PostgreSQL refuses it too instead of cutting it
    with pytest.raises(DataError), transaction.atomic():
        rows_insert([_task_row("default") for _ in range(count - 1)] + [_task_row(too_long)])
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("count", ROW_COUNTS)
def test_rows_get_their_keys_and_read_back_as_written(count):
    rows = [_task_row(f"queue-{n}") for n in range(count)]

    rows_insert(rows)

    stored = {row.pk: row.queue_name for row in DBTaskResult.objects.all()}
    assert stored == {row.pk: f"queue-{n}" for n, row in enumerate(rows)}


@pytest.mark.django_db
def test_row_update_writes_the_named_fields_of_that_row_only():
    # given two stored rows
    changed, untouched = _task_row("default"), _task_row("default")
    rows_insert([changed, untouched])
    # when one row's queue and priority change in memory and only the queue is written
    changed.queue_name, changed.priority = "billing", 7
    row_update(changed, ("queue_name",))
    # then
    stored = {row.pk: (row.queue_name, row.priority) for row in DBTaskResult.objects.all()}
    assert stored == {changed.pk: ("billing", 0), untouched.pk: ("default", 0)}


@pytest.mark.django_db
def test_row_update_refuses_a_name_that_is_not_a_column():
    row = _task_row("default")
    rows_insert([row])
    row.queue_name = "billing"
    with pytest.raises(ValueError, match="queue"):
        row_update(row, ("queue_name", "queue"))
    assert DBTaskResult.objects.get().queue_name == "default"
