from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.read_only_admin import ReadOnlyAdmin
from tickets.models import (
    CannedReply,
    IntakeAttempt,
    Message,
    ScheduledSession,
    Ticket,
    TicketEvent,
    WorkLog,
)
from tickets.services.canned import canned_reply_save


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "direction", "channel", "author_contact", "author_user", "body"]


class WorkLogInline(ReadOnlyInline):
    model = WorkLog
    fields = ["started_at", "agent", "minutes", "onsite", "billable", "charged", "note"]


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["at", "kind", "from_value", "to_value", "by", "reason"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    """Read-only back office view: tickets change through the workspace and the services."""

    list_display = ["number", "customer", "subject", "priority", "status", "assignee", "opened_at"]
    list_filter = ["status", "priority", "channel", "resolution_level"]
    search_fields = ["number", "subject", "customer__legal_name", "requester__email"]
    date_hierarchy = "opened_at"
    inlines = [MessageInline, WorkLogInline, EventInline]


@admin.register(IntakeAttempt)
class IntakeAttemptAdmin(admin.ModelAdmin):
    list_display = ["created_at", "reason", "customer", "requester_address", "channel", "subject"]
    list_filter = ["reason", "channel"]
    search_fields = ["requester_address", "customer__legal_name", "subject"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScheduledSession)
class ScheduledSessionAdmin(ReadOnlyAdmin):
    """Read-only: a session is scheduled, held, cancelled or charged as a no-show in the
    workspace, through the services that lock its ticket and refuse a finished one."""

    list_display = ["ticket", "starts_at", "minutes", "agent", "status"]
    list_filter = ["status"]


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    """Ready answers for the reply box; the form shows an unknown placeholder on its field
    (`CannedReply.clean`), and saves through `tickets.services.canned`."""

    list_display = ["title", "language", "active"]
    list_filter = ["language", "active"]
    search_fields = ["title", "body"]
    fields = ["title", "language", "body", "active"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["body"].help_text = _(
            "Marcadores: {cliente} (o {customer}) el nombre del cliente, {ticket} el número de "
            "la solicitud, {vence} (o {due}) su próximo vencimiento de SLA en la zona y el "
            "idioma del cliente."
        )
        return form

    def save_model(self, request, obj, form, change):
        canned_reply_save(obj)
