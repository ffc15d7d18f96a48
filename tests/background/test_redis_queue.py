"""The same tasks on django-tasks-rq with a real Redis (Debian's `redis-server`, started by
this test on a free port): enqueued by one process, run by two `rqworker` processes, each
task once, writing to the test database. Mandatory where CI is set, like the browser tests;
skipped elsewhere when redis-server is missing."""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from background.models import SentMail
from tests.background.processes import database_url_of_test_db

TASKS = 200
INSTALL = "apt-get install redis-server (bash .ci/run installs it)"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail(f"the Redis tests need redis-server: {INSTALL}")
        pytest.skip(f"the Redis tests need redis-server: {INSTALL}")
    port = _free_port()
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def manage(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args], env=env
    )


@pytest.mark.django_db(transaction=True)
def test_tasks_run_once_each_on_redis_workers(redis_url, tmp_path):
    notes = tmp_path / "runs.txt"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_db(),
        "TASKS_BACKEND": "redis",
        "REDIS_URL": redis_url,
        "DEBUG": "1",
    }
    enqueue = (
        "from tests.background.sample_tasks import greet, note_run\n"
        f"for n in range({TASKS}): note_run.enqueue({str(notes)!r}, n)\n"
        "greet.enqueue('redis@example.com')\n"
    )
    assert manage("shell", "-c", enqueue, env=environment).wait(timeout=120) == 0

    workers = [
        manage(
            "rqworker",
            "default",
            "--burst",
            "--job-class=django_tasks_rq.backend.Job",
            env=environment,
        )
        for _ in range(2)
    ]
    assert [worker.wait(timeout=300) for worker in workers] == [0, 0]

    assert Counter(int(line) for line in notes.read_text().split()) == Counter(range(TASKS))
    assert SentMail.objects.filter(kind="greeting", recipient="redis@example.com").count() == 1
