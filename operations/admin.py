"""The admin's list of background tasks (django-tasks-db rows): status, attempt, the error,
and a retry action for failed ones. Replaces django-tasks-db's own read-only admin."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from background.queue import RetryScheduled
from operations.models import JobRun, ScheduledJob
from operations.services import task_retry

RETRY_SCHEDULED = f"{RetryScheduled.__module__}.{RetryScheduled.__qualname__}"


class OutcomeFilter(admin.SimpleListFilter):
    title = _("resultado")
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [("failed", _("fallida")), ("retrying", _("reintentando"))]

    def queryset(self, request, queryset):
        failed = queryset.filter(status="FAILED")
        if self.value() == "failed":
            return failed.exclude(exception_class_path=RETRY_SCHEDULED)
        if self.value() == "retrying":
            return failed.filter(exception_class_path=RETRY_SCHEDULED)
        return queryset


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "task_name",
        "status",
        "outcome",
        "attempt",
        "enqueued_at",
        "run_after",
        "finished_at",
        "queue_name",
    )
    list_filter = (OutcomeFilter, "status", "queue_name")
    actions = ["retry"]

    @admin.display(description=_("intento"))
    def attempt(self, obj: DBTaskResult) -> int:
        return obj.args_kwargs.get("kwargs", {}).get("attempt", 1)

    @admin.display(description=_("resultado"))
    def outcome(self, obj: DBTaskResult) -> str:
        if obj.status != "FAILED":
            return obj.get_status_display()
        if obj.exception_class_path == RETRY_SCHEDULED:
            return _("reintentando")
        return _("fallida: %(error)s") % {"error": obj.exception_class_path.rsplit(".", 1)[-1]}

    @admin.action(description=_("Reintentar las tareas fallidas seleccionadas"))
    def retry(self, request, queryset):
        retried = 0
        for row in queryset.filter(status="FAILED").exclude(exception_class_path=RETRY_SCHEDULED):
            task_retry(row)
            retried += 1
        self.message_user(
            request,
            ngettext("%(n)d tarea encolada de nuevo.", "%(n)d tareas encoladas de nuevo.", retried)
            % {"n": retried},
            messages.SUCCESS,
        )


class JobRunInline(admin.TabularInline):
    model = JobRun
    extra = 0
    can_delete = False
    readonly_fields = ("slot_at", "enqueued_at")
    max_num = 0


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    list_display = ("name", "last_slot_at", "last_enqueued_at")
    readonly_fields = ("name", "last_slot_at", "last_enqueued_at")
    inlines = [JobRunInline]

    def has_add_permission(self, request):
        return False
