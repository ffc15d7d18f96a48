import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest

from creditdesk.management.commands import quickstart

BASE_DIR = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def credentials_file(tmp_path, monkeypatch):
    path = tmp_path / "quickstart-admin.txt"
    monkeypatch.setattr(quickstart, "CREDENTIALS_FILE", path)
    return path


@pytest.mark.django_db
def test_quickstart_prints_admin_credentials_that_log_into_the_admin(
    client, credentials_file, capsys
):
    call_command("quickstart", "--no-serve")
    password = credentials_file.read_text().strip()
    assert f"password: {password}" in capsys.readouterr().out

    assert client.login(request=HttpRequest(), username="admin", password=password)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_quickstart_twice_is_idempotent(credentials_file, capsys, django_user_model):
    call_command("quickstart", "--no-serve")
    first = capsys.readouterr().out
    call_command("quickstart", "--no-serve")
    second = capsys.readouterr().out

    assert django_user_model.objects.filter(username="admin").count() == 1
    assert first.splitlines()[-1] == second.splitlines()[-1]


def test_production_without_secret_key_fails_with_a_message_not_a_traceback():
    result = run_manage("check", DEBUG="0", SECRET_KEY="")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        ALLOWED_HOSTS="creditdesk.example.com",
        # a database of its own: the one the suite's DATABASE_URL names may not exist (the
        # suite runs on the test database made from it)
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only settings")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_binds_on_the_server_and_prepares_a_statement_the_orm_runs_often():
    """Parameters go apart from the SQL, and the sixth run of one ORM query on a connection
    uses a statement the server parsed and planned once (settings: prepare_threshold)."""
    from contracts.models import Customer

    def prepared() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return {row[0] for row in cursor.fetchall()}

    assert connection.features.uses_server_side_binding
    for pk in range(1, 7):
        list(Customer.objects.filter(pk=pk))

    assert any('FROM "contracts_customer"' in statement for statement in prepared())
