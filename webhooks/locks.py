"""The webhooks app's row lock. A delivery is the only row it locks, and only to redeliver:
attempts claim themselves with one conditional UPDATE instead (`webhooks.services`)."""

from webhooks.models import WebhookDelivery


def delivery_lock(pk: int) -> WebhookDelivery:
    return WebhookDelivery.objects.select_for_update().get(pk=pk)
