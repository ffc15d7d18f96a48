"""Finance pressing "Facturar el mes" several times at once on PostgreSQL: real threads, the
run row's lock; one run row and one task, whatever the order."""

from datetime import UTC, datetime

import pytest
from django_tasks_db.models import DBTaskResult

from billing.models import BillingRun
from billing.services import Period, billing_run_request
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_requests_at_once_queue_one_run_and_one_task(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    period = Period.parse("2026-11")

    results = run_together(
        lambda i: billing_run_request(period=period, now=datetime(2026, 12, 3, 15, tzinfo=UTC)),
        threads=6,
    )

    assert [r for r in results if isinstance(r, BaseException)] == []
    assert BillingRun.objects.count() == 1
    assert BillingRun.objects.get().queued_at is not None
    tasks = DBTaskResult.objects.filter(task_path="billing.tasks.run_billing_period")
    assert tasks.count() == 1
