from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    """One periodic job (`operations.schedule.JOBS`) and the last run slot enqueued for it."""

    name = models.CharField(max_length=60, unique=True, verbose_name=_("nombre"))
    last_slot_at = models.DateTimeField(null=True, blank=True, verbose_name=_("último turno"))
    last_enqueued_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("último encolado")
    )

    class Meta:
        verbose_name = _("tarea periódica")
        verbose_name_plural = _("tareas periódicas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobRun(models.Model):
    """A run slot of a job that was enqueued: at most one per (job, slot), whatever the number
    of schedulers (the unique constraint is the last word, the job row's lock the first)."""

    job = models.ForeignKey(ScheduledJob, on_delete=models.CASCADE, related_name="runs")
    slot_at = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-slot_at"]
        constraints = [
            models.UniqueConstraint(fields=["job", "slot_at"], name="jobrun_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.job.name} @ {self.slot_at.isoformat()}"
