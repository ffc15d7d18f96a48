from django.contrib import admin

from tickets.models import (
    IntakeAttempt,
    Message,
    ScheduledSession,
    Ticket,
    TicketEvent,
    WorkLog,
)


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
class TicketAdmin(admin.ModelAdmin):
    """Read-only back office view: tickets change through the workspace and the services."""

    list_display = ["number", "customer", "subject", "priority", "status", "assignee", "opened_at"]
    list_filter = ["status", "priority", "channel", "resolution_level"]
    search_fields = ["number", "subject", "customer__legal_name", "requester__email"]
    date_hierarchy = "opened_at"
    inlines = [MessageInline, WorkLogInline, EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
class ScheduledSessionAdmin(admin.ModelAdmin):
    list_display = ["ticket", "starts_at", "minutes", "agent", "status"]
    list_filter = ["status"]
