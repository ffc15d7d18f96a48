"""The webhooks app listens to domain events (core.events), in the emitter's transaction."""

from datetime import datetime

from django.db.models import QuerySet

from background.queue import enqueue_with_transaction
from core.reads import all_rows
from webhooks.models import WebhookEndpoint
from webhooks.services import event_id_for


def endpoints_want(event_types) -> set[str]:
    """Which of `event_types` an active endpoint subscribes to. Endpoints are few: their
    event lists are read in one query rather than searched inside JSON (SQLite's JSON
    fields have no `contains`)."""
    subscribed = WebhookEndpoint.objects.filter(is_active=True).values_list("events", flat=True)
    wanted = set().union(*subscribed)
    return {event_type for event_type in event_types if event_type in wanted}


def _active_endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(is_active=True)


def on_domain_event(sender: str, instance, occurred_at: datetime, key: str = "", **kwargs) -> None:
    """When an active endpoint subscribes to the event, write the task that announces it
    (`webhooks.services.event_announce`) in the emitter's transaction: it commits or rolls
    back with the work. One query per event, compiled once per connection (core.reads); the
    object is rendered by the task, after the commit."""
    if not any(
        sender in endpoint.events
        for endpoint in all_rows("webhook_endpoints_active", _active_endpoints)
    ):
        return
    from webhooks import tasks

    enqueue_with_transaction(
        tasks.announce_event,
        sender,
        instance._meta.label_lower,
        instance.pk,
        event_id_for(key),
        occurred_at.isoformat(),
    )
