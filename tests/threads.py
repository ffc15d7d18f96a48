"""Real threads released at once, for the PostgreSQL concurrency tests."""

import threading
import time
from collections.abc import Callable

from django.db import connection, connections, transaction


def run_together(work: Callable[[int], object], *, threads: int) -> list[object]:
    """Run work(i) in `threads` threads released together by a barrier; each thread's result,
    or the exception it raised, by i. Each thread closes its own database connection."""
    start = threading.Barrier(threads)
    results: list[object] = [None] * threads

    def target(i: int) -> None:
        try:
            start.wait()
            results[i] = work(i)
        except Exception as error:  # the test inspects every outcome
            results[i] = error
        finally:
            connection.close()

    running = [threading.Thread(target=target, args=(i,)) for i in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return results


def run_while_held(hold: Callable[[], object], then: Callable[[], object]) -> object:
    """`hold` runs in one thread's transaction, which stays open until `then`, run in a
    second thread, waits for a lock (PostgreSQL's pg_stat_activity says so); then the first
    commits. What `then` returned, or the exception it raised: the interleaving a race
    would take, made certain."""
    held, finish = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                hold()
                held.set()
                finish.wait(timeout=30)
        except Exception as error:  # raised again below, in the test's thread
            outcome["hold"] = error
        finally:
            held.set()
            connection.close()

    def second() -> None:
        held.wait(timeout=30)
        try:
            if "hold" in outcome:
                return
            connection.ensure_connection()
            outcome["backend"] = connection.connection.info.backend_pid
            outcome["then"] = then()
        except Exception as error:  # the test inspects it
            outcome["then"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        _wait_until_blocked(outcome)
    finally:
        finish.set()
        for thread in threads:
            thread.join()
    if "hold" in outcome:
        raise outcome["hold"]  # type: ignore[misc]
    return outcome["then"]


def _wait_until_blocked(outcome: dict[str, object]) -> None:
    with connections["default"].cursor() as cursor:
        for _ in range(300):
            if "hold" in outcome or "then" in outcome:
                return  # the first failed, or the second finished without waiting
            pid = outcome.get("backend")
            if pid is not None:
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
                row = cursor.fetchone()
                if row and row[0] == "Lock":
                    return
            time.sleep(0.05)
    raise AssertionError(f"the second transaction never waited for a lock: {outcome}")
