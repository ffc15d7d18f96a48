"""Real threads released at once, for the PostgreSQL concurrency tests."""

import threading
from collections.abc import Callable

from django.db import connection


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
