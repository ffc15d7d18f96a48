"""Support requests and everything that happens to them.

A ticket is opened only through `tickets.services.intake.ticket_open`, which checks the
requester, the contract, the channel, the scope and the credits in one transaction. Its SLA
clocks live in `sla` (keyed by `Ticket.clock_subject`); its credits in `credits` (a hold while
open, a charge on resolution). Worked minutes are kept as logged; what was billed is stored
beside them, never instead of them.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Channel, Contact, Contract, Customer, Service
from core.labels import ChoiceLabels
from core.languages import in_language
from core.storage import private_storage
from sla.choices import Impact, Priority, Urgency

CREDITS = {"max_digits": 12, "decimal_places": 2}


# The longest suggested alternative an out-of-scope outcome keeps.
OUTCOME_ALTERNATIVE_LIMIT = 500


class Outcome(models.TextChoices):
    """What a resolution gave the customer (issue 20): the monthly mix reads these."""

    SOLVED = "solved", _("Resuelto")
    ADVICE = "advice", _("Asesoría (artículo enviado)")
    OUT_OF_SCOPE = "out_of_scope", _("Fuera de alcance")
    QUOTE = "quote", _("Presupuesto emitido")


class TicketQuerySet(models.QuerySet["Ticket"]):
    def open(self) -> "TicketQuerySet":
        """Tickets still being worked (not resolved, closed or abandoned)."""
        return self.exclude(status__in=Ticket.CLOSED_STATUSES)


class Ticket(ChoiceLabels):
    class Status(models.TextChoices):
        NEW = "new", _("Nuevo")
        ACKNOWLEDGED = "acknowledged", _("Recibido")
        IN_PROGRESS = "in_progress", _("En curso")
        WAITING_ON_CUSTOMER = "waiting_on_customer", _("Esperando al cliente")
        RESOLVED = "resolved", _("Resuelto")
        CLOSED = "closed", _("Cerrado")
        REOPENED = "reopened", _("Reabierto")
        ABANDONED = "abandoned", _("Abandonado")

    # Work on these is over: queues, dashboards and "open" counts leave them out.
    CLOSED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED, Status.ABANDONED})
    # Over for good: a follow-up, or a new mail, is a new request (seed 003).
    FINISHED_STATUSES = frozenset({Status.CLOSED, Status.ABANDONED})

    # Set right after the insert from the primary key, so numbers are never reused.
    number = models.CharField(_("número"), max_length=20, unique=True, null=True)  # noqa: DJ001
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("cliente")
    )
    # indexed by `tickets_contract_opened`, which starts with it
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("contrato"),
        db_index=False,
    )
    requester = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        related_name="tickets",
        null=True,
        blank=True,
        verbose_name=_("solicitante"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Personal que abrió la solicitud en nombre del cliente."),
        verbose_name=_("abierta por"),
    )
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("asunto"), max_length=200)
    description = models.TextField(_("descripción"), blank=True)
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("servicio"),
    )
    impact = models.CharField(_("impacto"), max_length=8, choices=Impact.choices)
    urgency = models.CharField(_("urgencia"), max_length=8, choices=Urgency.choices)
    priority = models.CharField(_("prioridad"), max_length=8, choices=Priority.choices)
    priority_override_reason = models.TextField(
        blank=True, verbose_name=_("motivo del cambio de prioridad")
    )
    # Seed 003: a request by e-mail states a "prioridad sugerida", which staff verify; the
    # priority itself is the matrix's or staff's (`ticket_override_priority`).
    suggested_priority = models.CharField(
        _("prioridad sugerida"), max_length=8, choices=Priority.choices, blank=True
    )
    status = models.CharField(
        _("estado"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    resolution_level = models.PositiveSmallIntegerField(
        _("nivel de resolución"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    referred_to = models.CharField(
        _("derivada a"),
        max_length=160,
        blank=True,
        help_text=_("Proveedor, fabricante o comité que atiende el nivel (seed 001)."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("asignada a"),
    )
    follows_up = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("continúa"),
    )
    hold = models.OneToOneField(
        "credits.CreditHold",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ticket",
        verbose_name=_("retención"),
    )
    unanswered_info_requests = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("pedidos de información sin respuesta")
    )
    waiting_since = models.DateTimeField(null=True, blank=True, verbose_name=_("esperando desde"))
    billed_minutes = models.PositiveIntegerField(default=0, verbose_name=_("minutos cobrados"))
    billed_credits = models.DecimalField(
        **CREDITS, default=Decimal("0"), verbose_name=_("créditos cobrados")
    )
    charge_explanation = models.TextField(blank=True, verbose_name=_("explicación del cobro"))
    charge_explanation_en = models.TextField(
        blank=True, verbose_name=_("explicación del cobro (inglés)")
    )
    opened_at = models.DateTimeField(verbose_name=_("abierta"))
    # The earliest due time of the ticket's open SLA clocks, the queue's order. Written by
    # the database itself (triggers on sla_slaclock, migration 0013), so no clock write,
    # through tickets or straight through sla (a policy re-applied), leaves it stale; the
    # queue then reads the first page off an index instead of asking each open ticket's
    # clocks (bench/README.md, run L).
    next_due_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("próximo vencimiento")
    )
    first_response_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("primera respuesta")
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resuelta"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cerrada"))
    # The outcome of the last resolution (blank while open or before outcomes were recorded);
    # set only by tickets.services.lifecycle.ticket_transition, cleared by a reopen.
    outcome = models.CharField(_("resultado"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_article = models.ForeignKey(
        "knowledge.Article",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("artículo enviado"),
    )
    outcome_alternative = models.CharField(
        _("alternativa sugerida"), max_length=OUTCOME_ALTERNATIVE_LIMIT, blank=True
    )
    # The quote's number: quotes sit above tickets, so the ticket names it, the quote app
    # checks it (tickets.outcomes.quote_check) and links back by its own foreign key.
    outcome_quote_number = models.CharField(_("presupuesto"), max_length=20, blank=True)
    # The portal form's one-time key: a second submit of one form (a double click, a browser
    # retrying) finds the request the first opened instead of opening and holding another.
    submission_key = models.UUIDField(
        null=True, blank=True, editable=False, verbose_name=_("clave del formulario enviado")
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("solicitud")
        verbose_name_plural = _("solicitudes")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "status"], name="tickets_customer_status"),
            # A contract's tickets opened in a period, with their ids (the SLA compliance of a
            # month, of each of the portal chart's six): read off the index alone. With only
            # the contract's index PostgreSQL priced the chart's six small aggregates (2 ms)
            # high enough to start two parallel workers for them, 16-21 ms a request.
            models.Index(
                fields=["contract", "opened_at"], include=["id"], name="tickets_contract_opened"
            ),
            models.Index(fields=["status", "waiting_since"], name="tickets_status_waiting"),
            # The open tickets are a few thousand among years of closed ones: the queue and
            # its count read them here instead of scanning the table (bench/README.md, run I),
            # in the queue's order, so its first page is the index's first entries (run L).
            models.Index(
                fields=["next_due_at", "opened_at", "id"],
                condition=~Q(status__in=["abandoned", "closed", "resolved"]),
                name="tickets_open_due",
            ),
        ]
        constraints = [
            # Partial, so SQLite adds it as an index instead of rebuilding the table.
            models.UniqueConstraint(
                fields=["requester", "submission_key"],
                condition=Q(submission_key__isnull=False),
                name="tickets_one_per_submission",
            ),
            models.CheckConstraint(
                condition=Q(resolution_level__gte=1, resolution_level__lte=3),
                name="tickets_resolution_level_1_3",
            ),
            models.CheckConstraint(
                condition=Q(billed_credits__gte=0), name="tickets_billed_credits_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="advice") | Q(outcome_article__isnull=False),
                name="tickets_outcome_advice_names_article",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="out_of_scope") | ~Q(outcome_alternative=""),
                name="tickets_outcome_out_of_scope_names_alternative",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="quote") | ~Q(outcome_quote_number=""),
                name="tickets_outcome_quote_names_quote",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def save(self, *args, **kwargs) -> None:
        """A full save of a ticket read earlier leaves `next_due_at` alone: the database
        keeps it, and the value read with the ticket may be older than its clocks."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "next_due_at"
            ]
        super().save(*args, **kwargs)

    @property
    def clock_subject(self) -> str:
        return f"ticket:{self.pk}"

    def charge_explanation_in(self, language: str | None = None) -> str:
        """Why the request cost what it did, in the reader's language."""
        return in_language(self.charge_explanation, self.charge_explanation_en, language)

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES

    @property
    def waits_on_customer(self) -> bool:
        """Its clocks are paused: the agent's request for information was its reply."""
        return self.status == self.Status.WAITING_ON_CUSTOMER

    @property
    def due_at_shown(self) -> datetime | None:
        """The due time a list shows (the portal's and the queue's): none while the request
        waits on the customer. Its clocks are paused and `next_due_at` keeps the time they
        had, which no one is held to; the time left counts again, from a new due time, once
        the customer answers."""
        return None if self.waits_on_customer else self.next_due_at


class TicketEvent(models.Model):
    """Who did what to a ticket, when and why: status changes, escalations, priority."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Estado")
        ESCALATION = "escalation", _("Escalamiento")
        PRIORITY = "priority", _("Prioridad")
        CHARGE = "charge", _("Cargo")
        SERVICE = "service", _("Tipo de solicitud")
        LADDER = "ladder", _("Escalera de escalamiento")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_value = models.CharField(max_length=40, blank=True)
    to_value = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    # A reason Creditdesk wrote in both languages (a charge's explanation); blank when the
    # reason is someone's own words or a code the history translates.
    reason_en = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quién"),
    )
    at = models.DateTimeField(_("cuándo"))

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.from_value}→{self.to_value}"


class TicketEscalation(models.Model):
    """A rung of the escalation ladder that acted on a ticket; one per ticket, rung and level,
    so the periodic run never acts twice (seed 001's ladder is measured per level)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations")
    step = models.ForeignKey("sla.EscalationStep", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=12)
    outcome = models.CharField(max_length=240, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "step", "level"], name="tickets_escalation_once_per_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} L{self.level}"


class Message(models.Model):
    """Every inbound and outbound message of a ticket (seed 003: the message log)."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Del cliente")
        OUTBOUND = "outbound", _("Al cliente")
        INTERNAL = "internal", _("Nota interna")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    author_contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.TextField()
    asks_for_information = models.BooleanField(default=False)
    email_message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["email_message_id"],
                condition=~Q(email_message_id=""),
                name="tickets_message_unique_email_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.direction} {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.message.ticket_id}/{filename}"


class Attachment(models.Model):
    """A file on a message, in private storage (`core.storage`): read only through the
    attachment views, which apply the ticket's access rules. `filename` is the sanitized name
    people see; `content_type` is what the content is (`tickets.attachments.sniff`), not what
    the sender said, for the files people upload."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, storage=private_storage)
    filename = models.CharField(_("nombre"), max_length=255)
    content_type = models.CharField(_("tipo"), max_length=120)
    size = models.PositiveIntegerField(_("tamaño"))

    class Meta:
        verbose_name = _("adjunto")
        verbose_name_plural = _("adjuntos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_image(self) -> bool:
        """Shown as a preview: one of the image types uploads accept."""
        return self.content_type in IMAGE_TYPES


IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


# Descriptions, messages and notes: long enough for any log excerpt a person pastes, short
# enough that a page, a PDF and a mail stay readable. Services refuse longer text.
TEXT_LIMIT = 20_000
TEXT_TOO_LONG = _("Admite hasta %(limit_value)s caracteres (tiene %(show_value)s).")


def text_too_long(value: str) -> ValidationError | None:
    if len(value) <= TEXT_LIMIT:
        return None
    return ValidationError(
        TEXT_TOO_LONG,
        code="max_length",
        params={"limit_value": TEXT_LIMIT, "show_value": len(value)},
    )


def text_within_limit(value: str, *, field: str) -> str:
    """`value` when it fits TEXT_LIMIT and holds no control character (`text_printable`);
    otherwise InvalidInput naming `field`."""
    from core.errors import InvalidInput, text_printable

    error = text_too_long(value)
    if error is not None:
        raise InvalidInput({field: [error]})
    return text_printable(value, field=field)


# One work log or session covers at most a day; longer work is logged day by day.
MAX_MINUTES = 24 * 60
# Sessions are agreed at most this far ahead.
SESSION_HORIZON = timedelta(days=366)
BEFORE_OPENING = _("No puede ser anterior a la apertura de la solicitud.")


def opened_minute(ticket: "Ticket") -> datetime:
    """The minute the ticket was opened: people type times to the minute, so work started
    in that minute (say 09:14 for a ticket opened at 09:14:37) is not before the opening."""
    return ticket.opened_at.replace(second=0, microsecond=0)


class WorkLog(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="work_logs")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MINUTES)]
    )
    note = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_LIMIT)])
    onsite = models.BooleanField(_("en sitio"), default=False)
    billable = models.BooleanField(_("facturable"), default=True)
    charged = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1), name="tickets_worklog_minutes_gte_1"
            ),
            models.CheckConstraint(
                condition=Q(minutes__lte=MAX_MINUTES), name="tickets_worklog_minutes_lte_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.minutes} min"

    def clean(self) -> None:
        """Work is logged once done: not before the request was opened, neither starting nor
        ending in the future. People type times to the minute, so work ending within the
        current minute (09:30 typed at 09:30:20) has not ended in the future."""
        if self.started_at is None or self.ticket_id is None:
            return
        if self.started_at < opened_minute(self.ticket):
            raise ValidationError(
                {
                    "started_at": _(
                        "El trabajo no puede empezar antes de la apertura de la solicitud."
                    )
                }
            )
        now = timezone.now()
        if self.started_at > now:
            raise ValidationError({"started_at": _("El trabajo no puede empezar en el futuro.")})
        if not isinstance(self.minutes, int) or not 1 <= self.minutes <= MAX_MINUTES:
            return  # the field's own validators refuse it
        next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        if self.started_at + timedelta(minutes=self.minutes) >= next_minute:
            raise ValidationError({"minutes": _("El trabajo no puede terminar en el futuro.")})


class ScheduledSession(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Programada")
        HELD = "held", _("Realizada")
        NO_SHOW = "no_show", _("Cliente ausente")
        CANCELLED = "cancelled", _("Cancelada")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("solicitud")
    )
    starts_at = models.DateTimeField(verbose_name=_("comienza"))
    minutes = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MINUTES)],
        verbose_name=_("minutos"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agente"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SCHEDULED, verbose_name=_("estado")
    )
    no_show_entry = models.OneToOneField(
        "credits.LedgerEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("movimiento por inasistencia"),
    )

    class Meta:
        verbose_name = _("sesión programada")
        verbose_name_plural = _("sesiones programadas")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=MAX_MINUTES),
                name="tickets_session_minutes_within_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        """Not before the request was opened, and at most SESSION_HORIZON ahead."""
        if self.starts_at is None or self.ticket_id is None:
            return
        if self.starts_at < opened_minute(self.ticket):
            raise ValidationError({"starts_at": BEFORE_OPENING})
        if self.starts_at > timezone.now() + SESSION_HORIZON:
            raise ValidationError(
                {"starts_at": _("Una sesión se programa como mucho con un año de antelación.")}
            )


class IntakeAttempt(models.Model):
    """A refused request, kept so account managers see lost demand."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="intake_attempts",
        verbose_name=_("cliente"),
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contacto"),
    )
    requester_address = models.CharField(
        max_length=255, blank=True, verbose_name=_("dirección del solicitante")
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, verbose_name=_("canal"))
    subject = models.CharField(max_length=200, blank=True, verbose_name=_("asunto"))
    reason = models.CharField(max_length=40, verbose_name=_("motivo"))
    # The refusal as the requester read it in each language (before message_en, `message`
    # held the requester's language only).
    message = models.TextField(verbose_name=_("mensaje"))
    message_en = models.TextField(blank=True, verbose_name=_("mensaje en inglés"))
    created_at = models.DateTimeField(verbose_name=_("creado"))

    class Meta:
        verbose_name = _("solicitud rechazada")
        verbose_name_plural = _("solicitudes rechazadas")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["customer", "created_at"], name="tickets_intake_customer")]

    def __str__(self) -> str:
        return f"{self.reason} {self.requester_address}"

    @property
    def message_shown(self) -> str:
        """The refusal in the reader's language."""
        return in_language(self.message, self.message_en)


class InboundMail(models.Model):
    """One inbound message handled by mail intake, written in the same transaction as what it
    produced: a second delivery (same Message-ID, or the same bytes without one) is a
    duplicate, never a second ticket or hold."""

    fingerprint = models.CharField(max_length=80, unique=True)
    message_id = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=20)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.outcome}: {self.message_id or self.fingerprint}"


class CannedReply(models.Model):
    """A ready answer agents insert in the reply box, in one language, with placeholders
    filled from the ticket (`tickets.canned`): {cliente}, {ticket}, {vence} (or {customer},
    {due}). An unknown placeholder is refused when it is saved, naming the field."""

    class Language(models.TextChoices):
        SPANISH = "es", "Español"
        ENGLISH = "en", "English"

    title = models.CharField(_("título"), max_length=120)
    body = models.TextField(_("texto"), validators=[MaxLengthValidator(TEXT_LIMIT)])
    language = models.CharField(_("idioma"), max_length=2, choices=Language.choices)
    active = models.BooleanField(_("activa"), default=True)

    class Meta:
        verbose_name = _("respuesta predefinida")
        verbose_name_plural = _("respuestas predefinidas")
        ordering = ["language", "title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "title"], name="tickets_canned_reply_unique_title"
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.language}] {self.title}"

    def clean(self) -> None:
        from core.errors import InvalidInput, text_printable
        from tickets.canned import placeholder_errors

        errors = {
            name: error
            for name in ("title", "body")
            if (error := placeholder_errors(getattr(self, name) or "")) is not None
        }
        for name in ("title", "body"):  # the admin's form asks this too, on the field
            try:
                text_printable(getattr(self, name) or "", field=name)
            except InvalidInput as refusal:
                errors.setdefault(name, refusal.fields_in()[name])
        if errors:
            raise ValidationError(errors)
