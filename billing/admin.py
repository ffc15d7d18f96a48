"""Finance's screens: invoices (lines read-only once issued), payments needing attention,
recording a bank transfer. Every write goes through billing.services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from djmoney.forms.fields import MoneyField

from billing import services
from billing.models import (
    BillingRun,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    OnsiteCharge,
    Payment,
    StripeEvent,
    TaxRate,
)
from billing.services.webhooks import WAITING
from contracts.models import CreditPack, Customer
from core.amounts import PLAIN_NUMBER_FORM_FIELDS
from core.errors import CreditdeskError
from core.forms import PrintableTextsForm

LINE_FIELDS: tuple[str, ...] = (
    "position",
    "kind",
    "description",
    "quantity",
    "unit_price",
    "tax_rate",
    "total",
)


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    fields = LINE_FIELDS
    readonly_fields = LINE_FIELDS
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "kind",
        "status",
        "customer",
        "issued_on",
        "due_on",
        "total",
        "source",
    ]
    list_filter = ["kind", "status", "source", "currency", "issued_on"]
    search_fields = ["buyer_legal_name", "buyer_tax_id", "customer__legal_name", "number"]
    inlines = [InvoiceLineInline]
    actions = ["issue_drafts"]
    date_hierarchy = "issued_on"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Invoice._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == Invoice.Status.DRAFT

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer", "series")

    @admin.action(description=_("Emitir borradores seleccionados"))
    def issue_drafts(self, request, queryset):
        for invoice in queryset.filter(status=Invoice.Status.DRAFT).order_by("pk"):
            try:
                services.invoice_issue(invoice, by=request.user)
            except CreditdeskError as error:
                self.message_user(request, f"{invoice.pk}: {error.message()}", messages.ERROR)


class BankTransferForm(forms.Form):
    customer = forms.ModelChoiceField(Customer.objects.all())
    invoice: "forms.ModelChoiceField[Invoice]" = forms.ModelChoiceField(
        Invoice.objects.filter(status=Invoice.Status.ISSUED, kind=Invoice.Kind.INVOICE),
        required=False,
        help_text=_("La factura que se paga; vacío si se compra un paquete."),
    )
    credit_pack: "forms.ModelChoiceField[CreditPack]" = forms.ModelChoiceField(
        CreditPack.objects.filter(is_active=True),
        required=False,
        help_text=_("Paquete de créditos comprado."),
    )
    amount = MoneyField(max_digits=14, decimal_places=2)
    provider = forms.ChoiceField(
        choices=[
            (Payment.Provider.BANK_TRANSFER, Payment.Provider.BANK_TRANSFER.label),
            (Payment.Provider.CASH, Payment.Provider.CASH.label),
        ]
    )
    provider_ref = forms.CharField(label=_("Referencia bancaria / recibo"), max_length=255)
    received_on = forms.DateField(initial=timezone.localdate)
    note = forms.CharField(widget=forms.Textarea, required=False)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "provider",
        "provider_ref",
        "status",
        "customer",
        "amount",
        "invoice",
        "needs_attention",
        "attention_reason",
        "created_at",
    ]
    list_filter = ["needs_attention", "attention_reason", "provider", "status"]
    # An invoice shows as its number, which reads its series (`Invoice.display_number`).
    list_select_related = ["customer", "invoice__series"]
    search_fields = ["provider_ref", "customer__legal_name"]
    actions = ["mark_resolved"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Payment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        record = path(
            "record-transfer/",
            self.admin_site.admin_view(self.record_transfer),
            name="billing_payment_record_transfer",
        )
        return [record, *super().get_urls()]

    def record_transfer(self, request):
        if not request.user.has_perm("billing.add_payment"):
            raise PermissionDenied
        form = BankTransferForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                payment = services.payment_record(
                    customer=data["customer"],
                    amount=data["amount"],
                    provider=data["provider"],
                    provider_ref=data["provider_ref"],
                    received_on=data["received_on"],
                    invoice=data["invoice"],
                    credit_pack=data["credit_pack"],
                    by=request.user,
                    note=data["note"],
                )
            except CreditdeskError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message())
            else:
                level = messages.WARNING if payment.needs_attention else messages.SUCCESS
                text = payment.get_attention_reason_display() if payment.needs_attention else "OK"
                self.message_user(request, f"Pago {payment.pk}: {text}", level)
                return HttpResponseRedirect(reverse("admin:billing_payment_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Registrar transferencia o pago en efectivo"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/billing/record_transfer.html", context)

    @admin.action(description=_("Marcar como revisados"))
    def mark_resolved(self, request, queryset):
        for payment in queryset.filter(needs_attention=True, resolved_at__isnull=True):
            services.payment_resolve(payment, by=request.user, note="Revisado en el admin")


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    form = PrintableTextsForm  # printed on invoices: no control character
    formfield_overrides = PLAIN_NUMBER_FORM_FIELDS
    list_display = ["country", "name", "rate", "valid_from"]
    list_filter = ["country"]


@admin.register(InvoiceSeries)
class InvoiceSeriesAdmin(admin.ModelAdmin):
    form = PrintableTextsForm  # printed on invoices: no control character
    list_display = ["code", "kind", "prefix", "next_number"]
    readonly_fields = ["next_number"]


@admin.register(BillingRun)
class BillingRunAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "started_at",
        "finished_at",
        "attempts",
        "contracts_seen",
        "invoices_issued",
    ]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in BillingRun._meta.fields]


class StripeEventStateFilter(admin.SimpleListFilter):
    title = _("estado")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("processed", _("procesado")),
            ("waiting", _("en espera de una suscripción")),
            ("rejected", _("rechazado")),
        ]

    def queryset(self, request, queryset):
        unprocessed = queryset.filter(processed_at__isnull=True)
        return {
            "processed": queryset.filter(processed_at__isnull=False),
            "waiting": queryset.filter(WAITING),
            "rejected": unprocessed.exclude(WAITING).exclude(error=""),
        }.get(self.value() or "", queryset)


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "received_at", "processed_at", "attempts", "error"]
    list_filter = [StripeEventStateFilter, "type"]
    search_fields = ["event_id"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in StripeEvent._meta.fields]


@admin.register(OnsiteCharge)
class OnsiteChargeAdmin(admin.ModelAdmin):
    form = PrintableTextsForm  # printed on invoices: no control character
    formfield_overrides = PLAIN_NUMBER_FORM_FIELDS
    list_display = ["contract", "performed_on", "description", "amount", "invoice_line"]
    # A contract shows as its customer and plan (`Contract.__str__`).
    list_select_related = ["contract__customer", "contract__plan", "invoice_line"]
    readonly_fields = ["invoice_line"]
