"""The same tasks on django-tasks-rq with a real Redis (Debian's `redis-server`, started by
these tests on a free port): enqueued by one process, run by `rqworker` processes, each
task once, writing to the test database; an intake's acknowledgement mailed to a real SMTP
server; a failing task retried by rq's scheduler, then listed failed in the admin; the
readiness probe seeing a task wait. Mandatory where CI is set, like the browser tests;
skipped elsewhere when redis-server is missing."""

import email
import email.policy
import json
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
from redis import Redis
from rq import Queue
from rq.registry import FailedJobRegistry

from background.models import SentMail
from tests.background.processes import database_url_of_test_db
from tests.web.conftest import top_up

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


def shell(code: str, env: dict[str, str]) -> str:
    """Run `code` in `manage.py shell` with `env`; the last line it printed (the shell's own
    note of what it imported comes first)."""
    done = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def on_redis(redis_url: str, **variables: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url_of_test_db(),
        "TASKS_BACKEND": "redis",
        "REDIS_URL": redis_url,
        "DEBUG": "1",
        **variables,
    }


WORKER = ("rqworker", "default", "--job-class=django_tasks_rq.backend.Job")


@pytest.mark.django_db(transaction=True)
def test_tasks_run_once_each_on_redis_workers(redis_url, tmp_path):
    notes = tmp_path / "runs.txt"
    environment = on_redis(redis_url)
    enqueue = (
        "from tests.background.sample_tasks import greet, note_run\n"
        f"for n in range({TASKS}): note_run.enqueue({str(notes)!r}, n)\n"
        "greet.enqueue('redis@example.com')\n"
    )
    assert manage("shell", "-c", enqueue, env=environment).wait(timeout=120) == 0

    workers = [manage(*WORKER, "--burst", env=environment) for _ in range(2)]
    assert [worker.wait(timeout=300) for worker in workers] == [0, 0]

    assert Counter(int(line) for line in notes.read_text().split()) == Counter(range(TASKS))
    assert SentMail.objects.filter(kind="greeting", recipient="redis@example.com").count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_intake_on_redis_mails_its_acknowledgement_once(redis_url, smtp_server, shop):
    top_up(shop.customer, "5")
    sink = smtp_server()
    environment = on_redis(redis_url, EMAIL_URL=f"smtp://127.0.0.1:{sink.port}")

    number = shell(
        "from contracts.models import Contact\n"
        "from tickets.services.intake import ticket_open\n"
        f"contact = Contact.objects.get(pk={shop.contact.pk})\n"
        "opened = ticket_open(channel='portal', requester=contact, subject='Correo caído')\n"
        "assert opened.accepted, opened.refusal\n"
        "print(opened.ticket.number)\n",
        environment,
    )
    assert manage(*WORKER, "--burst", env=environment).wait(timeout=120) == 0

    ((_, message),) = sink.received
    parsed = email.message_from_string(message, policy=email.policy.default)
    assert parsed["Subject"] == f"[{number}] Correo caído"
    assert parsed["To"] == shop.contact.email
    assert SentMail.objects.get(kind="acknowledgement").recipient == shop.contact.email


@pytest.mark.django_db(transaction=True)
def test_a_failed_task_is_retried_by_the_scheduler_then_listed_in_the_admin(redis_url):
    environment = on_redis(
        redis_url,
        TASKS_RETRY_ATTEMPTS="2",
        TASKS_RETRY_BASE_SECONDS="1",
        READYZ_TASK_WAIT_SECONDS="0",
    )
    readiness = (
        "import json\n"
        "from django.test import Client\n"
        "answer = Client(SERVER_NAME='localhost').get('/readyz', secure=True)\n"
        "print(answer.status_code, json.dumps(answer.json()['checks']['tasks']))\n"
    )
    shell(
        "from tests.background.sample_tasks import always_fails\n"
        "always_fails.enqueue('el informe')\n",
        environment,
    )
    time.sleep(0.2)

    # no worker yet: the probe sees the task wait
    status, tasks = shell(readiness, environment).split(" ", 1)
    assert status == "503"
    assert json.loads(tasks)["oldest_waiting_seconds"] > 0

    # a worker with rq's scheduler runs it, and runs the retry when its second comes
    worker = manage(*WORKER, "--with-scheduler", env=environment)
    failed = FailedJobRegistry(queue=Queue("default", connection=Redis.from_url(redis_url)))
    try:
        deadline = time.monotonic() + 60
        while failed.count < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert failed.count == 2  # attempt 1 (a retry scheduled), then attempt 2, for good

    status, tasks = shell(readiness, environment).split(" ", 1)
    assert (status, json.loads(tasks)["ok"]) == ("200", True)
    page = shell(
        "from django.test import Client\n"
        "from tests.factories import make_staff_user\n"
        "client = Client(SERVER_NAME='localhost')\n"
        "client.force_login(make_staff_user(username='ops', is_superuser=True))\n"
        "answer = client.get('/admin/django_rq/dashboard/queues/0/failed/', secure=True)\n"
        "print(answer.status_code, answer.content.decode().count('always_fails'))\n",
        environment,
    )
    status, mentions = page.split()
    assert status == "200"
    assert int(mentions) >= 2
