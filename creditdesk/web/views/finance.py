"""Finance's workspace: invoices and credit notes (list with filters and totals per
currency, detail with credit notes, refunds and payments), the monthly billing run started
from a page and watched while it runs, receivables ageing, and prepaid credits (sold, used,
expired (breakage) and outstanding (deferred revenue), valued at what customers paid, per
currency and month: `credits.breakage.credit_breakage`, the same figures as the finance
export's `breakage` records). Every write is one `billing.services` call; every read a
`billing.selectors` one. The export itself is `creditdesk.web.views.billing.finance_export`.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from djmoney.money import Money

from billing import selectors as billing_selectors
from billing import services as billing_services
from billing.exceptions import InvalidPeriod
from billing.models import Invoice, Payment, Refund
from billing.services.run import Period
from contracts.models import CURRENCY_CHOICES
from contracts.services import customer_today
from core.errors import CreditdeskError
from core.formatting import money_text
from core.forms import AmountField, OwnIds
from core.instants import MonthFormField
from creditdesk.roles import FINANCE_ROLES
from creditdesk.web.access import roles_view
from creditdesk.web.forms import OneSubmit
from creditdesk.web.pagination import paginate
from creditdesk.web.views.common import form_submit, show_refusal
from credits.breakage import credit_breakage

FIGURE_LABELS = {
    "opening": _("Pendientes al comenzar el mes"),
    "sold": _("Vendidos"),
    "granted": _("Sin cargo (cortesías, incluidos en el plan)"),
    "used": _("Usados"),
    "expired": _("Vencidos sin usar"),
    "refunded": _("Devueltos por reembolso"),
    "adjusted": _("Ajustes"),
    "outstanding": _("Pendientes al cerrar el mes (ingreso diferido)"),
}


class CreditReportForm(forms.Form):
    month = MonthFormField(label=_("Mes"), help_text=_("AAAA-MM"))
    currency = forms.ChoiceField(
        label=_("Moneda"), choices=[("", _("Todas")), *CURRENCY_CHOICES], required=False
    )


def _last_month(today: date) -> str:
    return f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"


@roles_view(FINANCE_ROLES)
def credit_report(request: HttpRequest) -> HttpResponse:
    """A month (the last one unless asked) of credits per currency, as the export has them."""
    data = request.GET.copy() if request.GET else {}
    data.setdefault("month", _last_month(timezone.now().date()))
    form = CreditReportForm(data)
    context: dict = {"form": form}
    if not form.is_valid():
        return render(request, "workspace/credit_report.html", context, status=400)
    period = Period.parse(form.cleaned_data["month"])
    currency = form.cleaned_data["currency"] or None
    start = datetime.combine(period.start, time(0), tzinfo=UTC)
    end = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=UTC)
    rows = credit_breakage(start=start, end=end, currency=currency)
    export = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}
    if currency:
        export["currency"] = currency
    context |= {
        "period": period,
        "tables": [
            {
                "row": row,
                "lines": [
                    (FIGURE_LABELS[name], credits, value) for name, credits, value in row.figures()
                ],
            }
            for row in rows
        ],
        "export_query": urlencode(export),
    }
    return render(request, "workspace/credit_report.html", context)


# --- invoices and credit notes ----------------------------------------------------------------


@roles_view(FINANCE_ROLES)
def invoices(request: HttpRequest) -> HttpResponse:
    """Invoices and credit notes, filtered, a page at a time, with the filtered set's totals
    per currency (one aggregate query)."""
    found = billing_selectors.invoice_filter(filters=request.GET)
    queryset = found.qs
    return render(
        request,
        "workspace/finance/invoices.html",
        {
            "filter": found,
            "page": paginate(request, queryset),
            "totals": billing_selectors.invoice_totals_by_currency(queryset),
        },
    )


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _InvoiceAmountForm(forms.Form):
    """A form with an `amount` in the invoice's currency: a currency mark typed with it must
    name that one."""

    def __init__(self, *args, currency: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency


class CreditNoteForm(OwnIds, OneSubmit, _InvoiceAmountForm):
    """Submitted twice, one note is issued (`OneSubmit`); so is one refund (`RefundForm`)."""

    id_prefix = "credit_note"
    reason = forms.CharField(label=_("Motivo"), widget=forms.Textarea(attrs={"rows": 2}))
    amount = AmountField(
        label=_("Importe con impuestos"),
        required=False,
        help_text=_("Vacío: la nota crédito anula la factura completa."),
    )


class RefundForm(CreditNoteForm):
    id_prefix = "refund"
    payment = forms.ModelChoiceField(label=_("Pago"), queryset=Payment.objects.none())

    field_order = ["payment", "reason", "amount"]

    def __init__(self, *args, payments: list[Payment], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payment"].queryset = Payment.objects.filter(pk__in=[p.pk for p in payments])
        # Each payment by what may still be refunded of it (after a partial refund, "all of
        # it" is what is left, not what was received), then its reference (the payments'
        # table beside names its method). Short, as a select cannot wrap on a phone, and the
        # amount first, as a phone cuts a long reference at the end.
        self.fields["payment"].choices = [
            (
                p.pk,
                gettext("Reembolsable %(left)s · %(payment)s")
                % {
                    "payment": p.provider_ref or p.get_provider_display(),
                    "left": money_text(billing_selectors.payment_refundable(p)),
                },
            )
            for p in payments
        ]
        self.fields["amount"].help_text = _("Vacío: se reembolsa todo lo reembolsable del pago.")


class PaymentForm(OwnIds, _InvoiceAmountForm):
    id_prefix = "payment"
    amount = AmountField(label=_("Importe recibido"))
    provider = forms.ChoiceField(
        label=pgettext_lazy("payment", "Medio"),
        choices=[
            (Payment.Provider.BANK_TRANSFER, Payment.Provider.BANK_TRANSFER.label),
            (Payment.Provider.CASH, Payment.Provider.CASH.label),
        ],
    )
    provider_ref = forms.CharField(label=_("Referencia bancaria o recibo"), max_length=255)
    received_on = forms.DateField(label=_("Fecha de recibo"), widget=DATE)
    note = forms.CharField(
        label=_("Nota"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PaymentConfirmForm(forms.Form):
    note = forms.CharField(label=_("Nota de revisión"), max_length=500)


def _money(value, invoice: Invoice) -> Money | None:
    return None if value is None else Money(value, invoice.currency)


def _invoice_or_404(pk: int) -> Invoice:
    invoice = billing_selectors.invoice_detail_get(pk=pk)
    if invoice is None:
        raise Http404
    return invoice


def _refundable(invoice: Invoice, *, submission_key: object = None) -> list[Payment]:
    """The payments a refund may still give something back of (a payment refunded in full is
    not offered again), and the one an earlier submit of the posted form refunded
    (`submission_key`): a double click on "all of it" gets the first submit's refund, not a
    choice no longer offered."""
    offered = [
        p
        for p in invoice.payments.all()
        if p.applied_at is not None and billing_selectors.payment_refundable(p).amount > 0
    ]
    again = billing_selectors.payments_refunded_by_form(invoice, submission_key)
    return offered + [payment for payment in again if payment not in offered]


@dataclass(frozen=True)
class PaymentRow:
    """A payment as the invoice's page shows it: whether finance may confirm it (with a review
    note when it is flagged), and, for one reviewed that still cannot be applied, why; for an
    overpayment, what "apply what is due, return the rest" would apply and return
    (`settle`; nothing applied when only its rest is left to return)."""

    payment: Payment
    confirm: bool
    note_needed: bool
    unfit: str
    settle: tuple[Money, Money] | None = None


def _unfit_text(payment: Payment, invoice: Invoice, reason: str, due: Money) -> str:
    """Why `payment` cannot be applied, in the reader's language: the reason's label and, when
    it is about the amount, the amounts."""
    amounts = {
        "amount": money_text(payment.amount),
        "due": money_text(due),
    }
    label = str(Payment.Attention(reason).label)
    if reason == Payment.Attention.OVERPAYMENT:
        amounts_text = gettext("se recibieron %(amount)s y quedan %(due)s por pagar.")
    elif reason == Payment.Attention.AMOUNT_MISMATCH and invoice.status == Invoice.Status.DRAFT:
        amounts_text = gettext(
            "se recibieron %(amount)s y el paquete, que se paga completo, cuesta %(due)s."
        )
    else:
        return label + "."
    return f"{label}: {amounts_text % amounts}"


def _payment_rows(invoice: Invoice, payments: list[Payment], due: Money) -> list[PaymentRow]:
    rows = []
    for payment in payments:
        waiting = payment.applied_at is None and payment.status == Payment.Status.SUCCEEDED
        flagged = payment.needs_attention and payment.resolved_at is None
        # Reviewed already: confirming again applies it only if it fits now; otherwise the
        # page says why instead of offering a button that would answer the same every time.
        misfit = (
            billing_selectors.payment_misfit(payment, invoice, due)
            if waiting and payment.resolved_at is not None
            else None
        )
        settle = billing_selectors.overpayment_split(payment, invoice, due)
        rows.append(
            PaymentRow(
                payment=payment,
                confirm=waiting and misfit is None,
                note_needed=flagged,
                unfit=_unfit_text(payment, invoice, misfit[0], due) if misfit else "",
                settle=settle,
            )
        )
    return rows


def _invoice_page(request: HttpRequest, invoice: Invoice, **forms_: forms.Form) -> HttpResponse:
    payments = list(invoice.payments.all())
    paid, due = billing_selectors.invoice_paid_and_due(invoice)
    # The invoice's dates are the customer's days, and so is the one a payment may carry.
    today = customer_today(invoice.customer)
    correctable = invoice.kind == Invoice.Kind.INVOICE and invoice.status in (
        Invoice.Status.ISSUED,
        Invoice.Status.PAID,
    )
    context = {
        "invoice": invoice,
        "payments": _payment_rows(invoice, payments, due),
        "amount_due": due,
        "amount_paid": paid,
        "credit_notes": list(invoice.credit_notes.all()),
        "correctable": correctable,
        "payable": invoice.kind == Invoice.Kind.INVOICE and invoice.status == Invoice.Status.ISSUED,
        "days_past_due": (today - invoice.due_on).days
        if invoice.due_on and invoice.status == Invoice.Status.ISSUED
        else None,
        "credit_note_form": forms_.get("credit_note_form")
        or CreditNoteForm(currency=invoice.currency),
        "refund_form": forms_.get("refund_form")
        or RefundForm(payments=_refundable(invoice), currency=invoice.currency),
        "payment_form": forms_.get("payment_form")
        or PaymentForm(
            currency=invoice.currency,
            initial={
                "amount": due.amount,
                "received_on": today,
                "provider": Payment.Provider.BANK_TRANSFER,
            },
        ),
        "confirm_form": PaymentConfirmForm(),
        "refundable": bool(_refundable(invoice)),
    }
    return render(request, "workspace/finance/invoice.html", context)


def _back(request: HttpRequest, invoice: Invoice, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("web:finance-invoice", pk=invoice.pk)


@roles_view(FINANCE_ROLES)
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _invoice_page(request, _invoice_or_404(pk))


@require_POST
@roles_view(FINANCE_ROLES)
def invoice_credit_note(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice_or_404(pk)
    form = CreditNoteForm(request.POST, currency=invoice.currency)

    def issue(data: dict) -> Invoice:
        return billing_services.credit_note_issue(
            invoice=invoice,
            reason=data["reason"],
            amount=_money(data["amount"], invoice),
            by=request.user,
            submission_key=data["submission_key"],
        )

    note = form_submit(request, form, issue)
    if note is not None:
        return _back(
            request,
            invoice,
            gettext("Nota crédito %(number)s emitida.") % {"number": note.display_number},
        )
    return _invoice_page(request, invoice, credit_note_form=form)


@require_POST
@roles_view(FINANCE_ROLES)
def invoice_refund(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice_or_404(pk)
    payments = _refundable(invoice, submission_key=request.POST.get("submission_key"))
    form = RefundForm(request.POST, payments=payments, currency=invoice.currency)

    def refund(data: dict):
        return billing_services.refund_issue(
            payment=data["payment"],
            reason=data["reason"],
            amount=_money(data["amount"], invoice),
            by=request.user,
            submission_key=data["submission_key"],
        )

    done = form_submit(request, form, refund)
    if done is not None:
        number = done.credit_note.display_number if done.credit_note else ""
        return _back(
            request,
            invoice,
            gettext("Reembolso de %(amount)s registrado, con la nota crédito %(number)s.")
            % {"amount": money_text(done.amount), "number": number},
        )
    return _invoice_page(request, invoice, refund_form=form)


@require_POST
@roles_view(FINANCE_ROLES)
def invoice_record_payment(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice_or_404(pk)
    form = PaymentForm(request.POST, currency=invoice.currency)

    def record(data: dict) -> Payment:
        return billing_services.payment_record(
            customer=invoice.customer,
            amount=Money(data["amount"], invoice.currency),
            provider=data["provider"],
            provider_ref=data["provider_ref"],
            received_on=data["received_on"],
            invoice=invoice,
            by=request.user,
            note=data["note"],
        )

    payment = form_submit(request, form, record)
    if payment is None:
        return _invoice_page(request, invoice, payment_form=form)
    if payment.needs_attention:
        messages.warning(
            request,
            gettext("Pago registrado, pero requiere revisión: %(reason)s.")
            % {"reason": payment.get_attention_reason_display()},
        )
        return redirect("web:finance-invoice", pk=invoice.pk)
    return _back(request, invoice, _applied_text(invoice, recorded=True))


def _applied_text(invoice: Invoice, *, recorded: bool) -> str:
    """What an applied payment did: paid the invoice, or left part of it due."""
    due = billing_selectors.invoice_amount_due(invoice)
    if due.amount > 0:
        left = {"due": money_text(due)}
        if recorded:
            return gettext("Pago registrado y aplicado: quedan %(due)s por pagar.") % left
        return gettext("Pago confirmado y aplicado: quedan %(due)s por pagar.") % left
    if recorded:
        return gettext("Pago registrado y aplicado: la factura está pagada.")
    return gettext("Pago confirmado: la factura está pagada.")


@require_POST
@roles_view(FINANCE_ROLES)
def payment_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """A received payment not applied yet: one flagged for finance is marked reviewed with a
    note (`payment_resolve`), then applied (`payment_apply`), which counts it toward the
    invoice when it fits and otherwise leaves it unapplied with the reason it still does not
    fit, told here; the page then offers no confirmation for it again."""
    payment = Payment.objects.filter(pk=pk, invoice__isnull=False).first()
    if payment is None:
        raise Http404
    form = PaymentConfirmForm(request.POST)
    flagged = payment.needs_attention and payment.resolved_at is None
    if flagged and not form.is_valid():
        messages.error(request, gettext("Escriba una nota de revisión para confirmar el pago."))
        return redirect("web:finance-invoice", pk=payment.invoice_id)
    try:
        if flagged:
            payment = billing_services.payment_resolve(
                payment, by=request.user, note=form.cleaned_data["note"]
            )
        payment = billing_services.payment_apply(payment, by=request.user)
    except CreditdeskError as error:
        show_refusal(request, error)
        return redirect("web:finance-invoice", pk=payment.invoice_id)
    invoice = payment.invoice
    if payment.applied_at is not None:
        messages.success(request, _applied_text(invoice, recorded=False))
    elif payment.needs_attention:
        why = _unfit_text(
            payment,
            invoice,
            payment.attention_reason,
            billing_selectors.invoice_amount_due(invoice),
        )
        messages.warning(
            request,
            gettext(
                "Pago revisado, pero no se puede aplicar: %(why)s Queda sin aplicar; "
                "devuélvalo al cliente por el mismo medio."
            )
            % {"why": why},
        )
    else:
        messages.info(request, gettext("Pago revisado; no paga la factura y queda sin aplicar."))
    return redirect("web:finance-invoice", pk=payment.invoice_id)


@require_POST
@roles_view(FINANCE_ROLES)
def payment_settle(request: HttpRequest, pk: int) -> HttpResponse:
    """An overpayment: what is due applied, the rest returned to the customer
    (`overpayment_settle`); a second submit changes nothing."""
    payment = Payment.objects.filter(pk=pk, invoice__isnull=False).first()
    if payment is None:
        raise Http404
    if not request.POST.get("returned"):
        # Nothing leaves Creditdesk: finance sends the money and says so before it is recorded.
        messages.error(
            request,
            gettext("Marque que usted envía el resto al cliente: Creditdesk solo lo registra."),
        )
        return redirect("web:finance-invoice", pk=payment.invoice_id)
    try:
        refund = billing_services.overpayment_settle(payment=payment, by=request.user)
    except CreditdeskError as error:
        show_refusal(request, error)
        return redirect("web:finance-invoice", pk=payment.invoice_id)
    invoice = payment.invoice
    returned = {"rest": money_text(refund.amount)}
    if refund.status == Refund.Status.SUCCEEDED:
        text = (
            gettext(
                "Se registró la devolución de %(rest)s, sin nota crédito: envíesela al cliente por "
                "el mismo medio por el que llegó el pago."
            )
            % returned
        )
    else:
        text = gettext("La devolución de %(rest)s al cliente está en curso.") % returned
    messages.success(request, f"{_applied_text(invoice, recorded=False)} {text}")
    return redirect("web:finance-invoice", pk=payment.invoice_id)


# --- the monthly billing run -----------------------------------------------------------------


class BillingRunForm(forms.Form):
    period = MonthFormField(
        label=_("Mes a facturar"),
        help_text=_("Solo meses ya terminados."),
        widget=forms.TextInput(attrs={"type": "month"}),
    )


@roles_view(FINANCE_ROLES)
def billing_runs(request: HttpRequest) -> HttpResponse:
    """GET: the form (last month by default), the chosen month's run (its progress polls
    `?fragment=status`) and the past runs. POST: start the month's run as a task."""
    if request.method == "POST":
        form = BillingRunForm(request.POST)

        def start(data: dict):
            return billing_services.billing_run_request(
                period=Period.parse(data["period"]), by=request.user
            )

        run = form_submit(request, form, start)
        if run is not None:
            messages.success(request, gettext("Facturación del mes en marcha."))
            url = reverse("web:finance-billing-run")
            return redirect(f"{url}?{urlencode({'period': form.cleaned_data['period']})}")
        status = 400
    else:
        period_text = request.GET.get("period") or str(billing_services.period_last_over())
        form = BillingRunForm(initial={"period": period_text})
        status = 200
    run = None
    period = None
    try:
        period = Period.parse(form.data.get("period") or form.initial.get("period", ""))
    except InvalidPeriod:
        period = None
    if period is not None:
        run = billing_selectors.billing_run_get(period_start=period.start)
    context = {"form": form, "run": run, "period": period}
    if request.GET.get("fragment") == "status":
        return render(request, "workspace/finance/_billing_run_status.html", context)
    context["runs"] = billing_selectors.billing_run_list()[:12]
    return render(request, "workspace/finance/billing_runs.html", context, status=status)


# --- receivables ageing ---------------------------------------------------------------------


@roles_view(FINANCE_ROLES)
def ageing(request: HttpRequest) -> HttpResponse:
    """What customers owe per currency by days past due (one aggregate query), and the
    customers behind each bucket, a page at a time."""
    today = timezone.localdate()
    customers = paginate(request, billing_selectors.receivables_ageing_by_customer(on=today))
    return render(
        request,
        "workspace/finance/ageing.html",
        {
            "today": today,
            "totals": billing_selectors.receivables_ageing(on=today),
            "page": customers,
            "customer_rows": billing_selectors.ageing_rows(customers.object_list),
            "labels": BUCKET_LABELS,
        },
    )


BUCKET_LABELS = [
    _("Al día"),
    _("1 a 30 días"),
    _("31 a 60 días"),
    _("61 a 90 días"),
    _("Más de 90 días"),
]
