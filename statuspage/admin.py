"""The status page in the back office, with Spanish labels. Components are catalogue data,
edited directly; incidents, their updates and maintenance go through the services, so the
admin publishes exactly what the workspace publishes (and announces the same webhooks).

An add form runs its service while it validates (`ServiceForm`): a refusal lands on the
form's field like any validation error, and the admin saves nothing else."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import CreditdeskError, InvalidInput
from core.forms import PrintableTextsForm
from statuspage import services
from statuspage.models import (
    Component,
    Incident,
    IncidentTicket,
    IncidentUpdate,
    Maintenance,
    State,
)


class ServiceForm(forms.ModelForm):
    """A model form whose `run(data)` is the one service call; `result` is what it wrote."""

    user = None
    result = None

    def run(self, data: dict):
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            with transaction.atomic():
                self.result = self.run(data)
        except CreditdeskError as error:
            if isinstance(error, InvalidInput):
                refusals = [(name, text) for name, texts in error.fields.items() for text in texts]
            else:
                refusals = [(error.field, error.message())]
            for name, text in refusals:
                self.add_error(name if name in self.fields else None, text)
        return data


class ServiceAdminMixin:
    """Hands the signed-in user to the form and shows the service's row as the saved one."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with transaction.atomic():
            response = super().changeform_view(request, object_id, form_url, extra_context)
            context = getattr(response, "context_data", None) or {}
            if request.method == "POST" and context.get("errors"):
                # The form comes back with errors (an inline's, found after the form's clean
                # ran the service): nothing the service wrote stays.
                transaction.set_rollback(True)
        return response

    def save_model(self, request, obj, form, change):
        result = getattr(form, "result", None)
        if result is None:
            return
        for model_field in type(result)._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(result, model_field.attname))
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """The service saved the related rows; the inlines are read only (saving them
        writes nothing, and gives the admin's history its empty change lists)."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    form = PrintableTextsForm  # no control character in what is typed (the services' bound)
    list_display = ["name", "code", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "name_en", "code"]
    filter_horizontal = ["services"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class UpdateInline(ReadOnlyInline):
    model = IncidentUpdate
    fields = readonly_fields = ["at", "state", "impact", "body", "body_en", "by"]


class TicketLinkInline(ReadOnlyInline):
    model = IncidentTicket
    fields = readonly_fields = ["ticket", "at", "by"]


class IncidentAddForm(ServiceForm):
    body = forms.CharField(label=_("Primer mensaje"), widget=forms.Textarea)
    body_en = forms.CharField(
        label=_("Primer mensaje en inglés"), widget=forms.Textarea, required=False
    )

    class Meta:
        model = Incident
        fields = ["title", "title_en", "impact", "state", "components", "started_at"]

    def run(self, data: dict) -> Incident:
        return services.incident_open(
            title=data["title"],
            title_en=data.get("title_en", ""),
            body=data["body"],
            body_en=data.get("body_en", ""),
            impact=data["impact"],
            state=data["state"],
            components=data["components"],
            started_at=data["started_at"],
            by=self.user,
        )


class IncidentChangeForm(ServiceForm):
    class Meta:
        model = Incident
        fields = ["title", "title_en", "components"]

    def run(self, data: dict) -> Incident:
        return services.incident_edit(
            self.instance,
            title=data["title"],
            title_en=data.get("title_en", ""),
            components=data["components"],
        )


@admin.register(Incident)
class IncidentAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Published here or in the workspace; afterwards only the title and components may be
    corrected. What happens next is told with updates."""

    list_display = ["title", "impact", "state", "started_at", "resolved_at"]
    list_filter = ["state", "impact", "components"]
    search_fields = ["title", "title_en"]
    date_hierarchy = "started_at"
    inlines = [UpdateInline, TicketLinkInline]
    filter_horizontal = ["components"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = IncidentAddForm if obj is None else IncidentChangeForm
        kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["title", "title_en", "impact", "state", "components", "started_at", "body",
                    "body_en"]  # fmt: skip
        return ["title", "title_en", "components", "impact", "state", "started_at",
                "resolved_at", "opened_by"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["impact", "state", "started_at", "resolved_at", "opened_by"]

    def get_changeform_initial_data(self, request):
        return {"state": State.INVESTIGATING, "started_at": timezone.now()}


class UpdateAddForm(ServiceForm):
    send_to_tickets = forms.BooleanField(
        label=_("Enviar a las solicitudes vinculadas abiertas"), required=False
    )

    class Meta:
        model = IncidentUpdate
        fields = ["incident", "state", "impact", "body", "body_en"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = Incident.objects.open()

    def run(self, data: dict) -> IncidentUpdate:
        return services.incident_update_post(
            data["incident"],
            state=data["state"],
            impact=data["impact"],
            body=data["body"],
            body_en=data.get("body_en", ""),
            send_to_tickets=data.get("send_to_tickets", False),
            by=self.user,
        )


@admin.register(IncidentUpdate)
class IncidentUpdateAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Updates are posted here or in the workspace, never edited: each one is what the
    customers read at that moment."""

    list_display = ["incident", "state", "impact", "at", "by"]
    list_filter = ["state", "impact"]
    search_fields = ["incident__title", "body"]
    date_hierarchy = "at"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = UpdateAddForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["incident", "state", "impact", "body", "body_en", "send_to_tickets"]
        return ["incident", "state", "impact", "body", "body_en", "at", "by"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)


class MaintenanceAddForm(ServiceForm):
    class Meta:
        model = Maintenance
        fields = ["title", "title_en", "description", "description_en", "components",
                  "starts_at", "ends_at"]  # fmt: skip

    def run(self, data: dict) -> Maintenance:
        return services.maintenance_schedule(
            title=data["title"],
            title_en=data.get("title_en", ""),
            description=data.get("description", ""),
            description_en=data.get("description_en", ""),
            components=data["components"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            by=self.user,
        )


@admin.register(Maintenance)
class MaintenanceAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Scheduled here or in the workspace; a maintenance is cancelled (an action), never
    edited or deleted, so what was announced stays on record."""

    list_display = ["title", "starts_at", "ends_at", "cancelled_at"]
    list_filter = ["components"]
    search_fields = ["title", "title_en"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["components"]
    actions = ["cancel"]
    form = MaintenanceAddForm

    def get_fields(self, request, obj=None):
        fields = list(MaintenanceAddForm.Meta.fields)
        return fields if obj is None else [*fields, "scheduled_by", "cancelled_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    @admin.action(description=_("Cancelar los mantenimientos elegidos"))
    def cancel(self, request, queryset):
        for maintenance in queryset:
            try:
                services.maintenance_cancel(maintenance, by=request.user)
            except CreditdeskError as error:
                self.message_user(request, error.message(), messages.ERROR)
