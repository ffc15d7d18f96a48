from django.db.models import Prefetch, QuerySet

from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def webhook_deliveries_of(endpoints: QuerySet[WebhookEndpoint]) -> QuerySet[WebhookDelivery]:
    """Newest first, each with its endpoint and its attempt log in order."""
    return (
        WebhookDelivery.objects.filter(endpoint__in=endpoints)
        .select_related("endpoint")
        .prefetch_related(Prefetch("log", WebhookAttempt.objects.order_by("number")))
        .order_by("-pk")
    )
