"""Deliveries to a real HTTP server on loopback: signed as the README verifies, retried on
failure with the same event id, posted once per attempt, disabled after repeated failure."""

import json
import re
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background.queue import RetryScheduled
from contracts.models import Channel
from tests.web.conftest import top_up
from tests.webhooks.conftest import endpoint_for
from tickets.services.intake import ticket_open
from webhooks import services, tasks
from webhooks.exceptions import DestinationRefused
from webhooks.models import WebhookDelivery, WebhookEndpoint

README = Path(__file__).resolve().parents[2] / "README.md"
# Real commits: events and deliveries happen on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def readme_verify():
    """The README's verification code, run as written."""
    text = README.read_text(encoding="utf-8")
    code = text.split("<!-- webhook-verify -->", 1)[1].split("```python", 1)[1].split("```")[0]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 (our own README's example)
    return namespace["verify"]


def open_ticket(shop, subject="El correo no sale"):
    top_up(shop.customer, "5")
    return ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject=subject).ticket


def release_retries() -> None:
    """Time passes: every deferred attempt may run now."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def test_a_delivery_is_signed_as_the_readme_verifies(shop, receiver):
    endpoint = endpoint_for(shop, receiver)
    ticket = open_ticket(shop)

    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert readme_verify()(endpoint.secret, headers, body)
    assert not readme_verify()(endpoint.secret, headers, body + b" ")
    event = json.loads(body)
    assert event["type"] == "ticket.created"
    assert event["id"] == headers["webhook-id"]
    assert re.fullmatch(r"evt_[0-9a-f]{32}", event["id"])
    assert event["data"]["number"] == ticket.number
    assert event["data"]["customer"] == shop.customer.pk
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert [(a.number, a.status_code) for a in delivery.log.all()] == [(1, 200)]


@pytest.mark.django_db  # the test's transaction: its on-commit callbacks never run
def test_an_event_is_announced_though_its_process_dies_right_after_the_commit(
    shop, receiver, db_tasks, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(shop, receiver)
    top_up(shop.customer, "5")
    with django_capture_on_commit_callbacks(execute=False):  # as if killed after its commit
        opened_at = timezone.now()
        ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Caso").ticket

    db_tasks()  # a worker, later, on what the transaction wrote
    [(headers, body)] = receiver.requests
    assert readme_verify()(endpoint.secret, headers, body)
    event = json.loads(body)
    assert (event["type"], event["data"]["number"]) == ("ticket.created", ticket.number)
    # when it happened, not when the worker announced it
    emitted = datetime.fromisoformat(event["timestamp"])
    assert opened_at <= emitted <= opened_at + timedelta(seconds=5)
    assert db_tasks() == 0  # announced once


def test_an_announcement_run_twice_delivers_once(shop, receiver, db_tasks):
    endpoint_for(shop, receiver)
    open_ticket(shop)
    [announce] = DBTaskResult.objects.filter(task_path="webhooks.tasks.announce_event")
    db_tasks()

    again = tasks.announce_event.call(*announce.args_kwargs["args"])

    assert again == 0
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_a_delivery_is_never_left_without_its_first_attempt(shop, receiver, db_tasks, monkeypatch):
    """The delivery and its attempt's task commit together: when writing the task fails, the
    announcement's retry makes the delivery, rather than finding one that never goes out."""
    endpoint_for(shop, receiver)
    open_ticket(shop)
    [announce] = DBTaskResult.objects.filter(task_path="webhooks.tasks.announce_event")
    arguments = announce.args_kwargs["args"]
    schedule = services._schedule

    def fail_once(*args, **kwargs):
        monkeypatch.setattr(services, "_schedule", schedule)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_schedule", fail_once)
    with pytest.raises(RetryScheduled):
        tasks.announce_event.call(*arguments)
    assert not WebhookDelivery.objects.exists()

    assert tasks.announce_event.call(*arguments) == 1
    db_tasks()
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_work_that_rolled_back_announces_nothing(shop, receiver):
    endpoint_for(shop, receiver)
    top_up(shop.customer, "5")

    def open_then_fail() -> None:
        with transaction.atomic():
            opened = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Caso")
            assert opened.accepted
            raise RuntimeError("the work around the intake failed")

    with pytest.raises(RuntimeError):
        open_then_fail()

    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_a_500_is_retried_later_with_the_same_event_id(shop, receiver, db_tasks):
    endpoint_for(shop, receiver)
    receiver.answers = [500]
    open_ticket(shop)

    db_tasks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()
    assert db_tasks() == 0  # not before its time

    release_retries()
    db_tasks()

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert [(a.number, a.status_code) for a in delivery.log.all()] == [(1, 500), (2, 200)]
    assert "receiver broken" in delivery.log.first().response_excerpt
    ids = {headers["webhook-id"] for headers, _ in receiver.requests}
    assert len(receiver.requests) == 2
    assert ids == {delivery.event_id}


def test_an_answer_trickled_past_the_timeout_is_cut_off_and_retried(
    shop, receiver, db_tasks, settings
):
    """The timeout bounds the whole exchange, not each read: a receiver that sends a line of
    its answer now and then never holds a worker past it."""
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    receiver.trickle = 0.3  # 20 header lines, 6 s in all, each well within a second
    endpoint_for(shop, receiver)
    open_ticket(shop)

    started = time.monotonic()
    db_tasks()
    took = time.monotonic() - started

    delivery = WebhookDelivery.objects.get()
    (attempt,) = delivery.log.all()
    assert attempt.status_code is None
    assert attempt.error == "TimeoutError: no complete answer within 1 s"
    assert 1000 <= attempt.duration_ms < 2500
    assert took < 4
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 1)
    assert delivery.next_attempt_at > timezone.now()


def test_an_attempt_run_twice_posts_once(shop, receiver, db_tasks):
    endpoint = endpoint_for(shop, receiver)
    [delivery] = services.deliveries_create(  # its attempt is enqueued, not run
        endpoints=[endpoint],
        event_type="ticket.created",
        customer_id=shop.customer.pk,
        data={"number": "T-1"},
        event_id=services.event_id_for(""),
        occurred_at=timezone.now(),
    )

    first = services.delivery_attempt(delivery.pk, 1)
    again = services.delivery_attempt(delivery.pk, 1)

    assert first.succeeded
    assert again is None
    assert len(receiver.requests) == 1


def test_redelivery_sends_the_same_event_again(shop, receiver):
    endpoint_for(shop, receiver)
    open_ticket(shop)
    delivery = WebhookDelivery.objects.get()

    services.webhook_redeliver(delivery)

    assert len(receiver.requests) == 2
    (first, body1), (second, body2) = receiver.requests
    assert first["webhook-id"] == second["webhook-id"] == delivery.event_id
    assert body1 == body2
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.status == WebhookDelivery.Status.DELIVERED


def test_repeated_failure_disables_the_endpoint_and_mails_its_owner(
    shop, receiver, db_tasks, settings
):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 3
    endpoint = endpoint_for(shop, receiver)
    receiver.answers = [500] * 10
    open_ticket(shop)

    for _ in range(5):
        db_tasks()
        release_retries()

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_at is not None
    assert len(receiver.requests) == 3  # nothing is sent to a disabled endpoint
    sent = [m for m in mail.outbox if m.to == [shop.manager.email]]
    assert len(sent) == 1
    assert "disabled" in sent[0].subject

    services.webhook_endpoint_update(endpoint, is_active=True)
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert endpoint.consecutive_failures == 0


def test_events_of_other_customers_do_not_reach_an_endpoint(shop, receiver):
    from tests.factories import make_contact, make_contract, make_customer

    endpoint_for(shop, receiver)
    other = make_customer()
    make_contract(other, shop.contract.plan)
    contact = make_contact(other)
    top_up(other, "5")

    ticket_open(channel=Channel.PORTAL, requester=contact, subject="Otro cliente")

    assert receiver.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://10.0.0.8/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hooks",
        "http://100.64.0.1/hooks",  # carrier-grade NAT, a cloud's inside
        "http://192.0.0.8/hooks",
        "http://[::ffff:10.0.0.1]/hooks",
        "http://[2002:7f00:1::]/hooks",  # 6to4 carrying 127.0.0.1
        "http://[64:ff9b::a00:5]/hooks",  # NAT64 carrying 10.0.0.5
        "http://[64:ff9b:1::a9fe:a9fe]/hooks",  # local NAT64 carrying the metadata service
        "http://[::7f00:1]/hooks",  # IPv4-compatible 127.0.0.1
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hooks",  # Teredo carrying 127.0.0.1
        "http://localhost/hooks",
        "ftp://example.com/hooks",
        "not a url",
    ],
)
def test_internal_destinations_are_refused_without_the_setting(shop, url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    assert_registration_refused(shop, url)


def assert_registration_refused(shop, url: str) -> None:
    """Registering `url` is refused on its field, and no endpoint is written."""
    with pytest.raises(DestinationRefused) as refused:
        services.webhook_endpoint_create(
            owner=shop.manager,
            url=url,
            events=["ticket.created"],
            customer=shop.customer,
            may_cover_all=False,
        )
    assert refused.value.field == "url"
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/ho\noks", "http://127.0.0.1:8000/\thooks"])
def test_an_address_with_a_line_break_or_a_tab_is_refused(shop, url, settings):
    # Python's parser drops them and would reach the address; the address kept would hold
    # them, and the mail that tells of a disabled endpoint names it in its subject line
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = True  # loopback: only the writing decides
    assert_registration_refused(shop, url)


def test_a_destination_that_turns_internal_is_refused_at_delivery(shop, receiver, settings):
    endpoint_for(shop, receiver)
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False  # as if DNS now pointed inside

    open_ticket(shop)

    assert receiver.requests == []
    attempt = WebhookDelivery.objects.get().log.get()
    assert attempt.status_code is None
    assert "DestinationRefused" in attempt.error
