"""Activation tracking (seed 004): a purchased product on its way to being active.

The catalogue is `sla.ActivationLeadTime` (product, instant minutes or business days on a
calendar, the prerequisite): editable by staff (`activations.services.product_save`, the
workspace page and the admin). A purchase is an invoice for a catalogue product
(`activations.services.activation_purchase`); it creates an `Activation` whose prerequisites
are a checklist (`ActivationStep`): "pago acreditado" first, then the product's own (domain
delegated, texts confirmed in the ticket...). The clock starts once every step is met: an
instant product is due `minutes_max` after the payment was credited, a manual one at the
close of the `business_days_max`-th business day of its calendar after the last step.

The lead time is copied onto the activation when it is bought, so editing the catalogue
never moves a commitment already made. Rows here are written only by
`activations.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice
from contracts.models import Customer
from sla.models import ActivationLeadTime, CalendarVersion
from tickets.models import Ticket

LABEL_LIMIT = 240
NOTE_LIMIT = 500
CANCEL_REASON_LIMIT = 500


class Activation(models.Model):
    class Kind(models.TextChoices):
        INSTANT = "instant", _("Instantánea")
        BUSINESS_DAYS = "business_days", _("En días hábiles")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Esperando requisitos")
        RUNNING = "running", _("En curso")
        ACTIVE = "active", _("Activado")
        CANCELLED = "cancelled", _("Cancelado")

    class CancelCause(models.TextChoices):
        STAFF = "staff", _("por el personal de soporte")
        INVOICE_VOID = "invoice_void", _("factura anulada")
        INVOICE_CREDITED = "invoice_credited", _("factura acreditada por completo")

    customer = models.ForeignKey(
        Customer, verbose_name=_("cliente"), on_delete=models.PROTECT, related_name="activations"
    )
    product = models.ForeignKey(
        ActivationLeadTime,
        verbose_name=_("producto"),
        on_delete=models.PROTECT,
        related_name="activations",
    )
    product_name = models.CharField(_("nombre del producto"), max_length=120)
    kind = models.CharField(_("tipo de activación"), max_length=16, choices=Kind.choices)
    minutes_max = models.PositiveIntegerField(_("minutos como máximo"), null=True, blank=True)
    business_days = models.PositiveSmallIntegerField(_("días hábiles"), null=True, blank=True)
    calendar_version = models.ForeignKey(
        CalendarVersion,
        verbose_name=_("calendario"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("factura"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("solicitud"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("estado"), max_length=16, choices=Status.choices, default=Status.WAITING
    )
    started_at = models.DateTimeField(_("reloj iniciado"), null=True, blank=True)
    warn_at = models.DateTimeField(_("aviso a partir de"), null=True, blank=True)
    due_at = models.DateTimeField(_("vence"), null=True, blank=True)
    warned_at = models.DateTimeField(_("avisado"), null=True, blank=True)
    late_at = models.DateTimeField(_("vencido"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activado"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelada"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelada por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_cause = models.CharField(
        _("causa de la cancelación"), max_length=16, choices=CancelCause.choices, blank=True
    )
    # Staff's own words: read by staff, never by the customer (as a step's note).
    cancel_reason = models.CharField(
        _("motivo de la cancelación"), max_length=CANCEL_REASON_LIMIT, blank=True
    )
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creado por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The purchase form's one-time key: a second submit of the form (a double click, a
    # browser retrying) gets the purchase the first registered, with no second invoice.
    submission_key = models.UUIDField(
        null=True, blank=True, editable=False, verbose_name=_("clave del formulario enviado")
    )

    class Meta:
        verbose_name = _("activación")
        verbose_name_plural = _("activaciones")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="activations_status_due")]
        constraints = [
            # Partial, so SQLite adds it as an index instead of rebuilding the table.
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=Q(submission_key__isnull=False),
                name="activations_one_per_submission",
            ),
            models.CheckConstraint(
                condition=Q(kind="instant", minutes_max__isnull=False)
                | Q(kind="business_days", business_days__isnull=False),
                name="activations_lead_time_of_kind",
            ),
            models.CheckConstraint(
                condition=Q(started_at__isnull=True, due_at__isnull=True)
                | Q(
                    started_at__isnull=False,
                    due_at__isnull=False,
                    due_at__gte=models.F("started_at"),
                ),
                name="activations_due_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(activated_at__isnull=False),
                name="activations_active_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False) & ~Q(cancel_cause="")
                | ~Q(status="cancelled") & Q(cancelled_at__isnull=True, cancel_cause=""),
                name="activations_cancelled_has_time_and_cause",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} ({self.customer})"

    @property
    def on_time(self) -> bool | None:
        if self.activated_at is None or self.due_at is None:
            return None
        return self.activated_at <= self.due_at


class ActivationStep(models.Model):
    """One prerequisite of an activation; met once (who and when), never unmet."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Pago acreditado")
        OTHER = "other", _("Otro requisito")

    activation = models.ForeignKey(Activation, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("posición"))
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    label = models.CharField(_("requisito"), max_length=LABEL_LIMIT)
    met_at = models.DateTimeField(_("cumplido"), null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marcado por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("nota"), max_length=NOTE_LIMIT, blank=True)

    class Meta:
        verbose_name = _("requisito de activación")
        verbose_name_plural = _("requisitos de activación")
        ordering = ["activation_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["activation", "position"], name="activations_step_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def shown_label(self) -> str:
        """The step as the reader reads it: the payment step is Creditdesk's own, worded in
        the reader's language; the others are written by staff, shown as written."""
        return str(self.Kind.PAYMENT.label) if self.kind == self.Kind.PAYMENT else self.label
