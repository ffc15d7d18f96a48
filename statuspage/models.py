"""The public status page: the provider's components, incidents with their updates, and
scheduled maintenance (seed 000: "Estado del Servicio", where customers follow a problem's
resolution).

Staff write it through `statuspage.services`; the page, the JSON, the Atom feed, the portal's
banner and the API read it through `statuspage.selectors`. A component may name the service
types (`contracts.Service`) it carries: an incident on it touches the customers whose
contract covers one of them (`contracts.selectors.services_covered`); a component naming none
carries every service, so it touches every customer.

An incident's impact may change with each update: every `IncidentUpdate` records the state
and impact from its moment on, so the 90-day history colours each day by the worst impact
that was in force that day, not by the incident's last word.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracts.models import Service
from core.languages import in_language
from tickets.models import Message, Ticket

TITLE_LIMIT = 200
BODY_LIMIT = 5_000
DESCRIPTION_LIMIT = 1_000


class Impact(models.TextChoices):
    """How badly an incident hurts a component, mildest first."""

    DEGRADED = "degraded", _("Rendimiento degradado")
    PARTIAL = "partial_outage", _("Interrupción parcial")
    MAJOR = "major_outage", _("Interrupción total")


# Worse impacts rank higher; the page and the history show the worst one in force.
IMPACT_RANK = {Impact.DEGRADED: 1, Impact.PARTIAL: 2, Impact.MAJOR: 3}
# Time under these impacts counts as unavailable in the uptime figure.
DOWN_IMPACTS = frozenset({Impact.PARTIAL, Impact.MAJOR})


class ComponentStatus(models.TextChoices):
    """What a component is doing now: the worst open incident's impact, else maintenance
    under way, else operational."""

    OPERATIONAL = "operational", _("Operativo")
    MAINTENANCE = "maintenance", _("En mantenimiento")
    DEGRADED = Impact.DEGRADED.value, Impact.DEGRADED.label
    PARTIAL = Impact.PARTIAL.value, Impact.PARTIAL.label
    MAJOR = Impact.MAJOR.value, Impact.MAJOR.label


class State(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigando")
    IDENTIFIED = "identified", _("Identificado")
    MONITORING = "monitoring", _("En observación")
    RESOLVED = "resolved", _("Resuelto")


class Component(models.Model):
    code = models.SlugField(_("código"), max_length=60, unique=True)
    name = models.CharField(_("nombre"), max_length=120)
    name_en = models.CharField(_("nombre en inglés"), max_length=120, blank=True)
    description = models.CharField(_("descripción"), max_length=DESCRIPTION_LIMIT, blank=True)
    description_en = models.CharField(
        _("descripción en inglés"), max_length=DESCRIPTION_LIMIT, blank=True
    )
    services = models.ManyToManyField(
        Service,
        verbose_name=_("tipos de servicio"),
        blank=True,
        related_name="status_components",
        help_text=_(
            "Los clientes cuyo contrato cubre alguno de estos tipos ven sus incidentes en el "
            "portal. Vacío: el componente afecta a todos los clientes."
        ),
    )
    position = models.PositiveSmallIntegerField(_("orden"), default=0)
    is_active = models.BooleanField(
        _("visible"), default=True, help_text=_("Los componentes ocultos no salen en la página.")
    )

    class Meta:
        verbose_name = _("componente")
        verbose_name_plural = _("componentes")
        ordering = ["position", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str | None = None) -> str:
        return in_language(self.name, self.name_en, language)

    @property
    def local_name(self) -> str:
        """In the active language (templates)."""
        return self.name_in()

    def description_in(self, language: str | None = None) -> str:
        return in_language(self.description, self.description_en, language)

    @property
    def local_description(self) -> str:
        return self.description_in()


class IncidentQuerySet(models.QuerySet["Incident"]):
    def open(self) -> "IncidentQuerySet":
        return self.exclude(state=State.RESOLVED)


class Incident(models.Model):
    title = models.CharField(_("título"), max_length=TITLE_LIMIT)
    title_en = models.CharField(_("título en inglés"), max_length=TITLE_LIMIT, blank=True)
    impact = models.CharField(_("impacto"), max_length=16, choices=Impact.choices)
    state = models.CharField(
        _("estado"), max_length=16, choices=State.choices, default=State.INVESTIGATING
    )
    components = models.ManyToManyField(
        Component, verbose_name=_("componentes afectados"), related_name="incidents"
    )
    started_at = models.DateTimeField(_("inicio"))
    resolved_at = models.DateTimeField(_("resuelto el"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publicado por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    tickets = models.ManyToManyField(
        Ticket,
        through="IncidentTicket",
        verbose_name=_("solicitudes vinculadas"),
        related_name="incidents",
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incidente")
        verbose_name_plural = _("incidentes")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["state", "started_at"], name="statuspage_incident_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("started_at")),
                name="statuspage_incident_resolved_after_start",
            ),
            models.CheckConstraint(
                condition=Q(state=State.RESOLVED, resolved_at__isnull=False)
                | (~Q(state=State.RESOLVED) & Q(resolved_at__isnull=True)),
                name="statuspage_incident_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state != State.RESOLVED

    def title_in(self, language: str | None = None) -> str:
        return in_language(self.title, self.title_en, language)

    @property
    def local_title(self) -> str:
        """In the active language (templates)."""
        return self.title_in()


class IncidentUpdate(models.Model):
    """What staff said at one moment, and the state and impact from then on."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="updates", verbose_name=_("incidente")
    )
    state = models.CharField(_("estado"), max_length=16, choices=State.choices)
    impact = models.CharField(_("impacto"), max_length=16, choices=Impact.choices)
    body = models.TextField(_("mensaje"), max_length=BODY_LIMIT)
    body_en = models.TextField(_("mensaje en inglés"), max_length=BODY_LIMIT, blank=True)
    at = models.DateTimeField(_("publicado el"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publicado por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("actualización de incidente")
        verbose_name_plural = _("actualizaciones de incidente")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident} · {self.get_state_display()}"

    def body_in(self, language: str | None = None) -> str:
        return in_language(self.body, self.body_en, language)

    @property
    def local_body(self) -> str:
        """In the active language (templates)."""
        return self.body_in()


class IncidentTicket(models.Model):
    """An agent's link between a customer's request and the incident behind it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="ticket_links")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="incident_links")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vinculada por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("vinculada el"))

    class Meta:
        verbose_name = _("solicitud vinculada")
        verbose_name_plural = _("solicitudes vinculadas")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "ticket"], name="statuspage_one_link_per_ticket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident} · {self.ticket}"


class IncidentUpdateMessage(models.Model):
    """An update sent to one linked ticket as an agent's message: at most once per update
    and ticket, whoever sends it and however often."""

    update = models.ForeignKey(
        IncidentUpdate, on_delete=models.CASCADE, related_name="ticket_messages"
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("enviada el"))

    class Meta:
        verbose_name = _("aviso en una solicitud")
        verbose_name_plural = _("avisos en solicitudes")
        constraints = [
            models.UniqueConstraint(
                fields=["update", "ticket"], name="statuspage_update_sent_once_per_ticket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.update} -> {self.ticket_id}"


class MaintenanceQuerySet(models.QuerySet["Maintenance"]):
    def planned(self) -> "MaintenanceQuerySet":
        return self.filter(cancelled_at__isnull=True)


class Maintenance(models.Model):
    title = models.CharField(_("título"), max_length=TITLE_LIMIT)
    title_en = models.CharField(_("título en inglés"), max_length=TITLE_LIMIT, blank=True)
    description = models.TextField(_("descripción"), max_length=BODY_LIMIT, blank=True)
    description_en = models.TextField(_("descripción en inglés"), max_length=BODY_LIMIT, blank=True)
    components = models.ManyToManyField(
        Component, verbose_name=_("componentes afectados"), related_name="maintenances"
    )
    starts_at = models.DateTimeField(_("inicio"))
    ends_at = models.DateTimeField(_("fin"))
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("programado por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    scheduled_at = models.DateTimeField(_("programado el"))
    cancelled_at = models.DateTimeField(_("cancelado el"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelado por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MaintenanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("mantenimiento programado")
        verbose_name_plural = _("mantenimientos programados")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="statuspage_maintenance_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def title_in(self, language: str | None = None) -> str:
        return in_language(self.title, self.title_en, language)

    @property
    def local_title(self) -> str:
        """In the active language (templates)."""
        return self.title_in()

    def description_in(self, language: str | None = None) -> str:
        return in_language(self.description, self.description_en, language)

    @property
    def local_description(self) -> str:
        return self.description_in()
