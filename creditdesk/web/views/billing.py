"""The Stripe webhook endpoint (verify, store once, process, answer); staff downloads of
invoice PDFs and the finance export."""

import logging
import tempfile

from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import stripe_gateway
from billing.documents.store import invoice_pdf_get
from billing.exports import (
    FinanceExportFilter,
    finance_export_csv,
    finance_export_get,
    finance_export_xlsx,
)
from billing.models import Invoice
from billing.services.webhooks import stripe_event_receive
from core.errors import InvalidInput
from creditdesk.roles import FINANCE_ROLES, invoices_visible_to
from creditdesk.web.access import roles_view

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


@login_required
def invoice_pdf_download(request: HttpRequest, pk: int) -> FileResponse:
    """The stored PDF of an issued invoice or credit note (rendered on its first download),
    for whoever may read it (`creditdesk.roles.invoices_visible_to`); 404 for anyone else."""
    visible = invoices_visible_to(request.user).exclude(status=Invoice.Status.DRAFT)
    invoice = get_object_or_404(visible, pk=pk)
    stored = invoice_pdf_get(invoice=invoice)
    return FileResponse(
        stored.open("rb"),
        as_attachment=request.GET.get("download") == "1",
        filename=f"{invoice.display_number}.pdf",
        content_type="application/pdf",
    )


@roles_view(FINANCE_ROLES)
def finance_export(request: HttpRequest) -> HttpResponse:
    """Finance users (staff in the "finance" group, and superusers): the form, then the export
    as streamed CSV or as XLSX; the same filters as `manage.py export_finance`."""
    if "date_from" not in request.GET:
        return render(request, "billing/finance_export.html", {"filter": FinanceExportFilter()})
    try:
        export = finance_export_get(filters=request.GET)
    except InvalidInput as error:
        return render(
            request,
            "billing/finance_export.html",
            {"filter": FinanceExportFilter(request.GET), "error": error.message()},
            status=400,
        )
    name = f"creditdesk-finance-{export.date_from.isoformat()}-{export.date_to.isoformat()}"
    if request.GET.get("format") == "xlsx":
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        finance_export_xlsx(export, handle)
        handle.seek(0)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"{name}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = StreamingHttpResponse(
        finance_export_csv(export), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
