from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from contracts import services
from contracts.models import (
    Contact,
    Contract,
    ContractStatusChange,
    CreditPack,
    Customer,
    Plan,
    PlanChange,
    Service,
    ServiceCategory,
)
from creditdesk.errors import CreditdeskError


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "email", "phone", "can_request", "language", "user"]
    raw_id_fields = ["user"]


class DeleteThroughServiceMixin:
    """Deletes, one at a time or in bulk, go through the app's delete service, which refuses
    anything with history; the admin would otherwise delete it directly."""

    delete_service: Callable[[Any], None]

    def delete_model(self, request, obj):
        try:
            self.delete_service(obj)
        except CreditdeskError as error:
            self.message_user(request, error.message(), messages.ERROR)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Customer)
class CustomerAdmin(DeleteThroughServiceMixin, admin.ModelAdmin):
    list_display = ["legal_name", "tax_id", "country", "currency", "membership", "account_manager"]
    list_filter = ["country", "currency", "membership", "tax_exempt", "account_manager"]
    search_fields = ["legal_name", "tax_id", "billing_email", "contacts__email"]
    inlines = [ContactInline]

    delete_service = staticmethod(services.customer_delete)


class CreditPackInline(admin.TabularInline):
    model = CreditPack
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "monthly_fee",
        "min_available_credits",
        "min_billable_credits",
        "billing_increment_minutes",
        "is_active",
    ]
    list_filter = ["is_active", "currency", "rounding"]
    search_fields = ["code", "name"]
    inlines = [CreditPackInline]


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "default_impact"]
    search_fields = ["name", "code"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "category", "impact", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "code"]


class StatusChangeInline(admin.TabularInline):
    model = ContractStatusChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]

    def has_add_permission(self, request, obj=None):
        return False


class PlanChangeInline(admin.TabularInline):
    model = PlanChange
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "effective_on",
        "from_plan",
        "to_plan",
        "reason",
        "changed_by",
        "applied_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motivo"), widget=forms.Textarea, required=False)


def _status_action(to_status: str, label: str):
    def action(modeladmin, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/contracts/contract_status_action.html",
                {
                    **modeladmin.admin_site.each_context(request),
                    "title": label,
                    "contracts": queryset,
                    "form": form,
                    "action": request.POST["action"],
                    "opts": modeladmin.model._meta,
                },
            )
        for contract in queryset:
            try:
                services.contract_transition(
                    contract,
                    to_status=to_status,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except CreditdeskError as error:
                modeladmin.message_user(request, f"{contract}: {error.message()}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{contract}: {label}", messages.SUCCESS)
        return None

    action.__name__ = f"make_{to_status}"
    return admin.action(description=label)(action)


@admin.register(Contract)
class ContractAdmin(DeleteThroughServiceMixin, admin.ModelAdmin):
    list_display = ["customer", "plan", "status", "starts_on", "ends_on"]
    list_filter = ["status", "plan", "customer__country"]
    search_fields = ["customer__legal_name", "customer__tax_id", "plan__code"]
    autocomplete_fields = ["customer"]
    filter_horizontal = ["services"]
    inlines = [StatusChangeInline, PlanChangeInline]
    actions = [
        _status_action(Contract.Status.ACTIVE, _("Activar / reactivar")),
        _status_action(Contract.Status.SUSPENDED, _("Suspender")),
        _status_action(Contract.Status.CANCELLED, _("Cancelar")),
    ]

    delete_service = staticmethod(services.contract_delete)

    def get_readonly_fields(self, request, obj=None):
        # Status moves only through the actions, which keep the history; plan through PlanChange.
        return ["status", "plan"] if obj else ["status"]
