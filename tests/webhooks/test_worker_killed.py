"""A worker killed in the middle of a delivery loses nothing: the attempt it claimed is
found overdue and made again, under the same event id."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from contracts.models import Channel
from tests.background.processes import database_url_of_test_db
from tests.web.conftest import top_up
from tests.webhooks.conftest import endpoint_for
from tickets.services.intake import ticket_open
from webhooks import services
from webhooks.models import WebhookDelivery

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_a_delivery_survives_its_worker_being_killed(shop, receiver, db_tasks):
    endpoint_for(shop, receiver)
    receiver.delays = [30]  # the first delivery hangs until the worker is gone
    top_up(shop.customer, "5")
    ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Caso")

    worker = subprocess.Popen(
        # --no-reload: with DEBUG on, the worker would run in a child of an autoreloader,
        # which the kill below would leave running, polling the database, after the suite.
        [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.2", "--no-reload"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url_of_test_db(),
            "TASKS_BACKEND": "database",
            "WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS": "1",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert receiver.received.wait(timeout=60), "the worker never delivered"
        assert not Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1  # claimed, never finished
    assert not delivery.log.exists()

    assert services.webhook_deliveries_resume() == 0  # not overdue yet
    later = timezone.now() + services.STALE_AFTER + timedelta(minutes=1)
    assert services.webhook_deliveries_resume(now=later) == 1
    db_tasks()

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert [(a.number, a.status_code) for a in delivery.log.all()] == [(2, 200)]
    assert len(receiver.requests) == 2
    assert {headers["webhook-id"] for headers, _ in receiver.requests} == {delivery.event_id}
