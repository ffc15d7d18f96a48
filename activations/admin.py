"""Activations in the admin: read them with their checklist; every change goes through
`activations.services` (the workspace's pages and the API), so the admin only reads them. The
catalogue's lead times (`sla.ActivationLeadTime`) are edited here as in the workspace,
through `activations.services.product_save` and its bounds."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from activations.models import Activation, ActivationStep
from activations.services import PRESET, activation_kind, product_check, product_save
from core.errors import InvalidInput
from sla.models import ActivationLeadTime


class ActivationStepInline(admin.TabularInline):
    model = ActivationStep
    extra = 0
    can_delete = False
    fields = ("position", "kind", "label", "met_at", "met_by", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Activation)
class ActivationAdmin(admin.ModelAdmin):
    list_display = ("product_name", "customer", "status", "due_at", "activated_at")
    list_filter = ("status", "kind")
    list_select_related = ("customer",)
    search_fields = ("product_name", "customer__legal_name")
    ordering = ("due_at",)
    inlines = [ActivationStepInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ProductAdminForm(forms.ModelForm):
    """The catalogue row as the admin edits it: its kind picked, the bounds asked of
    `activations.services.product_check` (refusals on their fields), saved by `product_save`."""

    kind = forms.ChoiceField(label=_("Tipo de activación"), choices=Activation.Kind.choices)

    class Meta:
        model = ActivationLeadTime
        fields = [
            "product",
            "preset",
            "kind",
            "minutes_max",
            "business_days_min",
            "business_days_max",
            "calendar",
            "prerequisite",
            "note",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["kind"].initial = activation_kind(self.instance)
        self.fields["preset"].required = False

    def clean(self) -> dict:
        data = super().clean()
        try:
            product_check(
                name=data.get("product") or "",
                kind=data.get("kind") or "",
                minutes_max=data.get("minutes_max"),
                business_days_min=data.get("business_days_min"),
                business_days_max=data.get("business_days_max"),
                calendar=data.get("calendar"),
                prerequisite=data.get("prerequisite") or "",
                note=data.get("note") or "",
            )
        except InvalidInput as error:
            for name, texts in error.fields.items():
                field = "product" if name == "name" else name
                for text in texts:
                    self.add_error(field if field in self.fields else None, text)
        else:  # the other kind's fields go, as `product_save` drops them
            if data["kind"] == Activation.Kind.INSTANT:
                data.update(business_days_min=None, business_days_max=None, calendar=None)
            else:
                data["minutes_max"] = None
        return data


@admin.register(ActivationLeadTime)
class ActivationLeadTimeAdmin(admin.ModelAdmin):
    form = ProductAdminForm
    list_display = (
        "product",
        "preset",
        "calendar",
        "minutes_max",
        "business_days_min",
        "business_days_max",
        "prerequisite",
    )
    list_filter = ("preset",)
    list_select_related = ("calendar",)
    search_fields = ("product", "prerequisite", "note")

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        saved = product_save(
            product=obj if change else None,
            name=data["product"],
            kind=data["kind"],
            minutes_max=data.get("minutes_max"),
            business_days_min=data.get("business_days_min"),
            business_days_max=data.get("business_days_max"),
            calendar=data.get("calendar"),
            prerequisite=data.get("prerequisite") or "",
            note=data.get("note") or "",
            preset=data.get("preset") or PRESET,
        )
        obj.pk = saved.pk
