"""Every write of the webhooks app: endpoints, deliveries and their attempts.

Announcing: an event emitted in a transaction writes, in it, a task (`announce_event`) that
turns the committed event into one `WebhookDelivery` per active endpoint that wants it (its
body frozen then), and each delivery a task that posts it (`webhooks.tasks`). Attempt N of
a delivery is claimed by one atomic UPDATE (`attempts` from N-1 to N while pending), so a
task that runs twice, or two workers that run the same task, post it once. A failed
attempt schedules the next one after `RETRY_SCHEDULE[N-1]` (about a day in all); the last
failure leaves the delivery failed. `WEBHOOKS_DISABLE_AFTER_FAILURES` failed attempts in a
row, across deliveries, disable the endpoint and mail its owner; a success resets the count.
"""

import json
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from background.queue import enqueue_on_commit, enqueue_with_transaction
from contracts.models import Customer
from core.errors import InvalidInput, full_clean_or_raise
from core.events import EVENT_TYPES, PUBLIC_EVENT_TYPES
from core.reads import all_rows
from webhooks import destinations, signing
from webhooks.exceptions import CustomerRequired, DuplicateEndpoint, UnknownEvent
from webhooks.locks import delivery_lock
from webhooks.models import (
    RESPONSE_EXCERPT_LENGTH,
    URL_MAX_LENGTH,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from webhooks.payloads import payload_render

# Seconds before attempt 2, 3, ...: seconds, minutes, hours, about a day after the first.
RETRY_SCHEDULE = (5, 60, 300, 1800, 7200, 18000, 36000, 36000)
NAMESPACE = uuid.UUID("6f1c2d3e-5b7a-4c1d-9e8f-0a1b2c3d4e5f")


def _events(events) -> list[str]:
    if not isinstance(events, list) or not events:
        raise InvalidInput({"events": [_("Elija al menos un evento.")]})
    unknown = [event for event in events if event not in EVENT_TYPES]
    if unknown:
        raise UnknownEvent(field="events", event=", ".join(map(str, unknown)))
    return sorted(set(events))


def _url(url) -> str:
    if not isinstance(url, str) or len(url) > URL_MAX_LENGTH:
        raise InvalidInput(
            {"url": [_("Una URL de hasta %(limit)s caracteres.") % {"limit": URL_MAX_LENGTH}]}
        )
    destinations.destination_resolve(url)
    return url


def webhook_endpoint_create(
    *,
    owner,
    url: str,
    events: list[str],
    customer: Customer | None = None,
    may_cover_all: bool,
    is_active: bool = True,
) -> WebhookEndpoint:
    """A new endpoint with a fresh secret, sent events from now on unless registered
    inactive. Only who `may_cover_all` (admins) registers one for every customer; others
    name a customer (the caller checks it is theirs)."""
    if customer is None and not may_cover_all:
        raise CustomerRequired(field="customer")
    url = _url(url)
    _refuse_duplicate(url, customer)
    endpoint = WebhookEndpoint(
        owner=owner,
        customer=customer,
        url=url,
        events=_events(events),
        secret=signing.secret_new(),
        is_active=is_active,
    )
    full_clean_or_raise(endpoint)
    endpoint.save()
    return endpoint


def webhook_endpoint_update(endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    """Change url, events or is_active; reactivating clears an automatic disabling."""
    allowed = {"url", "events", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput({name: [_("No se puede modificar.")] for name in sorted(unknown)})
    if "url" in fields:
        endpoint.url = _url(fields["url"])
        _refuse_duplicate(endpoint.url, endpoint.customer, other_than=endpoint.pk)
    if "events" in fields:
        endpoint.events = _events(fields["events"])
    if "is_active" in fields:
        endpoint.is_active = bool(fields["is_active"])
        if endpoint.is_active:
            endpoint.disabled_at = None
            endpoint.consecutive_failures = 0
    full_clean_or_raise(endpoint)
    endpoint.save()
    return endpoint


def _refuse_duplicate(url: str, customer: Customer | None, *, other_than: int | None = None):
    """One endpoint per destination and customer (or installation-wide): a second would
    deliver each event twice. The same URL may serve another customer."""
    same = WebhookEndpoint.objects.filter(url=url, customer=customer).exclude(pk=other_than)
    if same.exists():
        scope = customer.legal_name if customer is not None else _("todos los clientes")
        raise DuplicateEndpoint(url=url, scope=scope)


def webhook_endpoint_rotate_secret(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.secret = signing.secret_new()
    endpoint.save(update_fields=["secret"])
    return endpoint


def webhook_endpoint_delete(endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


def event_id_for(key: str) -> str:
    """A keyed event's id is the same each time it is emitted; any other is new."""
    return "evt_" + (uuid.uuid5(NAMESPACE, key) if key else uuid.uuid4()).hex


def _active_endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(is_active=True)


def endpoints_subscribed(event_type: str) -> list[WebhookEndpoint]:
    """The active endpoints subscribed to `event_type`. Endpoints are few: one query of
    them all, compiled once per connection (core.reads), rather than a search inside JSON
    (SQLite's JSON fields have no `contains`)."""
    return [endpoint for endpoint in _endpoints_active() if event_type in endpoint.events]


def events_subscribed(event_types: Iterable[str]) -> set[str]:
    """Which of `event_types` an active endpoint subscribes to, in the same one query (the
    webhooks' interest, `core.events.events_wanted`)."""
    subscribed = set().union(*(endpoint.events for endpoint in _endpoints_active()))
    return {event_type for event_type in event_types if event_type in subscribed}


def _endpoints_active() -> list[WebhookEndpoint]:
    return all_rows("webhook_endpoints_active", _active_endpoints)


def endpoints_reached(
    endpoints: list[WebhookEndpoint], *, event_type: str, customer_id: int | None
) -> list[WebhookEndpoint]:
    """Those of `endpoints` an event about `customer_id` goes to: the customer's own and
    the installation's, or every one for a public event."""
    return [
        endpoint
        for endpoint in endpoints
        if endpoint.customer_id is None
        or endpoint.customer_id == customer_id
        or event_type in PUBLIC_EVENT_TYPES
    ]


def endpoints_awaiting(endpoints: list[WebhookEndpoint], *, event_id: str) -> list[WebhookEndpoint]:
    """Those of `endpoints` without a delivery of the event yet, in one query: an invoice
    found overdue again by every hourly run is rendered only for an endpoint that has not
    had it, and an announcement run twice renders nothing the second time."""
    delivered = set(
        WebhookDelivery.objects.filter(event_id=event_id, endpoint__in=endpoints).values_list(
            "endpoint_id", flat=True
        )
    )
    return [endpoint for endpoint in endpoints if endpoint.pk not in delivered]


def event_announce(
    *, event_type: str, model: str, pk: int, event_id: str, occurred_at: datetime
) -> list[WebhookDelivery]:
    """The deliveries of an event that committed (its emitter's transaction wrote the task
    that calls this): the object as the API shows it now, read from its committed row, to
    every active endpoint that subscribes to the event and has not had it."""
    instance = apps.get_model(model)._default_manager.get(pk=pk)
    subscribed = endpoints_subscribed(event_type)
    subscribed = endpoints_awaiting(subscribed, event_id=event_id) if subscribed else []
    if not subscribed:
        return []
    with translation.override(settings.LANGUAGE_CODE):  # not the language of who acted
        customer_id, data = payload_render(instance)
    return deliveries_create(
        endpoints=subscribed,
        event_type=event_type,
        customer_id=customer_id,
        data=data,
        event_id=event_id,
        occurred_at=occurred_at,
    )


def deliveries_create(
    *,
    endpoints: list[WebhookEndpoint],
    event_type: str,
    customer_id: int | None,
    data: dict,
    event_id: str,
    occurred_at: datetime,
) -> list[WebhookDelivery]:
    """One delivery per endpoint (of the active ones subscribed to `event_type`) that the
    event reaches (`endpoints_reached`). The (endpoint, event id) constraint keeps an event,
    or a keyed event emitted again, to one delivery."""
    endpoints = endpoints_reached(endpoints, event_type=event_type, customer_id=customer_id)
    if not endpoints:
        return []
    body = json.dumps(
        {
            "id": event_id,
            "type": event_type,
            "timestamp": occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "data": data,
        },
        ensure_ascii=False,
        default=str,
    )
    created = []
    for endpoint in endpoints:
        # The delivery and its first attempt's task commit together: a delivery whose task
        # was never written would wait for good (an announcement run again skips it).
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint, event_id=event_id, event_type=event_type, body=body
                )
                _schedule(delivery, attempt=1, delay=0)
        except IntegrityError:  # this event was delivered to this endpoint before
            continue
        created.append(delivery)
    return created


def _schedule(delivery: WebhookDelivery, *, attempt: int, delay: float) -> None:
    """Enqueue attempt `attempt` after `delay` seconds, with the transaction (on the
    database backend, its task row commits with the delivery's state). A backend that cannot
    defer (the immediate one, for debugging) makes no retries."""
    from webhooks import tasks

    run_after = timezone.now() + timedelta(seconds=delay)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=run_after)
    deliver = tasks.deliver_webhook
    if delay:
        if not deliver.get_backend().supports_defer:
            return
        deliver = deliver.using(run_after=run_after)
    enqueue_with_transaction(deliver, delivery.pk, attempt)


def delivery_attempt(delivery_id: int, attempt: int) -> WebhookAttempt | None:
    """Post attempt `attempt` of a delivery, once. None when it is not this attempt's turn
    (already made by another run, delivered, failed for good, or its endpoint is off)."""
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=WebhookDelivery.Status.PENDING,
        attempts=attempt - 1,
        endpoint__is_active=True,
    ).update(attempts=attempt)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    timestamp = int(time.time())
    started = time.perf_counter()
    status_code, excerpt, error = None, "", ""
    try:
        destination = destinations.destination_resolve(endpoint.url)
        status_code, excerpt = destinations.post(
            destination,
            body=delivery.body,
            headers=signing.headers(
                endpoint.secret,
                message_id=delivery.event_id,
                timestamp=timestamp,
                body=delivery.body,
            ),
            timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
        )
    except Exception as failure:  # any way the attempt can fail is logged, then retried
        error = f"{type(failure).__name__}: {failure}"[:300]
    logged = WebhookAttempt.objects.create(
        delivery=delivery,
        number=attempt,
        at=timezone.now(),
        status_code=status_code,
        duration_ms=round((time.perf_counter() - started) * 1000),
        response_excerpt=excerpt[:RESPONSE_EXCERPT_LENGTH],
        error=error,
    )
    if logged.succeeded:
        _delivered(delivery)
    else:
        _failed(delivery, attempt)
    return logged


def _delivered(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.DELIVERED, delivered_at=timezone.now(), next_attempt_at=None
    )
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)


def _failed(delivery: WebhookDelivery, attempt: int) -> None:
    with transaction.atomic():
        if attempt <= len(RETRY_SCHEDULE):
            _schedule(delivery, attempt=attempt + 1, delay=RETRY_SCHEDULE[attempt - 1])
        else:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=WebhookDelivery.Status.FAILED, next_attempt_at=None
            )
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        disabled = WebhookEndpoint.objects.filter(
            pk=delivery.endpoint_id,
            is_active=True,
            consecutive_failures__gte=settings.WEBHOOKS_DISABLE_AFTER_FAILURES,
        ).update(is_active=False, disabled_at=timezone.now())
        if disabled:
            from webhooks import tasks

            enqueue_on_commit(tasks.send_disabled_mail, delivery.endpoint_id)


# An attempt due this long ago that has not happened was lost (its worker died after
# claiming it, or its task was never enqueued because the queue was down).
STALE_AFTER = timedelta(minutes=10)


def webhook_deliveries_resume(*, now=None) -> int:
    """Schedule the next attempt of every pending delivery whose attempt is overdue by
    `STALE_AFTER`. Nothing is lost when a worker dies mid-delivery: the receiver may get
    the event twice, with the same `webhook-id` to tell. Returns how many were resumed."""
    now = now or timezone.now()
    stale = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING,
        endpoint__is_active=True,
        next_attempt_at__lt=now - STALE_AFTER,
    )
    resumed = 0
    for delivery in stale:
        with transaction.atomic():
            _schedule(delivery, attempt=delivery.attempts + 1, delay=0)
        resumed += 1
    return resumed


def webhook_redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (after a fix on the receiver's side): the same event id and
    body, as the next attempt; a disabled endpoint must be reactivated first."""
    with transaction.atomic():
        locked = delivery_lock(delivery.pk)
        locked.status = WebhookDelivery.Status.PENDING
        locked.save(update_fields=["status"])
        _schedule(locked, attempt=locked.attempts + 1, delay=0)
    return locked


def disabled_mail(endpoint_id: int) -> EmailMessage:
    endpoint = WebhookEndpoint.objects.select_related("owner").get(pk=endpoint_id)
    return EmailMessage(
        subject=f"Webhook desactivado / Webhook disabled: {endpoint.url}",
        body=(
            f"Desactivamos el webhook {endpoint.url} tras {endpoint.consecutive_failures} "
            "intentos fallidos seguidos. Corrija el receptor y reactívelo; las entregas "
            "fallidas pueden reenviarse.\n\n"
            f"We disabled the webhook {endpoint.url} after {endpoint.consecutive_failures} "
            "failed attempts in a row. Fix the receiver and reactivate it; failed deliveries "
            "can be sent again."
        ),
        to=[endpoint.owner.email],
    )
