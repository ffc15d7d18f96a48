"""The webhooks app's background tasks. Delivery schedules its own retries (the
`RETRY_SCHEDULE` of `webhooks.services`), so it is a plain task, not a `background_task`;
the owner's mail retries as every mail does."""

from datetime import datetime

from django.tasks import task

from background.mail import mail_once
from background.queue import background_task
from webhooks import services


@task()
def deliver_webhook(delivery_id: int, attempt: int) -> str:
    logged = services.delivery_attempt(delivery_id, attempt)
    if logged is None:
        return "skipped"
    return "delivered" if logged.succeeded else "failed"


@background_task
def send_disabled_mail(endpoint_id: int) -> bool:
    return mail_once(
        services.disabled_mail(endpoint_id), kind="webhook_disabled", about=endpoint_id
    )


@background_task
def announce_event(event_type: str, model: str, pk: int, event_id: str, occurred_at: str) -> int:
    """Written by the emitter's transaction (`webhooks.receivers`); how many deliveries it
    made. A row deleted since is no event to announce: failed at once, not retried."""
    return len(
        services.event_announce(
            event_type=event_type,
            model=model,
            pk=pk,
            event_id=event_id,
            occurred_at=datetime.fromisoformat(occurred_at),
        )
    )
