"""The production processes as the README starts them: gunicorn with two workers on the
test database, DEBUG off, static files collected and served by whitenoise, JSON logs."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.background.processes import database_url_of_test_db

ROOT = Path(__file__).resolve().parents[2]
RECYCLE_AFTER = 5


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback http)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, dict(response.headers), response.read()


@pytest.fixture
def production_server(transactional_db, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "test-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url_of_test_db(),
        "TASKS_BACKEND": "database",
        "STATIC_ROOT": str(tmp_path / "static"),
        "LOG_FORMAT": "json",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    # The API's bundled Swagger UI and DRF's browsable-API assets are most of the 40 MB that
    # production compresses; the pages this test reads do not use them.
    skip = ["--ignore", "drf_spectacular_sidecar", "--ignore", "rest_framework"]
    subprocess.run(
        [*manage, "collectstatic", "--noinput", "-v0", *skip], env=env, cwd=ROOT, check=True
    )
    log = (tmp_path / "server.log").open("w+")
    # Workers recycle every few requests here (2,000 in production) so the test sees
    # gunicorn replace them with forks of the preloaded application.
    recycle = ["--max-requests", str(RECYCLE_AFTER), "--max-requests-jitter", "0"]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *recycle, "creditdesk.wsgi"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # up to 30 s for the workers to boot
            try:
                _get(base + "/healthz")
                break
            except OSError:
                assert server.poll() is None, Path(log.name).read_text()
                time.sleep(0.1)
        yield base, tmp_path
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_gunicorn_serves_pages_static_files_probes_and_json_logs(production_server):
    base, tmp_path = production_server

    # gunicorn.conf.py preloads the application in the master and closes its connections
    # before each fork: a worker replaced after its share of requests answers at once with
    # a database connection of its own, never one inherited from the master.
    for _ in range(RECYCLE_AFTER * 4):
        status, _, body = _get(base + "/readyz")
        assert status == 200
        assert json.loads(body)["checks"]["database"]["ok"] is True
    log = (tmp_path / "server.log").read_text()
    assert log.count("Autorestarting worker") >= 2
    assert log.count("Booting worker") >= 4

    status, _, body = _get(base + "/readyz")
    assert status == 200
    assert json.loads(body)["status"] == "ok"

    status, _, body = _get(base + "/accounts/login/")
    assert status == 200
    assert b"<form" in body

    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["admin/css/base.css"]
    status, headers, body = _get(f"{base}/static/{hashed}", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]

    _, headers, _ = _get(base + "/healthz", {"X-Request-ID": "probe-123"})
    assert headers["X-Request-ID"] == "probe-123"

    lines = []
    for _ in range(50):  # the worker writes its log line as the response leaves
        lines = [
            json.loads(line)
            for line in (tmp_path / "server.log").read_text().splitlines()
            if line.startswith("{")
        ]
        if any(entry.get("request_id") == "probe-123" for entry in lines):
            break
        time.sleep(0.1)
    entry = next(entry for entry in lines if entry.get("request_id") == "probe-123")
    assert entry["logger"] == "creditdesk.requests"
    assert entry["path"] == "/healthz"
    assert entry["status"] == 200
    assert entry["method"] == "GET"
    assert entry["duration_ms"] >= 0
    assert entry["time"].endswith("Z")
