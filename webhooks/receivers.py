"""The webhooks app listens to domain events (core.events), in the emitter's transaction."""

from datetime import datetime

from background.queue import enqueue_many_with_transaction
from webhooks.services import (
    endpoints_awaiting,
    endpoints_reached,
    endpoints_subscribed,
    event_id_for,
)


def on_domain_event(
    sender: str, instances: list, occurred_at: datetime, key: str = "", **kwargs
) -> None:
    """When an active endpoint subscribes to the event, write the tasks that announce it
    (`webhooks.services.event_announce`), one per row, in the emitter's transaction: they
    commit or roll back with the work. One query for the endpoints
    (`endpoints_subscribed`) and one insert, however many rows; a keyed event every
    subscribed endpoint already has (an invoice found overdue again) writes nothing. The
    rows are rendered by the tasks, after the commit."""
    subscribed = endpoints_subscribed(sender)
    if key and subscribed:
        # A keyed event is about one row, which carries its customer (an invoice, a credit
        # account): only the endpoints it reaches can be owed it still.
        [instance] = instances
        reached = endpoints_reached(
            subscribed, event_type=sender, customer_id=getattr(instance, "customer_id", None)
        )
        subscribed = endpoints_awaiting(reached, event_id=event_id_for(key)) if reached else []
    if not subscribed:
        return
    from webhooks import tasks

    stamp = occurred_at.isoformat()
    enqueue_many_with_transaction(
        tasks.announce_event,
        [
            (sender, instance._meta.label_lower, instance.pk, event_id_for(key), stamp)
            for instance in instances
        ],
    )
