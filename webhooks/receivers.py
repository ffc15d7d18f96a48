"""The webhooks app listens to domain events (core.events), after commit."""

from webhooks.models import WebhookEndpoint
from webhooks.payloads import payload_render
from webhooks.services import deliveries_create


def endpoint_wants(event_type: str) -> bool:
    # Endpoints are few: read their event lists rather than query inside JSON (SQLite's
    # JSON fields have no `contains`).
    subscribed = WebhookEndpoint.objects.filter(is_active=True).values_list("events", flat=True)
    return any(event_type in events for events in subscribed)


def on_domain_event(sender: str, instance, key: str = "", **kwargs) -> None:
    if not endpoint_wants(sender):
        return
    customer_id, data = payload_render(instance)
    deliveries_create(event_type=sender, customer_id=customer_id, data=data, key=key)
