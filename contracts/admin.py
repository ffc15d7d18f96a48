from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from contracts import services
from contracts.models import (
    Channel,
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
from contracts.selectors import currency_history
from core.amounts import PLAIN_NUMBER_FORM_FIELDS
from core.errors import CreditdeskError
from core.forms import PrintableTextsForm


class ContactInline(admin.TabularInline):
    form = PrintableTextsForm  # no control character in what is typed (the services' bound)
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


class ChannelChecklistMixin:
    """Channel lists (JSON lists of `Channel` values) as a checkbox per channel instead of raw
    JSON. Whether a list is valid (known channels; business-hours channels among the plan's)
    stays in the model's `clean`, which the admin's form runs."""

    channel_fields = ("allowed_channels", "business_hours_channels")
    channel_help: dict[str, Any] = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.channel_fields:
            return forms.MultipleChoiceField(
                label=capfirst(db_field.verbose_name),
                help_text=self.channel_help.get(db_field.name, db_field.help_text),
                choices=Channel.choices,
                widget=forms.CheckboxSelectMultiple,
                required=not db_field.blank,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]


def currency_locked_fields(obj: Customer | Plan | None) -> list[str]:
    """The currency field is shown, not edited, once money was recorded in it."""
    return ["currency"] if obj is not None and currency_history(obj) else []


@admin.register(Customer)
class CustomerAdmin(DeleteThroughServiceMixin, admin.ModelAdmin):
    form = PrintableTextsForm  # no control character in what is typed (the services' bound)
    list_display = ["legal_name", "tax_id", "country", "currency", "membership", "account_manager"]
    list_filter = ["country", "currency", "membership", "tax_exempt", "account_manager"]
    search_fields = ["legal_name", "tax_id", "billing_email", "contacts__email"]
    inlines = [ContactInline]

    delete_service = staticmethod(services.customer_delete)

    def get_readonly_fields(self, request, obj=None):
        return currency_locked_fields(obj)


class CreditPackInline(admin.TabularInline):
    form = PrintableTextsForm  # no control character in what is typed (the services' bound)
    formfield_overrides = PLAIN_NUMBER_FORM_FIELDS
    model = CreditPack
    extra = 0


@admin.register(Plan)
class PlanAdmin(ChannelChecklistMixin, admin.ModelAdmin):
    form = PrintableTextsForm  # no control character in what is typed (the services' bound)
    formfield_overrides = PLAIN_NUMBER_FORM_FIELDS
    list_display = [
        "code",
        "name",
        "support_model",
        "monthly_fee",
        "min_available_credits",
        "min_billable_credits",
        "billing_increment_minutes",
        "is_active",
    ]
    list_filter = ["is_active", "support_model", "currency", "rounding"]
    search_fields = ["code", "name"]
    inlines = [CreditPackInline]
    channel_help = {"allowed_channels": _("Por dónde pueden pedir soporte sus clientes.")}

    def get_readonly_fields(self, request, obj=None):
        return currency_locked_fields(obj)


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    form = PrintableTextsForm  # no control character in what is typed (the services' bound)
    list_display = ["name", "code", "default_impact"]
    search_fields = ["name", "code"]


@admin.register(Service)
class ServiceAdmin(ChannelChecklistMixin, admin.ModelAdmin):
    form = PrintableTextsForm  # no control character in what is typed (the services' bound)
    list_display = ["name", "code", "category", "impact", "sla_policy", "billed", "is_active"]
    list_filter = [
        "category",
        "sla_policy",
        "billed",
        "answers_in_business_hours_only",
        "is_active",
    ]
    search_fields = ["name", "code"]


class StatusChangeInline(admin.TabularInline):
    model = ContractStatusChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "from_status", "to_status", "reason", "by"]

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
        "by",
        "applied_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motivo"), widget=forms.Textarea, required=False)


class PlanChangeForm(ReasonForm):
    plan = forms.ModelChoiceField(
        label=_("Nuevo plan"), queryset=Plan.objects.filter(is_active=True)
    )
    effective_on = forms.DateField(
        label=_("En vigor desde"),
        help_text=_("Hoy o antes: de inmediato. Una fecha futura queda programada."),
    )

    field_order = ["plan", "effective_on", "reason"]


def _form_action(name: str, label: str, form_class: type[forms.Form], apply: Callable[..., Any]):
    """An admin action that asks for `form_class` once, then calls the service `apply(contract,
    by=user, **form data)` for every selected contract, reporting each refusal."""

    def action(modeladmin, request, queryset):
        form = form_class(request.POST if "apply" in request.POST else None)
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
                apply(contract, by=request.user, **form.cleaned_data)
            except CreditdeskError as error:
                modeladmin.message_user(request, f"{contract}: {error.message()}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{contract}: {label}", messages.SUCCESS)
        return None

    action.__name__ = name
    return admin.action(description=label)(action)


def _status_action(to_status: str, label: str):
    apply = partial(services.contract_transition, to_status=to_status)
    return _form_action(f"make_{to_status}", label, ReasonForm, apply)


@admin.action(description=_("Anular el cambio de plan programado"))
def withdraw_plan_change(modeladmin, request, queryset):
    for contract in queryset:
        try:
            change = services.contract_withdraw_plan_change(contract)
        except CreditdeskError as error:
            modeladmin.message_user(request, f"{contract}: {error.message()}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{contract}: {change}", messages.SUCCESS)


@admin.register(Contract)
class ContractAdmin(DeleteThroughServiceMixin, admin.ModelAdmin):
    formfield_overrides = PLAIN_NUMBER_FORM_FIELDS
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
        _form_action(
            "change_plan", _("Cambiar de plan"), PlanChangeForm, services.contract_change_plan
        ),
        withdraw_plan_change,
    ]

    delete_service = staticmethod(services.contract_delete)

    def get_readonly_fields(self, request, obj=None):
        # Status and plan move only through the actions, which keep the history.
        return ["status", "plan"] if obj else ["status"]
