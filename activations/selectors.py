"""Reads of activations: their state now, the staff list by due time, the on-time rate."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.fields import CharField
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from activations.models import Activation
from sla.models import ActivationLeadTime

Status = Activation.Status


class State:
    """What a reader sees of an activation now (like an SLA clock's state)."""

    WAITING = "waiting"
    RUNNING = "running"
    WARNING = "warning"
    LATE = "late"
    ACTIVE = "active"
    ACTIVE_LATE = "active_late"
    CANCELLED = "cancelled"


STATE_LABELS = {
    State.WAITING: _("Esperando requisitos"),
    State.RUNNING: _("En curso"),
    State.WARNING: _("Por vencer"),
    State.LATE: _("Vencida"),
    State.ACTIVE: _("Activada a tiempo"),
    State.ACTIVE_LATE: _("Activada con retraso"),
    State.CANCELLED: _("Cancelada"),
}
# The SLA countdown's states (core.formatting.sla_countdown) for the clock of each state.
COUNTDOWN_STATES = {State.RUNNING: "running", State.WARNING: "warning", State.LATE: "breached"}


def lead_time_text(
    *, minutes_max: int | None, business_days_min: int | None, business_days_max: int | None
) -> str:
    """ "2 minutos tras el pago", "3 días hábiles", "15 a 40 días hábiles" in the active
    language."""
    if minutes_max is not None:
        return ngettext("%(n)s minuto tras el pago", "%(n)s minutos tras el pago", minutes_max) % {
            "n": minutes_max
        }
    high = business_days_max or 0
    low = business_days_min
    if low is not None and low != high:
        return _("%(low)s a %(high)s días hábiles") % {"low": low, "high": high}
    return ngettext("%(n)s día hábil", "%(n)s días hábiles", high) % {"n": high}


def state_rules(now: datetime) -> tuple[tuple[str, Q], ...]:
    """The one ordered rule table: the first that matches is the state."""
    return (
        (State.CANCELLED, Q(status=Status.CANCELLED)),
        (State.ACTIVE_LATE, Q(status=Status.ACTIVE, activated_at__gt=F("due_at"))),
        (State.ACTIVE, Q(status=Status.ACTIVE)),
        (State.WAITING, Q(status=Status.WAITING)),
        (State.LATE, Q(due_at__lte=now)),
        (State.WARNING, Q(warn_at__lte=now)),
        (State.RUNNING, Q()),
    )


def state_expression(now: datetime) -> Case:
    """`state_rules` as an SQL expression, for annotations."""
    *rules, (fallback, _always) = state_rules(now)
    return Case(
        *[When(rule, then=Value(name)) for name, rule in rules],
        default=Value(fallback),
        output_field=CharField(),
    )


def state_of(activation: Activation, now: datetime) -> str:
    """`state_rules` for one activation, in one query (a list's rows carry `state` already,
    annotated by `activations_list`)."""
    return (
        Activation.objects.filter(pk=activation.pk)
        .annotate(state=state_expression(now))
        .values_list("state", flat=True)
        .get()
    )


def activations_list(*, activations: QuerySet[Activation], now: datetime, open_only: bool = False):
    """Activations with `state` annotated, soonest due first (waiting ones, without a due
    time yet, after the running ones; then oldest first). Steps prefetched."""
    if open_only:
        activations = activations.filter(status__in=[Status.WAITING, Status.RUNNING])
    return (
        activations.select_related("customer", "invoice", "ticket")
        .prefetch_related("steps")
        .annotate(state=state_expression(now))
        .order_by(F("due_at").asc(nulls_last=True), "created_at", "pk")
    )


def products_list() -> QuerySet[ActivationLeadTime]:
    return ActivationLeadTime.objects.select_related("calendar").order_by("product", "pk")


@dataclass(frozen=True)
class OnTime:
    activated: int
    on_time: int

    @property
    def share(self) -> Decimal | None:
        """On time of those activated, 0-1 (like the SLA report's shares); None without any."""
        if not self.activated:
            return None
        return (Decimal(self.on_time) / self.activated).quantize(Decimal("0.0001"))


def activations_on_time(*, customer_id: int, start: datetime, end: datetime) -> OnTime:
    """Activations of the customer that became active in [start, end), and how many not after
    their due time. One aggregate query."""
    row = Activation.objects.filter(
        customer_id=customer_id, status=Status.ACTIVE, activated_at__gte=start, activated_at__lt=end
    ).aggregate(
        activated=Count("pk"),
        on_time=Count("pk", filter=Q(activated_at__lte=F("due_at"))),
    )
    return OnTime(activated=row["activated"], on_time=row["on_time"])
