"""Every read of the status page: what each component is doing now, its 90 days of history
and uptime, the incidents that touch a customer, and the feed's entries.

History and uptime are computed from each incident's updates: an update's impact is in force
from its moment (the first one from the incident's start) until the next update, and none
after the resolving one. A day is coloured by the worst impact in force at any moment of it,
in the reader's time zone; days with maintenance under way and no incident are marked as such.
Uptime is the share of the window (the 90 days up to now) not under a partial or major outage
(`models.DOWN_IMPACTS`); degraded performance counts as available.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.functional import cached_property

from contracts.models import Customer, Service
from contracts.selectors import contract_get_live, services_covered
from statuspage.models import (
    DOWN_IMPACTS,
    IMPACT_RANK,
    Component,
    ComponentStatus,
    Incident,
    IncidentUpdate,
    IncidentUpdateMessage,
    Maintenance,
    State,
)

HISTORY_DAYS = 90
# Maintenance is listed on the page from this long before it starts.
MAINTENANCE_NOTICE = timedelta(days=14)
# The portal's banner warns of maintenance starting this soon.
MAINTENANCE_BANNER = timedelta(hours=48)


@dataclass(frozen=True)
class Segment:
    start: datetime
    end: datetime
    impact: str


def incident_segments(incident: Incident, *, now: datetime) -> list[Segment]:
    """The impacts in force during the incident, from its (prefetched) updates."""
    updates = sorted(incident.updates.all(), key=lambda update: (update.at, update.pk))
    end = incident.resolved_at or now
    segments = []
    for index, update in enumerate(updates):
        if update.state == State.RESOLVED:
            break
        start = incident.started_at if index == 0 else max(update.at, incident.started_at)
        stop = updates[index + 1].at if index + 1 < len(updates) else end
        stop = min(stop, end)
        if stop > start:
            segments.append(Segment(start, stop, update.impact))
    return segments


def _worst(impacts) -> str | None:
    ranked = [impact for impact in impacts if impact]
    return max(ranked, key=lambda impact: IMPACT_RANK[impact]) if ranked else None


@dataclass
class HistoryDay:
    day: date
    impact: str | None = None
    maintenance: bool = False
    incidents: list[Incident] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """operational, maintenance or an impact: the colour of the day's bar."""
        if self.impact:
            return self.impact
        return ComponentStatus.MAINTENANCE if self.maintenance else ComponentStatus.OPERATIONAL

    @property
    def label(self) -> str:
        return str(ComponentStatus(self.kind).label)


@dataclass
class ComponentRow:
    component: Component
    status: str
    incidents: list[Incident]
    maintenance: list[Maintenance]
    days: list[HistoryDay]
    uptime: Decimal  # percent, two places, rounded down (99.999 % is not 100 %)

    @property
    def status_label(self) -> str:
        return str(ComponentStatus(self.status).label)

    @cached_property
    def days_with_incidents(self) -> int:
        return sum(1 for day in self.days if day.impact)


@dataclass
class StatusSummary:
    now: datetime
    zone: ZoneInfo
    status: str
    components: list[ComponentRow]
    open_incidents: list[Incident]
    maintenance_now: list[Maintenance]
    maintenance_upcoming: list[Maintenance]
    recent_incidents: list[Incident]
    first_day: date
    last_day: date

    @property
    def status_label(self) -> str:
        return str(ComponentStatus(self.status).label)


def _updates_prefetch() -> Prefetch:
    return Prefetch("updates", queryset=IncidentUpdate.objects.order_by("at", "pk"))


def _status_of(incidents: list[Incident], maintenance: list[Maintenance]) -> str:
    worst = _worst(incident.impact for incident in incidents)
    if worst:
        return worst
    return ComponentStatus.MAINTENANCE if maintenance else ComponentStatus.OPERATIONAL


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _days_touched(start: datetime, end: datetime, zone: ZoneInfo, first: date, last: date):
    day = max(start.astimezone(zone).date(), first)
    # A segment ending exactly at midnight does not touch the next day.
    final = min((end - timedelta(microseconds=1)).astimezone(zone).date(), last)
    while day <= final:
        yield day
        day += timedelta(days=1)


def _merged_length(intervals: list[tuple[datetime, datetime]]) -> timedelta:
    total, current_start, current_end = timedelta(0), None, None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total


def status_summary(*, now: datetime, zone: ZoneInfo, days: int = HISTORY_DAYS) -> StatusSummary:
    """Everything the public page shows, in a fixed number of queries."""
    last = now.astimezone(zone).date()
    first = last - timedelta(days=days - 1)
    window_start = _day_start(first, zone)
    components = list(Component.objects.filter(is_active=True))
    incidents = list(
        Incident.objects.filter(started_at__lt=now)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=window_start))
        .prefetch_related("components", _updates_prefetch())
        .order_by("-started_at", "-pk")
    )
    maintenances = list(
        Maintenance.objects.planned()
        .filter(starts_at__lt=now + MAINTENANCE_NOTICE, ends_at__gt=window_start)
        .prefetch_related("components")
    )
    rows: dict[int, ComponentRow] = {
        component.pk: ComponentRow(
            component=component,
            status=ComponentStatus.OPERATIONAL,
            incidents=[],
            maintenance=[],
            days=[HistoryDay(first + timedelta(days=n)) for n in range(days)],
            uptime=Decimal("100.00"),
        )
        for component in components
    }
    down: dict[int, list[tuple[datetime, datetime]]] = {pk: [] for pk in rows}
    for incident in incidents:
        touched = [rows[c.pk] for c in incident.components.all() if c.pk in rows]
        for row in touched:
            if incident.is_open:
                row.incidents.append(incident)
        for segment in incident_segments(incident, now=now):
            for row in touched:
                for day in _days_touched(segment.start, segment.end, zone, first, last):
                    entry = row.days[(day - first).days]
                    entry.impact = _worst([entry.impact, segment.impact])
                    if incident not in entry.incidents:
                        entry.incidents.append(incident)
                if segment.impact in DOWN_IMPACTS:
                    down[row.component.pk].append(
                        (max(segment.start, window_start), min(segment.end, now))
                    )
    for maintenance in maintenances:
        touched = [rows[c.pk] for c in maintenance.components.all() if c.pk in rows]
        under_way = maintenance.starts_at <= now < maintenance.ends_at
        for row in touched:
            if under_way:
                row.maintenance.append(maintenance)
            if maintenance.starts_at <= now:
                ended = min(maintenance.ends_at, now)
                for day in _days_touched(maintenance.starts_at, ended, zone, first, last):
                    row.days[(day - first).days].maintenance = True
    window = now - window_start
    for pk, row in rows.items():
        row.status = _status_of(row.incidents, row.maintenance)
        lost = _merged_length([(s, e) for s, e in down[pk] if e > s])
        share = (
            Decimal(100)
            * Decimal((window - lost).total_seconds())
            / Decimal(window.total_seconds())
        )
        row.uptime = share.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    ordered = [rows[component.pk] for component in components]
    open_incidents = [incident for incident in incidents if incident.is_open]
    statuses = [row.status for row in ordered]
    overall = _worst(s for s in statuses if s in IMPACT_RANK) or (
        ComponentStatus.MAINTENANCE
        if ComponentStatus.MAINTENANCE in statuses
        else ComponentStatus.OPERATIONAL
    )
    if open_incidents and overall == ComponentStatus.OPERATIONAL:
        # an incident on hidden components still says something is wrong
        overall = _worst(incident.impact for incident in open_incidents)
    return StatusSummary(
        now=now,
        zone=zone,
        status=overall,
        components=ordered,
        open_incidents=open_incidents,
        maintenance_now=[m for m in maintenances if m.starts_at <= now < m.ends_at],
        maintenance_upcoming=[m for m in maintenances if m.starts_at > now],
        recent_incidents=[incident for incident in incidents if not incident.is_open],
        first_day=first,
        last_day=last,
    )


def incident_get(pk: int) -> Incident | None:
    """One incident with its components and updates (the public incident page, the API)."""
    return (
        Incident.objects.prefetch_related("components", _updates_prefetch()).filter(pk=pk).first()
    )


def incident_list(*, tickets: QuerySet | None = None) -> QuerySet[Incident]:
    """Every incident, open ones first, then the most recently resolved; with components,
    updates and how many tickets are linked (of `tickets`, the ones the reader sees; None:
    all), so an account manager never counts another customer's requests."""
    within = None if tickets is None else Q(ticket_links__ticket__in=tickets.values("pk"))
    return (
        Incident.objects.annotate(
            linked_tickets=Count("ticket_links", filter=within, distinct=True)
        )
        .prefetch_related("components", _updates_prefetch())
        .order_by(F("resolved_at").desc(nulls_first=True), "-started_at", "-pk")
    )


def update_sent_counts(incident: Incident, *, tickets: QuerySet | None = None) -> dict[int, int]:
    """How many tickets each of the incident's updates was sent to, by update id: of
    `tickets`, the ones the reader sees (None: all)."""
    sent = IncidentUpdateMessage.objects.filter(update__incident=incident)
    if tickets is not None:
        sent = sent.filter(ticket__in=tickets.values("pk"))
    return dict(sent.values_list("update").annotate(count=Count("pk")).order_by())


def incident_latest_update(incident: Incident) -> IncidentUpdate | None:
    """The update that set the incident's state: the last by its moment, then by id (a new
    update never precedes it: `services.incident_update_post`). Only it is sent to the
    linked tickets (`services.incident_update_send`), and only it offers the send."""
    return IncidentUpdate.objects.filter(incident_id=incident.pk).order_by("-at", "-pk").first()


def incidents_open_for_linking() -> QuerySet[Incident]:
    """The incidents an agent may link a ticket to: the open ones, newest first."""
    return Incident.objects.open().order_by("-started_at", "-pk")


def maintenance_list(*, now: datetime) -> QuerySet[Maintenance]:
    """Maintenance not yet over, soonest first (cancelled ones too, marked)."""
    return (
        Maintenance.objects.filter(ends_at__gt=now)
        .prefetch_related("components")
        .order_by("starts_at", "pk")
    )


def components_of_customer(customer: Customer) -> QuerySet[Component]:
    """The visible components that carry a service the customer's live contract covers,
    and those that carry every service (they name none)."""
    contract = contract_get_live(customer=customer)
    covered = services_covered(contract) if contract else Service.objects.none()
    return (
        Component.objects.filter(is_active=True)
        .filter(Q(services__isnull=True) | Q(services__in=covered))
        .distinct()
    )


@dataclass
class CustomerNotices:
    incidents: list[Incident]
    maintenance: list[Maintenance]

    def __bool__(self) -> bool:
        return bool(self.incidents or self.maintenance)


def status_notices_for(*, customer: Customer, now: datetime) -> CustomerNotices:
    """The open incidents that touch the customer's services, and maintenance of them under
    way or starting within `MAINTENANCE_BANNER`: the portal's banner. Each incident's
    `touched` lists the customer's components it affects; `latest` is its last update."""
    component_ids = list(components_of_customer(customer).values_list("pk", flat=True))
    if not component_ids:
        return CustomerNotices([], [])
    touched = Prefetch(
        "components", queryset=Component.objects.filter(pk__in=component_ids), to_attr="touched"
    )
    incidents = list(
        Incident.objects.open()
        .filter(components__in=component_ids)
        .distinct()
        .prefetch_related(touched, _updates_prefetch())
        .order_by("-started_at", "-pk")
    )
    for incident in incidents:
        updates = list(incident.updates.all())
        incident.latest = updates[-1] if updates else None
    maintenance = list(
        Maintenance.objects.planned()
        .filter(
            components__in=component_ids,
            starts_at__lt=now + MAINTENANCE_BANNER,
            ends_at__gt=now,
        )
        .distinct()
        .prefetch_related(touched)
        .order_by("starts_at", "pk")
    )
    return CustomerNotices(incidents, maintenance)


def feed_updates(*, limit: int = 50) -> QuerySet[IncidentUpdate]:
    """The newest incident updates, for the Atom feed."""
    return IncidentUpdate.objects.select_related("incident").order_by("-at", "-pk")[:limit]


def ticket_incidents(ticket) -> QuerySet[Incident]:
    """The incidents a ticket is linked to."""
    return Incident.objects.filter(ticket_links__ticket=ticket).order_by("-started_at", "-pk")
