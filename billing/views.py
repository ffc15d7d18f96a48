"""The Stripe webhook endpoint (verify, store once, process, answer); staff downloads of
invoice PDFs and the finance export."""

import logging

from django.contrib.admin.views.decorators import staff_member_required
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import stripe_gateway
from billing.documents.store import invoice_pdf_get
from billing.models import Invoice
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


# --- documents (staff) -----------------------------------------------------------------------


@staff_member_required
def invoice_pdf_download(request: HttpRequest, pk: int) -> FileResponse:
    """The stored PDF of an issued invoice or credit note (rendered on its first download)."""
    invoice = get_object_or_404(Invoice.objects.exclude(status=Invoice.Status.DRAFT), pk=pk)
    stored = invoice_pdf_get(invoice=invoice)
    return FileResponse(
        stored.open("rb"),
        as_attachment=request.GET.get("download") == "1",
        filename=f"{invoice.display_number}.pdf",
        content_type="application/pdf",
    )
