"""`quickstart` serves with a task worker beside the server: a task enqueued while it runs
is run by that worker process (a real `manage.py db_worker` on the test database)."""

import io
import time

import pytest
from django_tasks_db.models import DBTaskResult

from background.models import SentMail
from creditdesk.management.commands.quickstart import worker_beside
from tests.background.processes import database_url_of_test_db
from tests.background.sample_tasks import greet


@pytest.mark.django_db(transaction=True)
def test_the_worker_beside_the_server_runs_what_is_enqueued(db_tasks, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url_of_test_db())
    monkeypatch.setenv("TASKS_BACKEND", "database")
    out = io.StringIO()

    with worker_beside(out) as worker:
        result = greet.enqueue("demo@example.com")
        for _ in range(600):  # up to a minute for the process to start and run it
            if DBTaskResult.objects.filter(pk=result.id, status="SUCCESSFUL").exists():
                break
            time.sleep(0.1)

    assert "Task worker started" in out.getvalue()
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert SentMail.objects.filter(recipient="demo@example.com").exists()
    assert worker.poll() is not None  # stopped with the server
