import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import translation

import sla.selectors as sla_selectors
from tests.api.conftest import World, build_world
from tests.factories import migration_seed_rows
from tests.tickets.conftest import build_sla_policy

# CI runs the suite on SQLite and on PostgreSQL side by side on two cores (.ci/run), each
# with CI set; doing everything twice took over CI's 20 minutes. So a test whose answer does
# not hang on the database runs in one of the two (`ci_run_of`); without CI set every run
# runs every test.
# - A browser test runs on SQLite: Chromium looks at the same page either way.
# - A test that touches no database runs in the PostgreSQL run.
# - The database tests of these folders run where CI_RUN_OF_FOLDER says (a test marked
#   `postgres` runs there anyway). Pages and the API decide in Python what they show and
#   allow, and every page's and operation's queries still run on PostgreSQL in the fuzz
#   tests of tests/creditdesk (every route and operation, malformed input, never a 500):
#   they run on SQLite. Task queues (Redis and database workers started as processes),
#   webhook deliveries, the production server, the status page and quotes run on
#   PostgreSQL, as production does.
# - Every other database test runs in both.
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "live_server", "django_db_setup"})
CI_RUN_OF_FOLDER = {
    "web": "sqlite",
    "api": "sqlite",
    "background": "postgresql",
    "webhooks": "postgresql",
    "operations": "postgresql",
    "statuspage": "postgresql",
    "quotes": "postgresql",
}
TESTS = Path(__file__).parent


def ci_run_of(item) -> str | None:
    """The database run ("sqlite", "postgresql") CI runs `item` in, or None for both."""
    uses = set(getattr(item, "fixturenames", ()))
    if "browser" in uses:
        return "sqlite"
    if not (uses & DATABASE_FIXTURES) and item.get_closest_marker("django_db") is None:
        return "postgresql"
    if "postgres" in item.keywords:
        return None
    return CI_RUN_OF_FOLDER.get(Path(item.path).relative_to(TESTS).parts[0])


def pytest_collection_modifyitems(config, items):
    def elsewhere(item) -> bool:
        run = ci_run_of(item) if os.environ.get("CI") else None
        return run is not None and run != connection.vendor

    left = [item for item in items if elsewhere(item)]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = [item for item in items if not elsewhere(item)]
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (row locks, triggers): run with DATABASE_URL=postgres://..."
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _migration_seed_data(request):
    """`migration_seed_rows` before every database test."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_django_db_helper")
    migration_seed_rows()


@pytest.fixture(autouse=True)
def _default_language_active(settings):
    """The test client's requests activate their reader's language in the test's own thread,
    and Django leaves it active after the answer: a test after one in English would word
    what it validates (a constraint's message) in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _request_counters_start_empty():
    """The rate limits count in the cache, which outlives a test: one test's requests from
    the test client's address must not use up another's allowance."""
    cache.clear()


@pytest.fixture(autouse=True)
def _sla_versions_read_anew():
    """sla keeps what it read of a published version per process, keyed by its id and
    creation time, which no two versions share in a running installation. Tests roll their
    rows back, so SQLite hands the next test the same ids, and under a frozen clock the same
    creation time: a version of one test would answer for another's."""
    for kept in (
        sla_selectors._calendar_values,
        sla_selectors._policy_versions,
        sla_selectors._calendar_versions,
        sla_selectors._policy_rules,
    ):
        kept.clear()


@pytest.fixture(autouse=True)
def _tasks_run_immediately(request, settings):
    """Most tests look at the mail a request sends: tasks run when enqueued (on commit).
    Tests about the queue itself ask for `db_tasks`, the real database backend."""
    if "db_tasks" in request.fixturenames:
        return
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def db_tasks(settings, monkeypatch):
    """The embedded backend (django-tasks-db) on the test database; returns a function that
    runs the ready tasks in this process, as `manage.py db_worker --batch` does, and returns
    how many ran. The worker's own loop, except that it keeps the test's connection (it
    would close it between tasks, as a long-running process should)."""
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }

    def run_ready_tasks() -> int:
        worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        )
        worker.run()
        return worker._run_tasks

    return run_ready_tasks


@pytest.fixture
def world_per_module(_world_of_module, db) -> World:
    """One world for a whole module of tests that only send requests (fuzzing, schema and
    access checks, hundreds of tests): built once instead of once per test.

    The module holds a transaction open and rolls it back at its end; each test's own
    transaction (`db`) nests inside it as a savepoint, so what a test writes is gone for the
    next, as with `world`. For modules without transactional tests (their flush would empty
    the world) whose tests change no world object in memory (a rollback would not undo
    that). A module takes it as its `world` with `world = world_per_module`."""
    return _world_of_module


@pytest.fixture(scope="module")
def _world_of_module(django_db_setup, django_db_blocker) -> Iterator[World]:
    with django_db_blocker.unblock():
        module = transaction.atomic()
        module.__enter__()
        try:
            migration_seed_rows()
            world = build_world(build_sla_policy())
        except BaseException:
            module.__exit__(*sys.exc_info())
            raise
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module.__exit__(None, None, None)
