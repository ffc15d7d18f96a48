"""core.bulk.rows_insert stores what the ORM would store, or refuses what it refuses."""

import pytest
from django.db import DataError, transaction
from django_tasks_db.models import DBTaskResult, get_date_max

from core.bulk import rows_insert


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
def test_a_text_too_long_for_its_column_is_refused_as_the_orm_refuses_it():
    # given a value longer than its column (queue_name is varchar(32))
    too_long = "q" * 40
    with pytest.raises(DataError), transaction.atomic():
        _task_row(too_long).save()  # the ORM's answer

    # when it is inserted in bulk, then PostgreSQL refuses it too instead of cutting it
    with pytest.raises(DataError), transaction.atomic():
        rows_insert([_task_row(too_long)])
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_rows_get_their_keys_and_read_back_as_written():
    rows = [_task_row("default"), _task_row("billing")]

    rows_insert(rows)

    stored = {row.pk: row.queue_name for row in DBTaskResult.objects.all()}
    assert stored == {rows[0].pk: "default", rows[1].pk: "billing"}
