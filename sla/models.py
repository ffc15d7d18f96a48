"""SLA data: versioned business calendars, versioned policies with targets, and clocks.

Versioning. `BusinessCalendar` and `SlaPolicy` are stable identities (what a plan points
to); their content lives in numbered, never-edited versions (`CalendarVersion`,
`SlaPolicyVersion`). A clock pins the versions it was started with, so an open ticket keeps
its targets when staff publish a new version; `manage.py sla_reapply` moves open clocks to
the current versions on request.

Clocks store, at every transition, the due time, the warning time, the business time
elapsed and the pause segments, so that the monitor and the compliance figures only
compare stored values and never recompute business time. The arithmetic lives in
`sla/calendars.py`, the writes in `sla/services.py`.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.labels import ChoiceLabels
from sla.calendars import check_time_zone
from sla.choices import Impact, Priority, Urgency
from sla.exceptions import SlaError

PERCENT_1_99 = [MinValueValidator(1), MaxValueValidator(99)]


def validate_time_zone(value: str) -> None:
    """Form-level face of `sla.calendars.check_time_zone` (the rule lives there)."""
    try:
        check_time_zone(value)
    except SlaError as error:
        raise ValidationError(error.message(), code=error.code) from error


class BusinessCalendar(models.Model):
    slug = models.SlugField(_("código"), max_length=80, unique=True)
    name = models.CharField(_("nombre"), max_length=160)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendario hábil")
        verbose_name_plural = _("calendarios hábiles")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class CalendarVersion(models.Model):
    """One immutable revision of a calendar; the highest number is the current one."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("versión"))
    time_zone = models.CharField(_("zona horaria"), max_length=64, validators=[validate_time_zone])
    always_open = models.BooleanField(
        _("abierto 24x7"), default=False, help_text=_("Todo instante es horario hábil.")
    )
    holiday_country = models.CharField(
        _("país de los feriados"),
        max_length=8,
        blank=True,
        help_text=_("Código ISO para los feriados nacionales, por ejemplo CO."),
    )
    holiday_subdivision = models.CharField(_("región de los feriados"), max_length=16, blank=True)
    note = models.CharField(_("nota"), max_length=240, blank=True)
    created_at = models.DateTimeField(_("publicada"), auto_now_add=True)

    class Meta:
        verbose_name = _("versión de calendario")
        verbose_name_plural = _("versiones de calendario")
        ordering = ["calendar_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "number"], name="sla_calendar_version_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="sla_calendar_version_gte_1"),
            models.CheckConstraint(
                condition=~Q(holiday_country="") | Q(holiday_subdivision=""),
                name="sla_calendar_subdivision_needs_country",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.calendar.slug} v{self.number}"


class WorkingInterval(models.Model):
    """A weekly opening window. `ends_at <= starts_at` means it closes the next day."""

    version = models.ForeignKey(CalendarVersion, on_delete=models.CASCADE, related_name="intervals")
    weekday = models.PositiveSmallIntegerField(
        _("día"), validators=[MaxValueValidator(6)], help_text=_("0 = lunes ... 6 = domingo")
    )
    starts_at = models.TimeField(_("desde"))
    ends_at = models.TimeField(_("hasta"))

    class Meta:
        verbose_name = _("horario semanal")
        verbose_name_plural = _("horarios semanales")
        ordering = ["version_id", "weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="sla_interval_weekday_0_6"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class CalendarDate(models.Model):
    """A dated exception: a closure (added holiday) or an extra working window."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Cerrado")
        OPEN = "open", _("Abierto")

    version = models.ForeignKey(CalendarVersion, on_delete=models.CASCADE, related_name="dates")
    on = models.DateField(_("fecha"))
    kind = models.CharField(_("tipo"), max_length=8, choices=Kind.choices)
    starts_at = models.TimeField(_("desde"), null=True, blank=True)
    ends_at = models.TimeField(_("hasta"), null=True, blank=True)
    name = models.CharField(_("nombre"), max_length=160, blank=True)

    class Meta:
        verbose_name = _("excepción de calendario")
        verbose_name_plural = _("excepciones de calendario")
        ordering = ["version_id", "on", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="closed", starts_at__isnull=True, ends_at__isnull=True)
                    | Q(kind="open", starts_at__isnull=False, ends_at__isnull=False)
                ),
                name="sla_calendar_date_times_match_kind",
            ),
            models.UniqueConstraint(
                fields=["version", "on"],
                condition=Q(kind="closed"),
                name="sla_calendar_date_one_closure_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.kind}"


class SlaPolicy(models.Model):
    slug = models.SlugField(_("código"), max_length=80, unique=True)
    name = models.CharField(_("nombre"), max_length=160)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("política de SLA")
        verbose_name_plural = _("políticas de SLA")

    def __str__(self) -> str:
        return self.name


class SlaPolicyVersion(models.Model):
    """One immutable revision of a policy: its calendar, warning threshold and targets."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versión"))
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendario"),
        on_delete=models.PROTECT,
        related_name="policy_versions",
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("aviso al porcentaje"), default=75, validators=PERCENT_1_99
    )
    note = models.CharField(_("nota"), max_length=240, blank=True)
    created_at = models.DateTimeField(_("publicada"), auto_now_add=True)

    class Meta:
        verbose_name = _("versión de política")
        verbose_name_plural = _("versiones de política")
        ordering = ["policy_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="sla_policy_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="sla_policy_version_gte_1"),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="sla_policy_warning_percent_1_99",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy.slug} v{self.number}"


class SlaTarget(models.Model):
    """Targets of one priority. An empty duration means "no target" for that clock."""

    class Measure(models.TextChoices):
        BUSINESS = "business", _("Horario hábil del calendario")
        ALWAYS = "always", _("24x7")

    policy_version = models.ForeignKey(
        SlaPolicyVersion, on_delete=models.CASCADE, related_name="targets"
    )
    priority = models.CharField(_("prioridad"), max_length=8, choices=Priority.choices)
    first_response = models.DurationField(
        _("primera respuesta"), null=True, blank=True, validators=[MinValueValidator(timedelta(0))]
    )
    resolution = models.DurationField(
        _("resolución"), null=True, blank=True, validators=[MinValueValidator(timedelta(0))]
    )
    measure = models.CharField(
        _("se mide en"), max_length=8, choices=Measure.choices, default=Measure.BUSINESS
    )

    class Meta:
        verbose_name = _("objetivo")
        verbose_name_plural = _("objetivos")
        ordering = ["policy_version_id", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy_version", "priority"], name="sla_target_one_per_priority"
            ),
            models.CheckConstraint(
                condition=Q(first_response__isnull=True) | Q(first_response__gte=timedelta(0)),
                name="sla_target_first_response_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(resolution__isnull=True) | Q(resolution__gte=timedelta(0)),
                name="sla_target_resolution_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_version} {self.priority}"


class PriorityMatrixCell(models.Model):
    """Impact x urgency -> priority, per policy version (filled from the default matrix)."""

    policy_version = models.ForeignKey(
        SlaPolicyVersion, on_delete=models.CASCADE, related_name="matrix"
    )
    impact = models.CharField(_("impacto"), max_length=8, choices=Impact.choices)
    urgency = models.CharField(_("urgencia"), max_length=8, choices=Urgency.choices)
    priority = models.CharField(_("prioridad"), max_length=8, choices=Priority.choices)

    class Meta:
        verbose_name = _("celda de la matriz de prioridad")
        verbose_name_plural = _("matriz de prioridad")
        constraints = [
            models.UniqueConstraint(
                fields=["policy_version", "impact", "urgency"], name="sla_matrix_cell_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.impact}x{self.urgency}={self.priority}"


class SupportLevel(models.Model):
    """A resolution level of a policy version and the business time it has (seed 001: level 1
    "en las dos primeras horas", level 2 "durante las primeras cuatro horas", level 3 beyond
    8 working hours with a vendor or the committee). The time counts on the ticket's
    resolution clock, from when the request was made, waiting on the customer excluded."""

    policy_version = models.ForeignKey(
        SlaPolicyVersion, on_delete=models.CASCADE, related_name="levels"
    )
    number = models.PositiveSmallIntegerField(
        _("nivel"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    name = models.CharField(_("nombre"), max_length=120)
    resolution = models.DurationField(
        _("tiempo de resolución del nivel"),
        null=True,
        blank=True,
        validators=[MinValueValidator(timedelta(0))],
        help_text=_("Vacío: sin objetivo propio (seed 001: el tercer nivel)."),
    )
    needs_referral = models.BooleanField(
        _("exige indicar a quién se deriva"),
        default=False,
        help_text=_("Seed 001: el tercer nivel anota el proveedor, el fabricante o el comité."),
    )

    class Meta:
        verbose_name = _("nivel de resolución")
        verbose_name_plural = _("niveles de resolución")
        ordering = ["policy_version_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy_version", "number"], name="sla_level_unique_per_version"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=3), name="sla_level_number_1_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class EscalationStep(models.Model):
    """One rung of a policy version's escalation ladder: when a ticket's clock has used
    `at_percent` of its target (the response, the resolution, or its current level's time),
    notify the people watching it, reassign it, or raise its level. Each rung acts once per
    ticket and level."""

    class Measure(models.TextChoices):
        RESPONSE = "response", _("Primera respuesta")
        RESOLUTION = "resolution", _("Resolución")
        LEVEL = "level", _("Tiempo del nivel actual")

    class Action(models.TextChoices):
        NOTIFY = "notify", _("Avisar")
        REASSIGN = "reassign", _("Reasignar")
        RAISE_LEVEL = "raise_level", _("Subir de nivel")

    policy_version = models.ForeignKey(
        SlaPolicyVersion, on_delete=models.CASCADE, related_name="ladder"
    )
    measure = models.CharField(_("medido sobre"), max_length=12, choices=Measure.choices)
    at_percent = models.PositiveSmallIntegerField(
        _("al porcentaje del objetivo"),
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    action = models.CharField(_("acción"), max_length=12, choices=Action.choices)
    priorities = models.JSONField(
        _("prioridades"), default=list, blank=True, help_text=_("Vacío: todas.")
    )
    assign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reasignar a"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notify_email = models.EmailField(
        _("avisar también a"), blank=True, help_text=_("Además del asignado y el gestor.")
    )

    class Meta:
        verbose_name = _("escalón de escalamiento")
        verbose_name_plural = _("escalera de escalamiento")
        ordering = ["policy_version_id", "measure", "at_percent", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(at_percent__gte=1, at_percent__lte=500),
                name="sla_escalation_percent_1_500",
            ),
            models.CheckConstraint(
                condition=~Q(action="reassign") | Q(assign_to__isnull=False),
                name="sla_escalation_reassign_has_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.at_percent}% {self.action}"

    def applies_to(self, priority: str) -> bool:
        return not self.priorities or priority in self.priorities


class ActivationLeadTime(models.Model):
    """How long a product takes to activate (seed 004), as data for activation tracking.

    `business_days` counts business days of `calendar` from when the prerequisites are met;
    `minutes` is a wall-clock delay (instant activation). Ranges keep both bounds; the
    upper bound is the commitment.
    """

    product = models.CharField(_("producto"), max_length=120)
    preset = models.SlugField(_("configuración de origen"), max_length=80)
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendario"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    minutes_max = models.PositiveIntegerField(_("minutos como máximo"), null=True, blank=True)
    business_days_min = models.PositiveSmallIntegerField(
        _("días hábiles como mínimo"), null=True, blank=True
    )
    business_days_max = models.PositiveSmallIntegerField(
        _("días hábiles como máximo"), null=True, blank=True
    )
    prerequisite = models.CharField(_("requisito previo"), max_length=240, blank=True)
    note = models.CharField(_("nota"), max_length=240, blank=True)

    class Meta:
        verbose_name = _("plazo de activación")
        verbose_name_plural = _("plazos de activación")
        ordering = ["preset", "product"]
        constraints = [
            models.UniqueConstraint(fields=["preset", "product"], name="sla_activation_unique"),
            models.CheckConstraint(
                condition=Q(minutes_max__isnull=False, business_days_max__isnull=True)
                | Q(minutes_max__isnull=True),
                name="sla_activation_minutes_or_days",
            ),
            models.CheckConstraint(
                condition=Q(business_days_min__isnull=True)
                | Q(business_days_max__gte=models.F("business_days_min")),
                name="sla_activation_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.product


class SubjectNumber(models.Func):
    """The owner's number in a subject written `<kind>:<number>` ("ticket:42" -> 42), NULL
    for any other subject ("ticket:r", "x") or a number of more than 18 digits. The same rule
    in each database, with immutable built-ins only, so it can be a stored generated column.
    """

    arity = 1
    output_field = models.BigIntegerField(null=True)

    def as_sql(self, compiler, connection, **extra_context):  # SQLite
        subject, params = compiler.compile(self.source_expressions[0])
        rest = f"substr({subject}, instr({subject}, ':') + 1)"
        sql = (
            f"CASE WHEN instr({subject}, ':') > 1 AND length({rest}) BETWEEN 1 AND 18"
            f" AND {rest} NOT GLOB '*[^0-9]*' THEN CAST({rest} AS INTEGER) END"
        )
        return sql, tuple(params) * 5

    def as_postgresql(self, compiler, connection, **extra_context):
        subject, params = compiler.compile(self.source_expressions[0])
        sql = (
            f"CASE WHEN {subject} ~ '^[^:]+:[0-9]{{1,18}}$'"
            f" THEN split_part({subject}, ':', 2)::bigint END"
        )
        return sql, tuple(params) * 2


class SlaClock(models.Model):
    """One response or resolution clock of one subject (a ticket), measured on a calendar.

    `elapsed` is the business time accumulated up to `measured_at` (the last transition);
    while running, now's elapsed is `elapsed + business_time_between(measured_at, now)`.
    `calendar_version` empty means the target is measured 24x7.
    """

    class Kind(models.TextChoices):
        RESPONSE = "response", _("Primera respuesta")
        RESOLUTION = "resolution", _("Resolución")

    class State(models.TextChoices):
        RUNNING = "running", _("En curso")
        PAUSED = "paused", _("En pausa")
        MET = "met", _("Cumplido")
        BREACHED = "breached", _("Incumplido")
        UNTIMED = "untimed", _("Sin objetivo")

    subject = models.CharField(
        max_length=120, db_index=True, help_text=_("Opaque key of the owner, e.g. ticket:42")
    )
    # The owner's number, so owners join their clocks on an integer instead of building each
    # subject's string (a month of 100,000 owners, bench/README.md); written by the database
    # itself, so no write (bulk or not) can leave it out or stale.
    subject_number = models.GeneratedField(
        expression=SubjectNumber("subject"),
        output_field=models.BigIntegerField(null=True),
        db_persist=True,
    )
    label = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    priority = models.CharField(max_length=8, choices=Priority.choices)
    policy_version = models.ForeignKey(
        SlaPolicyVersion, on_delete=models.PROTECT, related_name="clocks"
    )
    calendar_version = models.ForeignKey(
        CalendarVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="clocks"
    )
    target = models.DurationField(validators=[MinValueValidator(timedelta(0))])
    warning_percent = models.PositiveSmallIntegerField(validators=PERCENT_1_99)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField()
    measured_at = models.DateTimeField()
    elapsed = models.DurationField()
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    cycle = models.PositiveSmallIntegerField(default=1)
    first_stopped_at = models.DateTimeField(null=True, blank=True)
    first_elapsed = models.DurationField(null=True, blank=True)
    first_met = models.BooleanField(
        null=True, blank=True, help_text=_("Whether the first cycle met its target.")
    )
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    monitor_run = models.UUIDField(null=True, blank=True)
    notify_emails = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="sla_clock_state_due"),
            models.Index(fields=["state", "warn_at"], name="sla_clock_state_warn"),
            models.Index(fields=["monitor_run"], name="sla_clock_monitor_run"),
            models.Index(fields=["subject_number"], name="sla_clock_subject_number"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["subject", "kind"], name="sla_clock_one_per_kind"),
            models.CheckConstraint(
                condition=Q(target__gte=timedelta(0)), name="sla_clock_target_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="sla_clock_warning_percent_1_99",
            ),
            models.CheckConstraint(
                condition=(
                    Q(state="running", paused_at__isnull=True, stopped_at__isnull=True)
                    | Q(state="paused", paused_at__isnull=False, stopped_at__isnull=True)
                    | Q(state="met", paused_at__isnull=True, stopped_at__isnull=False)
                    | Q(state="breached", breached_at__isnull=False)
                    | Q(
                        state="untimed",
                        paused_at__isnull=True,
                        due_at__isnull=True,
                        warn_at__isnull=True,
                        breached_at__isnull=True,
                    )
                ),
                name="sla_clock_state_consistent",
            ),
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True) | Q(paused_at__isnull=True),
                name="sla_clock_stopped_not_paused",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.kind} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None


class SlaClockEvent(ChoiceLabels):
    """History of a clock: what happened, when, and the clock's figures right after."""

    class Kind(models.TextChoices):
        START = "start", _("Inicio")
        PAUSE = "pause", _("Pausa")
        RESUME = "resume", _("Reanudación")
        STOP = "stop", _("Detención")
        REOPEN = "reopen", _("Reapertura")
        WARNING = "warning", _("Aviso")
        BREACH = "breach", _("Incumplimiento")
        RETARGET = "retarget", _("Recalculo")
        UNTIMED = "untimed", _("Sin objetivo")

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    elapsed = models.DurationField()
    due_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=240, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["clock_id", "at", "pk"]
        indexes = [models.Index(fields=["clock", "at"], name="sla_clock_event_clock_at")]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class SlaClockPause(models.Model):
    """A waiting-on-customer segment; `business_time` is stored when it ends."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    business_time = models.DurationField(null=True, blank=True)

    class Meta:
        ordering = ["clock_id", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock"],
                condition=Q(ended_at__isnull=True),
                name="sla_clock_one_open_pause",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="sla_pause_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.started_at:%Y-%m-%d %H:%M}"
