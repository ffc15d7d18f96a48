"""The webhooks app listens to domain events (core.events), after commit."""

from django.db.models import QuerySet

from core.reads import all_rows
from webhooks.models import WebhookEndpoint
from webhooks.payloads import payload_render
from webhooks.services import deliveries_create, endpoints_awaiting


def endpoints_want(event_types) -> set[str]:
    """Which of `event_types` an active endpoint subscribes to. Endpoints are few: their
    event lists are read in one query rather than searched inside JSON (SQLite's JSON
    fields have no `contains`)."""
    subscribed = WebhookEndpoint.objects.filter(is_active=True).values_list("events", flat=True)
    wanted = set().union(*subscribed)
    return {event_type for event_type in event_types if event_type in wanted}


def _active_endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(is_active=True)


def on_domain_event(sender: str, instance, key: str = "", **kwargs) -> None:
    # One query per event, compiled once per connection (core.reads); the object is
    # rendered only when some endpoint subscribes.
    subscribed = [
        endpoint
        for endpoint in all_rows("webhook_endpoints_active", _active_endpoints)
        if sender in endpoint.events
    ]
    if key:
        subscribed = endpoints_awaiting(subscribed, key=key)
    if not subscribed:
        return
    customer_id, data = payload_render(instance)
    deliveries_create(
        endpoints=subscribed, event_type=sender, customer_id=customer_id, data=data, key=key
    )
