"""The Stripe webhook endpoint: verify, store once, process, answer."""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import stripe_gateway
from billing.services.webhooks import stripe_event_receive

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """400 for a missing, wrong or stale signature (nothing is stored); otherwise 200 with the
    outcome, including replays and payloads that were recorded for a person to look at."""
    try:
        event = stripe_gateway.verify_event(request.body, request.headers.get("Stripe-Signature"))
    except stripe_gateway.InvalidSignature as error:
        logger.warning("stripe webhook refused: %s", error)
        return HttpResponseBadRequest("invalid signature")
    outcome = stripe_event_receive(event)
    return JsonResponse({"received": True, "outcome": outcome})
