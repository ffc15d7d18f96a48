"""Bank transfers customers report with a proof (portal, `/portal/transfers/`), and finance's
queue to confirm or reject them (`/workspace/finance/transfers/`). The rules are
`billing.services.transfers`; the proof is served only by `transfer_proof`, which reads it
through `creditdesk.roles.transfer_reports_visible_to` (anything else is a 404)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from djmoney.money import Money

from billing.models import BankTransferReport, Invoice
from billing.proofs import TRANSFER_PROOF_MAX_BYTES
from billing.selectors import invoice_paid_and_due
from billing.services.transfers import (
    transfer_confirm,
    transfer_packs,
    transfer_payable_invoices,
    transfer_reject,
    transfer_report,
    transfer_reports_decided,
    transfer_reports_pending,
)
from contracts.models import CreditPack, Customer
from core.formatting import money_text
from core.forms import AmountField
from core.storage import stored_file_open
from creditdesk.roles import FINANCE_ROLES, transfer_reports_visible_to
from creditdesk.web.access import portal_view, roles_view
from creditdesk.web.views.common import form_submit
from creditdesk.web.views.finance import DATE

PROOF_TYPES = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


class TransferReportForm(forms.Form):
    pays = forms.ChoiceField(label=gettext_lazy("Qué paga"))
    amount = AmountField(label=gettext_lazy("Importe transferido"))
    transferred_on = forms.DateField(label=gettext_lazy("Fecha de la transferencia"), widget=DATE)
    reference = forms.CharField(
        label=gettext_lazy("Referencia bancaria"),
        max_length=100,
        help_text=gettext_lazy("El número de operación que le dio su banco."),
    )
    proof = forms.FileField(
        label=gettext_lazy("Comprobante"),
        help_text=gettext_lazy("PDF, JPEG o PNG de hasta 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": PROOF_TYPES}),
    )

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["amount"].currency = customer.currency
        choices = []
        for invoice in transfer_payable_invoices(customer):
            # what is still due, as a transfer would pay it (a part may be paid already)
            total = money_text(invoice_paid_and_due(invoice)[1])
            label = _("Factura %(number)s (%(total)s)") % {
                "number": invoice.display_number,
                "total": total,
            }
            choices.append((f"invoice:{invoice.pk}", label))
        for pack in transfer_packs(customer):
            price = money_text(pack.price)
            label = _("%(name)s (%(price)s más impuestos)") % {
                "name": pack.name,
                "price": price,
            }
            choices.append((f"pack:{pack.pk}", label))
        self.fields["pays"].choices = choices

    def target(self) -> dict[str, Any]:
        kind, _sep, pk = self.cleaned_data["pays"].partition(":")
        if kind == "invoice":
            return {"invoice": Invoice.objects.get(pk=pk)}
        return {"credit_pack": CreditPack.objects.get(pk=pk)}


def _report(request: HttpRequest, form: TransferReportForm) -> BankTransferReport | None:
    def action(data: dict[str, Any]) -> BankTransferReport:
        upload = data["proof"]
        # Never more than the limit and one byte read: a larger file is refused as such.
        content = upload.read(TRANSFER_PROOF_MAX_BYTES + 1)
        return transfer_report(
            customer=request.customer,
            by=request.user,
            amount=Money(data["amount"], request.customer.currency),
            transferred_on=data["transferred_on"],
            reference=data["reference"],
            filename=upload.name or "",
            content=content,
            **form.target(),
        )

    return form_submit(request, form, action)


@portal_view
def portal_transfers(request: HttpRequest) -> HttpResponse:
    """The report form and the customer's reports with their state."""
    customer = request.customer
    if request.method == "POST":
        form = TransferReportForm(request.POST, request.FILES, customer=customer)
        report = _report(request, form)
        if report is not None:
            messages.success(
                request,
                _("Transferencia informada. Le escribiremos cuando finanzas la revise."),
            )
            return redirect("web:transfers")
        status = 400
    else:
        form = TransferReportForm(
            customer=customer, initial={"transferred_on": timezone.localdate()}
        )
        status = 200
    reports = (
        transfer_reports_visible_to(request.user)
        .filter(customer=customer)
        .select_related("invoice__series", "credit_pack")
        .order_by("-created_at", "-pk")
    )
    context = {"form": form, "reports": reports}
    return render(request, "portal/transfers.html", context, status=status)


@require_safe
@login_required
def transfer_proof(request: HttpRequest, pk: int) -> HttpResponse:
    """The proof file, for whoever may read the report (a 404 for anyone else)."""
    report = transfer_reports_visible_to(request.user).filter(pk=pk).first()
    if report is None:
        raise Http404
    response = FileResponse(
        stored_file_open(report.proof),
        content_type=report.proof_content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=report.proof_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Finance


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motivo del rechazo"),
        max_length=2000,
        widget=forms.TextInput(),
    )


@roles_view(FINANCE_ROLES)
def finance_transfers(request: HttpRequest) -> HttpResponse:
    """Reported transfers waiting for finance, oldest first, and the latest decided."""
    return render(
        request,
        "workspace/finance/transfers.html",
        {
            "pending": transfer_reports_pending(),
            "decided": transfer_reports_decided()[:20],
            "reject_form": RejectForm(),
        },
    )


def _pending_or_404(pk: int) -> BankTransferReport:
    report = BankTransferReport.objects.filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


@roles_view(FINANCE_ROLES)
def finance_transfer_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:finance-transfers")
    report = _pending_or_404(pk)
    confirmed = form_submit(
        request,
        forms.Form(request.POST),
        lambda _data: transfer_confirm(report=report, by=request.user),
    )
    if confirmed is not None:
        payment = confirmed.payment
        if payment.needs_attention:
            messages.warning(
                request,
                _("Transferencia %(reference)s confirmada; el pago requiere revisión: %(why)s.")
                % {"reference": report.reference, "why": payment.get_attention_reason_display()},
            )
        else:
            messages.success(
                request,
                _("Transferencia %(reference)s confirmada y aplicada.")
                % {"reference": report.reference},
            )
    return redirect("web:finance-transfers")


@roles_view(FINANCE_ROLES)
def finance_transfer_reject(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:finance-transfers")
    report = _pending_or_404(pk)
    form = RejectForm(request.POST)
    rejected = form_submit(
        request,
        form,
        lambda data: transfer_reject(report=report, by=request.user, reason=data["reason"]),
    )
    if rejected is None:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{report.reference}: {error}")
    else:
        messages.success(
            request,
            _("Transferencia %(reference)s rechazada.") % {"reference": report.reference},
        )
    return redirect("web:finance-transfers")
