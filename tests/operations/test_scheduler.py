"""`manage.py scheduler`: a row per job records its last run slot, each slot is enqueued
once whatever the number of schedulers, a missed run is caught up once, and the enqueued task
runs the job's management command on a worker."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django_tasks_db.models import DBTaskResult

from operations.models import JobRun, ScheduledJob
from operations.schedule import JOBS, JOBS_BY_NAME, Job
from operations.scheduler import scheduler_tick
from tests.threads import run_together

pytestmark = pytest.mark.django_db


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("job", "now", "slot"),
    [
        ("sla_monitor", utc(2026, 3, 5, 10, 7, 42), utc(2026, 3, 5, 10, 7)),
        ("chase_unanswered", utc(2026, 3, 5, 10, 7), utc(2026, 3, 5, 10)),
        ("billing_daily", utc(2026, 3, 5, 0, 59), utc(2026, 3, 5, 0)),
        ("remind_invoices", utc(2026, 3, 5, 12, 59), utc(2026, 3, 4, 13)),
        ("remind_invoices", utc(2026, 3, 5, 13, 0), utc(2026, 3, 5, 13)),
        ("verify_ledger", utc(2026, 3, 5, 10), utc(2026, 3, 5, 3)),
        ("run_billing", utc(2026, 3, 1, 11, 59), utc(2026, 2, 1, 12)),
        ("run_billing", utc(2026, 3, 17), utc(2026, 3, 1, 12)),
        ("run_billing", utc(2026, 1, 1, 0), utc(2025, 12, 1, 12)),
    ],
)
def test_the_run_slot_an_instant_falls_in(job, now, slot):
    assert JOBS_BY_NAME[job].slot(now) == slot


def test_the_monthly_run_bills_the_month_before_its_slot():
    assert JOBS_BY_NAME["run_billing"].args(utc(2026, 3, 1, 2)) == ["--period", "2026-02"]


def test_each_job_is_enqueued_once_per_slot_and_a_row_records_its_last_run(
    db_tasks, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.delenv("IMAP_URL", raising=False)
    now = utc(2026, 3, 5, 10, 7)

    with django_capture_on_commit_callbacks(execute=True):
        first = scheduler_tick(now=now)
        again = scheduler_tick(now=utc(2026, 3, 5, 10, 7, 50))  # same minute: same slots

    assert sorted(run.job.name for run in first) == sorted(
        job.name for job in JOBS if job.name != "ingest_mail"
    )
    assert again == []
    assert DBTaskResult.objects.count() == len(first)
    assert ScheduledJob.objects.get(name="chase_unanswered").last_slot_at == utc(2026, 3, 5, 10)


def test_mail_polling_is_scheduled_only_with_an_imap_url(db_tasks, monkeypatch):
    monkeypatch.setenv("IMAP_URL", "imaps://soporte:secret@mail.example.com/INBOX")

    runs = scheduler_tick(now=utc(2026, 3, 5, 10, 7))

    (polling,) = [run for run in runs if run.job.name == "ingest_mail"]
    assert JOBS_BY_NAME["ingest_mail"].args(polling.slot_at) == ["--imap"]


def test_a_missed_run_is_caught_up_once(db_tasks, django_capture_on_commit_callbacks):
    hourly = (JOBS_BY_NAME["apply_plan_changes"],)
    with django_capture_on_commit_callbacks(execute=True):
        scheduler_tick(now=utc(2026, 3, 5, 10, 0, 5), jobs=hourly)

        # the scheduler was down from 10:00 to 13:30: 11:00, 12:00 and 13:00 were missed
        caught_up = scheduler_tick(now=utc(2026, 3, 5, 13, 30), jobs=hourly)

    assert [run.slot_at for run in caught_up] == [utc(2026, 3, 5, 13)]
    assert list(JobRun.objects.order_by("slot_at").values_list("slot_at", flat=True)) == [
        utc(2026, 3, 5, 10),
        utc(2026, 3, 5, 13),
    ]
    assert DBTaskResult.objects.count() == 2


def test_the_database_refuses_a_second_run_of_one_slot():
    job = ScheduledJob.objects.create(name="sla_monitor")
    JobRun.objects.create(job=job, slot_at=utc(2026, 3, 5, 10))

    with pytest.raises(IntegrityError):
        JobRun.objects.create(job=job, slot_at=utc(2026, 3, 5, 10))


def test_the_enqueued_task_runs_the_jobs_command_on_a_worker(
    db_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        scheduler_tick(now=utc(2026, 3, 5, 10, 7), jobs=(JOBS_BY_NAME["sla_monitor"],))

    assert db_tasks() == 1
    done = DBTaskResult.objects.get()
    assert done.status == "SUCCESSFUL"
    assert done.args_kwargs["args"] == ["sla_monitor", "2026-03-05T10:07:00+00:00"]
    assert done.return_value.startswith("warned=0 breached=0 emails=0")


def test_the_scheduler_command_ticks_once(db_tasks, monkeypatch, capsys):
    monkeypatch.delenv("IMAP_URL", raising=False)

    call_command("scheduler", "--once")

    assert "enqueued sla_monitor @" in capsys.readouterr().out
    assert ScheduledJob.objects.count() == len(JOBS) - 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_enqueue_each_slot_once(db_tasks):
    jobs = (
        Job("every_minute", "sla_monitor", "minute"),
        Job("every_hour", "apply_plan_changes", "hour"),
    )
    now = utc(2026, 3, 5, 10, 7)

    made = run_together(lambda i: scheduler_tick(now=now, jobs=jobs), threads=4)

    assert not [outcome for outcome in made if isinstance(outcome, Exception)]
    assert sum(len(runs) for runs in made) == 2
    assert JobRun.objects.count() == 2
    assert DBTaskResult.objects.count() == 2


def _tick_then_roll_back(job: Job) -> None:
    with transaction.atomic():
        scheduler_tick(now=utc(2026, 3, 1, 12, 30), jobs=(job,))
        raise RuntimeError("the process died before its commit")


def test_a_slot_is_recorded_with_its_task_or_not_at_all(db_tasks):
    job = JOBS_BY_NAME["run_billing"]

    # a tick whose transaction rolls back leaves neither the slot nor its task
    with pytest.raises(RuntimeError):
        _tick_then_roll_back(job)
    assert not JobRun.objects.exists()
    assert not DBTaskResult.objects.exists()

    # the task is written with the slot, not after the commit (no on-commit callback runs)
    [run] = scheduler_tick(now=utc(2026, 3, 1, 12, 31), jobs=(job,))
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == ["run_billing", run.slot_at.isoformat()]


@pytest.mark.postgres
def test_a_job_that_cannot_be_enqueued_does_not_stop_the_others(db_tasks):
    # PostgreSQL refuses a name longer than its column, as it would a row it cannot lock
    broken = Job("x" * 61, "verify_ledger", "hour")
    after = JOBS_BY_NAME["verify_ledger"]

    made = scheduler_tick(now=utc(2026, 3, 5, 10, 7), jobs=(broken, after))

    assert [run.job.name for run in made] == ["verify_ledger"]
    assert DBTaskResult.objects.count() == 1
