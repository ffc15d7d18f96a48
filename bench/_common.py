"""What every benchmark script needs: its own database, Django, and timed worker processes.

Each script builds a database of its own -- on PostgreSQL `creditdesk_bench_<name>` on the
server DATABASE_URL names, on SQLite var/bench-<name>.sqlite3 -- so dev data is untouched.
Workers are processes, as a deployment runs several worker processes; threads would measure
the GIL rather than the database.
"""

import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def prepare_database(name: str) -> tuple[str, str]:
    """Point DATABASE_URL at the bench's own empty database. Returns (vendor, url)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        database = f"creditdesk_bench_{name}"
        parts = urlsplit(url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{database}"')
        bench_url = urlunsplit(parts._replace(path=f"/{database}"))
        os.environ["DATABASE_URL"] = bench_url
        return "postgresql", bench_url
    path = ROOT / "var" / f"bench-{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    bench_url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = bench_url
    return "sqlite", bench_url


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    # Measure what production runs: DEBUG off (no query log kept per statement).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "creditdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _timed_loop(operation, setup_args, seconds, barrier, results) -> None:
    from django.db import connections

    connections.close_all()  # never share the parent's connection
    step = operation(*setup_args)
    step()  # warm up: connection, caches
    barrier.wait()
    deadline = time.perf_counter() + seconds
    done = 0
    while time.perf_counter() < deadline:
        done += 1 if step() else 0
    connections.close_all()
    results.put(done)


def per_second(
    operation: Callable[..., Callable[[], bool]],
    worker_args: list[tuple],
    *,
    seconds: float,
) -> float:
    """Run `operation(*args)` in one process per args tuple; it returns a step function that
    does one unit of work and says whether it counts. Returns counted steps per second."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(worker_args) + 1)
    results = context.Queue()
    processes = [
        context.Process(target=_timed_loop, args=(operation, args, seconds, barrier, results))
        for args in worker_args
    ]
    for process in processes:
        process.start()
    barrier.wait()
    total = sum(results.get() for _ in processes)
    for process in processes:
        process.join()
    return total / seconds
