"""Vocabulary shared by SLA policies, the service catalogue and tickets."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Impact(models.TextChoices):
    HIGH = "high", _("Alto")
    MEDIUM = "medium", _("Medio")
    LOW = "low", _("Bajo")


class Urgency(models.TextChoices):
    HIGH = "high", _("Alta")
    MEDIUM = "medium", _("Media")
    LOW = "low", _("Baja")


class Priority(models.TextChoices):
    P1 = "p1", _("P1 Crítica")
    P2 = "p2", _("P2 Alta")
    P3 = "p3", _("P3 Media")
    P4 = "p4", _("P4 Baja")
    PLANNED = "planned", _("Acordada / planificada")
