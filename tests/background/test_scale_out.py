"""Scale-out on PostgreSQL: four `manage.py db_worker` processes share one queue of 1,000
tasks, and each task runs exactly once (rows are claimed with SELECT ... FOR UPDATE SKIP
LOCKED)."""

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from tests.background.processes import database_url_of_test_db
from tests.background.sample_tasks import note_run

TASKS = 1000
WORKERS = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_worker_processes_run_each_of_a_thousand_tasks_exactly_once(db_tasks, tmp_path):
    notes = tmp_path / "runs.txt"
    for number in range(TASKS):
        note_run.enqueue(str(notes), number)
    environment = {**os.environ, "DATABASE_URL": database_url_of_test_db(), "DEBUG": "1"}

    workers = [
        subprocess.Popen(
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "db_worker",
                "--batch",
                "--no-reload",
                "--no-startup-delay",
                "--interval=0",
                f"--worker-id=worker-{i}",
                "--verbosity=0",
            ],
            env=environment,
        )
        for i in range(WORKERS)
    ]
    assert [worker.wait(timeout=300) for worker in workers] == [0] * WORKERS

    runs = Counter(int(line) for line in notes.read_text().split())
    assert runs == Counter(range(TASKS))  # every task, each once
    rows = DBTaskResult.objects.all()
    assert rows.count() == TASKS
    assert set(rows.values_list("status", flat=True)) == {"SUCCESSFUL"}
    claimed_by = [row.worker_ids for row in rows]
    assert all(len(ids) == 1 for ids in claimed_by)
    assert len({ids[0] for ids in claimed_by}) > 1  # the work was shared
