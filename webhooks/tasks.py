"""The webhooks app's background tasks. Delivery schedules its own retries (the
`RETRY_SCHEDULE` of `webhooks.services`), so it is a plain task, not a `background_task`;
the owner's mail retries as every mail does."""

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
