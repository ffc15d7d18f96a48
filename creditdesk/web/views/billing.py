"""The Stripe webhook endpoint (verify, store once, process, answer); staff downloads of
invoice PDFs and the finance export."""

import logging
import tempfile
from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

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
from core.storage import stored_file_open
from creditdesk.roles import FINANCE_ROLES, invoices_visible_to
from creditdesk.web.access import roles_view
from creditdesk.web.views.common import show_refusal

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


@require_safe
@login_required
def invoice_pdf_download(request: HttpRequest, pk: int) -> FileResponse:
    """The stored PDF of an issued invoice or credit note (rendered on its first download),
    for whoever may read it (`creditdesk.roles.invoices_visible_to`); 404 for anyone else."""
    visible = invoices_visible_to(request.user).exclude(status=Invoice.Status.DRAFT)
    invoice = get_object_or_404(visible, pk=pk)
    stored = invoice_pdf_get(invoice=invoice)
    return FileResponse(
        stored_file_open(stored),
        as_attachment=request.GET.get("download") == "1",
        filename=f"{invoice.display_number}.pdf",
        content_type="application/pdf",
    )


EXPORT_LABELS = {
    "date_from": _("Desde"),
    "date_to": _("Hasta"),
    "status": _("Estado"),
    "customer": _("Cliente"),
    "currency": _("Moneda"),
    "series": _("Serie"),
    "kind": _("Tipo"),
}


def _export_form(form: forms.Form) -> forms.Form:
    """The export's filter form as a page shows it: labels in the reader's language, date
    pickers, the statuses as checkboxes (none ticked: all)."""
    for name, label in EXPORT_LABELS.items():
        form.fields[name].label = label
    for name in ("date_from", "date_to"):  # the page says below them what each date chooses
        form.fields[name].widget = forms.DateInput(
            attrs={"type": "date", "aria-describedby": "export-dates-help"}, format="%Y-%m-%d"
        )
    form.fields["status"].widget = forms.CheckboxSelectMultiple(
        choices=form.fields["status"].choices
    )
    form.fields["status"].help_text = _("Ninguno marcado: todos.")
    for name in ("customer", "series"):  # model choices read it when listed
        form.fields[name].empty_label = _("Todos")
    for name, everything in (("currency", _("Todas")), ("kind", _("Facturas y notas crédito"))):
        field = form.fields[name]
        choices = [choice for choice in field.choices if choice[0] != ""]
        field.empty_label = None  # django-filter's fields add it while listing the choices
        field.choices = [("", everything), *choices]
    return form


def _export_format(requested: str | None) -> str:
    """CSV unless the page's XLSX button asked for XLSX; anything else is refused, not
    answered with a CSV the reader did not ask for."""
    if requested in (None, "", "csv", "xlsx"):
        return requested or "csv"
    unknown = _("«%(format)s» no es un formato de exportación: elija CSV o XLSX.")
    raise InvalidInput({"format": [ValidationError(unknown, params={"format": requested})]})


@roles_view(FINANCE_ROLES)
def finance_export(request: HttpRequest) -> HttpResponse:
    """Finance users (staff in the "finance" group, and superusers): the workspace page with
    the form (last month by default) and what each column holds, then the export as streamed
    CSV or as XLSX (`billing.exports`); the same filters as `manage.py export_finance`."""
    if "date_from" not in request.GET:
        today = timezone.localdate()
        last_month_end = today.replace(day=1) - timedelta(days=1)
        initial = {"date_from": last_month_end.replace(day=1), "date_to": last_month_end}
        form = _export_form(FinanceExportFilter().form)
        form.initial = initial
        return render(request, "workspace/finance/export.html", {"form": form})
    try:
        file_format = _export_format(request.GET.get("format"))
        export = finance_export_get(filters=request.GET)
    except InvalidInput as error:
        form = _export_form(FinanceExportFilter(request.GET).form)
        if form.is_valid():  # the form's own errors are shown; a range's order is not one
            show_refusal(request, error, form)
        return render(request, "workspace/finance/export.html", {"form": form}, status=400)
    name = f"creditdesk-finance-{export.date_from.isoformat()}-{export.date_to.isoformat()}"
    if file_format == "xlsx":
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
