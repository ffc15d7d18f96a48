"""`/healthz` and `/readyz`: what a load balancer asks before sending traffic."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.background.sample_tasks import greet


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_each_check(client, db_tasks, settings):
    settings.TASKS_BACKEND = "database"
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "tasks"}
    assert body["checks"]["tasks"]["oldest_waiting_seconds"] == 0.0
    assert all(check["ok"] and check["ms"] >= 0 for check in body["checks"].values())


@pytest.mark.django_db
def test_a_task_waiting_too_long_takes_the_process_out_of_rotation(client, db_tasks, settings):
    settings.TASKS_BACKEND = "database"
    settings.READYZ_TASK_WAIT_SECONDS = 300
    result = greet.enqueue("late@example.com")
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - timedelta(minutes=10)
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["tasks"]["ok"] is False
    assert body["checks"]["tasks"]["oldest_waiting_seconds"] >= 600
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_a_deferred_retry_waits_from_its_run_after_not_its_enqueueing(client, db_tasks, settings):
    settings.TASKS_BACKEND = "database"
    long_ago = timezone.now() - timedelta(hours=2)
    soon = timezone.now() + timedelta(minutes=5)
    result = greet.using(run_after=soon).enqueue("retry@example.com")
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=long_ago)

    assert client.get("/readyz").status_code == 200  # not runnable yet: nobody is late

    DBTaskResult.objects.filter(pk=result.id).update(
        run_after=timezone.now() - timedelta(seconds=30)
    )
    body = client.get("/readyz").json()
    assert 30 <= body["checks"]["tasks"]["oldest_waiting_seconds"] < 300


@pytest.mark.django_db
def test_a_broken_cache_is_reported_not_raised(client, db_tasks, settings, monkeypatch):
    settings.TASKS_BACKEND = "database"

    def refuse(*args, **kwargs):
        raise ConnectionError("cache server gone")

    monkeypatch.setattr(cache, "set", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {
        "ok": False,
        "error": "ConnectionError",
        "ms": response.json()["checks"]["cache"]["ms"],
    }


def test_the_request_id_is_echoed_or_made_up(client):
    given = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
    assert given["X-Request-ID"] == "lb-7f3a.42"

    forged = client.get("/healthz", headers={"X-Request-ID": "x\nINFO fake log line"})
    made_up = client.get("/healthz")
    for response in (forged, made_up):
        assert len(response["X-Request-ID"]) == 32
        int(response["X-Request-ID"], 16)
    assert forged["X-Request-ID"] != made_up["X-Request-ID"]
