"""Probes for a load balancer or orchestrator.

`/healthz` answers while the process can serve at all: it touches nothing, so a slow
database never gets a healthy web process restarted. `/readyz` answers 200 only when the
process can do its work: the database answers, the cache keeps a value, and the oldest task
waiting to run has waited less than `READYZ_TASK_WAIT_SECONDS` (a stuck or missing worker
shows here before customers notice missing mail). Both are plain JSON, unauthenticated,
and say nothing about customers.
"""

import logging
import time
import uuid
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, F, Min, When
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)


def oldest_waiting_since() -> datetime | None:
    """When the task that has waited longest to run became runnable (None: nothing waits).

    A task waits from its enqueueing, or from its `run_after` when it was deferred (a retry);
    the database backend stores "no run_after" as the largest date."""
    waiting_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),
        default=F("run_after"),
    )
    return DBTaskResult.objects.ready().aggregate(since=Min(waiting_since))["since"]


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as error:  # a probe reports every failure; it never raises
        logger.warning("readiness check %s failed", check.__name__, exc_info=True)
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def _cache() -> dict:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return {"ok": ok}


def oldest_waiting_since_on_redis() -> datetime | None:
    """`oldest_waiting_since` for the Redis backend: the queue's head (rq runs its queue
    first in, first out), or a deferred task (a retry) whose time has come but which no
    scheduler has moved to the queue (a worker started without `--with-scheduler`)."""
    import django_rq
    from rq.registry import ScheduledJobRegistry

    queue = django_rq.get_queue("default")
    since = []
    head = queue.get_job_ids(0, 1)
    job = queue.fetch_job(head[0]) if head else None
    if job is not None and job.enqueued_at is not None:
        since.append(job.enqueued_at)
    deferred = ScheduledJobRegistry(queue=queue)
    for due in deferred.get_jobs_to_schedule(int(time.time()), chunk_size=1):
        since.append(deferred.get_scheduled_time(due))
    return min(since, default=None)


def _tasks() -> dict:
    if settings.TASKS_BACKEND == "immediate":  # nothing ever waits
        return {"ok": True, "backend": settings.TASKS_BACKEND}
    now = timezone.now()
    since = (
        oldest_waiting_since()
        if settings.TASKS_BACKEND == "database"
        else oldest_waiting_since_on_redis()
    )
    waited = max(0.0, (now - since).total_seconds()) if since else 0.0
    return {
        "ok": waited <= settings.READYZ_TASK_WAIT_SECONDS,
        "oldest_waiting_seconds": round(waited, 1),
    }


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _timed(_database), "cache": _timed(_cache)}
    checks["tasks"] = _timed(_tasks) if checks["database"]["ok"] else {"ok": False}
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "fail", "checks": checks}, status=200 if ready else 503
    )
