"""Endpoints integrators register, and every delivery of an event to one of them.

A delivery keeps the body it sends (frozen when the event happened) and the event id, so a
retry or a redelivery sends the same bytes under the same id; each try is an attempt row
(status code, duration, the answer's first bytes), the delivery log.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.events import EVENT_TYPES

URL_MAX_LENGTH = 500
RESPONSE_EXCERPT_LENGTH = 500


class WebhookEndpoint(models.Model):
    customer = models.ForeignKey(
        "contracts.Customer",
        verbose_name=_("cliente"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        help_text=_("Vacío: eventos de todos los clientes (solo administradores)."),
    )
    url = models.URLField(_("URL"), max_length=URL_MAX_LENGTH)
    events = models.JSONField(_("eventos"), default=list)
    secret = models.CharField(_("secreto"), max_length=60)
    is_active = models.BooleanField(_("activo"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    consecutive_failures = models.PositiveIntegerField(_("fallos seguidos"), default=0)
    disabled_at = models.DateTimeField(_("desactivado automáticamente"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        DELIVERED = "delivered", _("Entregado")
        FAILED = "failed", _("Fallido")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(_("id del evento"), max_length=40)
    event_type = models.CharField(
        _("tipo"), max_length=40, choices=[(name, name) for name in EVENT_TYPES]
    )
    body = models.TextField(_("cuerpo"))
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("intentos"), default=0)
    next_attempt_at = models.DateTimeField(_("próximo intento"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("entregado"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("entrega de webhook")
        verbose_name_plural = _("entregas de webhooks")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhooks_one_delivery_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"

    @property
    def last_attempt(self) -> "WebhookAttempt | None":
        """The latest try (from the prefetched log when there is one)."""
        log = list(self.log.all())
        return max(log, key=lambda attempt: attempt.number) if log else None


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField(_("intento"))
    at = models.DateTimeField(_("cuándo"))
    status_code = models.PositiveIntegerField(_("código HTTP"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duración (ms)"))
    response_excerpt = models.TextField(_("respuesta"), blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhooks_attempt_once")
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
