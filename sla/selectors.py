"""Reads of the SLA app: calendar values, current versions, clock status and explanation,
and the compliance figures reports and the API show.

Compliance is computed by the database. Medians and 90th percentiles are the continuous
percentile (linear interpolation between the two nearest ranks, PostgreSQL's
`percentile_cont`). PostgreSQL computes them with `percentile_cont ... WITHIN GROUP`.
Elsewhere (SQLite) the database sorts each group and returns only the one or two rows
around the rank (`ORDER BY elapsed LIMIT 2 OFFSET k`), and the interpolation between those
two values happens here: a constant number of small queries, never a loop over clocks.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from threading import Lock
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Window as SqlWindow  # sla.calendars has a Window of its own
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils import translation

from core.formatting import format_duration, format_moment, zone_line
from core.languages import SPANISH, language_code
from core.reads import all_rows, attach_related
from sla.calendars import ALWAYS_OPEN, Calendar, Closure, Opening, Window
from sla.calendars import business_time_between as _between
from sla.calendars import explain_due as _explain_due
from sla.choices import Priority
from sla.models import (
    BusinessCalendar,
    CalendarDate,
    CalendarVersion,
    PriorityMatrixCell,
    SlaClock,
    SlaClockEvent,
    SlaClockPause,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTarget,
)
from sla.transitions import RUNNING, phase

# --- calendars and versions -------------------------------------------------------------------

# Versions never change once written, so what is read of them is kept per process
# (`_kept`); the creation time is part of each key so a reused primary key (SQLite after a
# rollback) never matches.
_KEPT_MAX = 1024
_kept_lock = Lock()


def _kept(cache: dict[Any, Any], key: Hashable, read: Callable[[], Any]) -> Any:
    """`cache[key]`, read (outside the lock) the first time; a cache that outgrows
    `_KEPT_MAX` entries starts again."""
    with _kept_lock:
        cached = cache.get(key)
    if cached is not None:
        return cached
    value = read()
    with _kept_lock:
        if len(cache) >= _KEPT_MAX:
            cache.clear()
        cache[key] = value
    return value


_calendar_values: dict[tuple[int, datetime], Calendar] = {}


def calendar_value(version: CalendarVersion | None) -> Calendar:
    """The pure `Calendar` of a version; `None` (a target measured 24x7) is always open."""
    if version is None:
        return ALWAYS_OPEN
    return _kept(_calendar_values, (version.pk, version.created_at), lambda: _calendar(version))


def _calendar(version: CalendarVersion) -> Calendar:
    dates = list(version.dates.all())
    return Calendar(
        time_zone=version.time_zone,
        windows=tuple(
            Window(row.weekday, row.starts_at, row.ends_at) for row in version.intervals.all()
        ),
        holiday_country=version.holiday_country,
        holiday_subdivision=version.holiday_subdivision,
        closures=tuple(
            Closure(row.on, row.name) for row in dates if row.kind == CalendarDate.Kind.CLOSED
        ),
        openings=tuple(
            Opening(row.on, row.starts_at, row.ends_at, row.name)
            for row in dates
            if row.kind == CalendarDate.Kind.OPEN
        ),
        always_open=version.always_open,
        name=str(version),
    )


def calendar_current_version(calendar: BusinessCalendar) -> CalendarVersion:
    return calendar.versions.order_by("-number").first()


def calendars_with_versions() -> QuerySet[BusinessCalendar]:
    """Calendars with `versions_newest_first` (intervals and dates prefetched): the first is
    the one that counts now. A fixed number of queries, however many calendars."""
    versions = CalendarVersion.objects.order_by("-number").prefetch_related("intervals", "dates")
    return BusinessCalendar.objects.prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="versions_newest_first")
    )


def policies_with_versions() -> QuerySet[SlaPolicy]:
    """Policies with `versions_newest_first` (calendar, targets and matrix prefetched)."""
    versions = (
        SlaPolicyVersion.objects.order_by("-number")
        .select_related("calendar")
        .prefetch_related("targets", "matrix")
    )
    return SlaPolicy.objects.prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="versions_newest_first")
    )


def policy_current_version(policy: SlaPolicy | int) -> SlaPolicyVersion:
    """The version that counts now, of a policy or a policy's id (no read of the policy).
    The same query names its calendar's version counting now (`calendar_version_now`)."""
    policy_id = policy if isinstance(policy, int) else policy.pk
    calendar_now = CalendarVersion.objects.filter(calendar_id=OuterRef("calendar_id"))
    calendar_now = calendar_now.order_by("-number")
    return (
        SlaPolicyVersion.objects.filter(policy_id=policy_id)
        .select_related("calendar")
        .annotate(
            calendar_version_now_id=Subquery(calendar_now.values("pk")[:1]),
            calendar_version_now_at=Subquery(calendar_now.values("created_at")[:1]),
        )
        .order_by("-number")
        .first()
    )


def policy_version_now_columns(policy_id_sql: str, *, prefix: str) -> dict[str, RawSQL]:
    """Columns for another row's read (intake: the contract's) naming the version that counts
    now of the policy whose id `policy_id_sql` (SQL, no parameters) gives, and its
    calendar's version counting now, so that `policy_version_from_columns` needs no query
    of its own. Hand-written correlated subqueries: the ORM's nested `Subquery`s cost more
    to build and compile, on every intake, than the four lookups cost the database."""
    versions, calendars = SlaPolicyVersion._meta.db_table, CalendarVersion._meta.db_table
    # Table names from _meta and the caller's parameterless SQL: nothing from input.
    version_now = (
        f"SELECT v.{{column}} FROM {versions} v WHERE v.policy_id = ({policy_id_sql})"  # noqa: S608
        " ORDER BY v.number DESC LIMIT 1"
    )
    calendar_now = (
        f"SELECT c.{{column}} FROM {calendars} c WHERE c.calendar_id = "  # noqa: S608
        f"({version_now.format(column='calendar_id')}) ORDER BY c.number DESC LIMIT 1"
    )
    columns = {
        "id": (version_now, "id", IntegerField()),
        "at": (version_now, "created_at", DateTimeField()),
        "calendar_id": (calendar_now, "id", IntegerField()),
        "calendar_at": (calendar_now, "created_at", DateTimeField()),
    }
    return {
        f"{prefix}{name}": RawSQL(sql.format(column=column), (), output_field=field)  # noqa: S611
        for name, (sql, column, field) in columns.items()
    }


_policy_versions: dict[tuple, SlaPolicyVersion] = {}


def policy_version_from_columns(row: object, *, prefix: str) -> SlaPolicyVersion | None:
    """The version `policy_version_now_columns` named on `row` (None: the policy has none),
    as `policy_current_version` returns it; the rows are kept per process (versions never
    change once written; creation times in the key rule out a reused primary key)."""
    key = tuple(
        getattr(row, f"{prefix}{name}") for name in ("id", "at", "calendar_id", "calendar_at")
    )
    if key[0] is None:
        return None

    def read() -> SlaPolicyVersion:
        version = SlaPolicyVersion.objects.select_related("calendar").get(pk=key[0])
        version.calendar_version_now_id, version.calendar_version_now_at = key[2], key[3]
        return version

    return _kept(_policy_versions, key, read)


_calendar_versions: dict[tuple[int, datetime], CalendarVersion] = {}


def calendar_version_now(version: SlaPolicyVersion) -> CalendarVersion:
    """The version of `version`'s calendar that counts now. A version read by
    `policy_current_version` names it, and the row is kept per process (versions never
    change once written; the creation time in the key rules out a reused primary key), so
    intake reads no calendar row; any other version asks the database."""
    pk = getattr(version, "calendar_version_now_id", None)
    created_at = getattr(version, "calendar_version_now_at", None)
    if pk is None or created_at is None:
        return calendar_current_version(version.calendar)
    return _kept(_calendar_versions, (pk, created_at), lambda: CalendarVersion.objects.get(pk=pk))


@dataclass(frozen=True)
class PolicyRules:
    """What intake reads of a policy version: its matrix and its target per priority."""

    matrix: dict[tuple[str, str], str]
    targets: dict[str, SlaTarget]


_policy_rules: dict[tuple[int, datetime], PolicyRules] = {}


def policy_rules(version: SlaPolicyVersion) -> PolicyRules:
    """The version's matrix and targets, read once per process (intake asks for them on
    every request; they cannot change once published)."""

    def read() -> PolicyRules:
        return PolicyRules(
            matrix={
                (cell.impact, cell.urgency): cell.priority
                for cell in PriorityMatrixCell.objects.filter(policy_version=version)
            },
            targets={target.priority: target for target in version.targets.all()},
        )

    return _kept(_policy_rules, (version.pk, version.created_at), read)


def clocks_behind(
    *, policy: SlaPolicy | None = None, calendar: BusinessCalendar | None = None
) -> int:
    """Open clocks still on an older version: of `policy` (its version, or the version of the
    calendar the current policy version measures on, as `clocks_reapply` compares them), or
    measured on an older version of `calendar`. Exactly one of the two is given."""
    open_clocks = SlaClock.objects.filter(stopped_at__isnull=True)
    if policy is not None:
        current = policy_current_version(policy)
        if current is None:
            return 0
        calendar_now = calendar_current_version(current.calendar)
        up_to_date = Q(policy_version=current) & (
            Q(calendar_version__isnull=True) | Q(calendar_version=calendar_now)
        )
        return open_clocks.filter(policy_version__policy=policy).exclude(up_to_date).count()
    if calendar is None:
        raise TypeError("clocks_behind() needs a policy or a calendar")
    current_calendar = calendar_current_version(calendar)
    return (
        open_clocks.filter(calendar_version__calendar=calendar)
        .exclude(calendar_version=current_calendar)
        .count()
    )


# --- clocks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockStatus:
    state: str
    elapsed: timedelta
    remaining: timedelta
    percent_used: Decimal
    due_at: datetime | None
    late_by: timedelta | None = None  # a breached clock's `clock_late_by` once it stops counting


def subject_clocks(subject: str) -> list[SlaClock]:
    """The subject's clocks, the response before the resolution, with their calendar version,
    events and pauses (`clock.events.all()` reads nothing more): three reads compiled once per
    connection (core.reads), for the pages and answers that show one ticket's clocks."""
    clocks = all_rows("subject_clocks", _subject_clocks, subject=subject)
    for name, model in (("events", SlaClockEvent), ("pauses", SlaClockPause)):
        rows = all_rows(("subject_clock_rows", name), _subject_clock_rows(model), subject=subject)
        attach_related(clocks, name, rows)
    return clocks


def _subject_clocks(*, subject: str) -> QuerySet[SlaClock]:
    return (
        SlaClock.objects.filter(subject=subject)
        .select_related("calendar_version")
        .order_by("-kind", "pk")
    )


def _subject_clock_rows(model: type[SlaClockEvent] | type[SlaClockPause]):
    def rows(*, subject: str) -> QuerySet:
        return model.objects.filter(clock__subject=subject).order_by("pk")

    return rows


def clock_elapsed(clock: SlaClock, now: datetime) -> timedelta:
    """Business time used so far: the stored figure plus the running stretch since then."""
    if phase(clock) != RUNNING:
        return clock.elapsed
    calendar = calendar_value(clock.calendar_version)
    return clock.elapsed + max(_between(clock.measured_at, now, calendar), timedelta(0))


def clock_late_by(*, elapsed: timedelta, target: timedelta, counting: bool) -> timedelta | None:
    """How late a breached clock is: the business time it ran past its target, known while
    it does not count (stopped, or paused waiting on the customer); None while it counts, as
    it is still getting later. The SLA report's lateness and a ticket's both, so the two never
    disagree; not the wall-clock time since the due time, which grows through nights,
    holidays and the customer's silence that a target never counts."""
    return None if counting else elapsed - target


def clock_status(clock: SlaClock, now: datetime) -> ClockStatus:
    elapsed = clock_elapsed(clock, now)
    state = clock.state
    if state == SlaClock.State.RUNNING and elapsed > clock.target:
        # The monitor has not marked it yet; show what it will mark.
        state = SlaClock.State.BREACHED
    if clock.target:
        percent = Decimal(elapsed / clock.target * 100).quantize(Decimal("0.1"))
    else:
        percent = Decimal(100) if elapsed or clock.stopped_at else Decimal(0)
    return ClockStatus(
        state=state,
        elapsed=elapsed,
        remaining=max(clock.target - elapsed, timedelta(0)),
        percent_used=percent,
        due_at=clock.due_at,
        late_by=(
            clock_late_by(elapsed=elapsed, target=clock.target, counting=phase(clock) == RUNNING)
            if state == SlaClock.State.BREACHED
            else None
        ),
    )


# Why a clock moved, as the services record it (tickets/clocks.py), in each language; any
# other note is a person's own words (a priority change's reason) and is shown as written.
EVENT_NOTES = {
    "first_public_reply": ("primera respuesta pública", "first public reply"),
    "waiting_on_customer": ("esperando al cliente", "waiting on the customer"),
    "customer_reply": ("respuesta del cliente", "the customer replied"),
    "reopened": ("reabierta", "reopened"),
    "resolved": ("resuelta", "resolved"),
    "closed": ("cerrada", "closed"),
    "abandoned": ("abandonada", "abandoned"),
    "target": ("nuevo objetivo", "new target"),
}


def clock_explain(clock: SlaClock, language: str = "es", zone: tzinfo | None = None) -> list[str]:
    """The clock's history and, while it runs, how its due time is reached, its times in
    `zone`: the reader's, the one the due time above it is shown in (a 24x7 calendar is kept
    in UTC, whoever it serves). The calendar's own zone by default; when it is another, a line
    says the working hours and holidays counted are the calendar's."""
    spanish = language_code(language) == SPANISH
    calendar = calendar_value(clock.calendar_version)
    zone = zone or calendar.zone
    lines = []
    # all() and sorting here, so a caller's prefetch of events and pauses serves it
    for event in sorted(clock.events.all(), key=lambda event: (event.at, event.pk)):
        with translation.override("es" if spanish else "en"):
            label = str(event.get_kind_display())
        if not lines:
            lines.append(zone_line(zone, language, at=event.at))
        stamp = format_moment(event.at.astimezone(zone), language)
        used = format_duration(event.elapsed)
        due = format_moment(event.due_at.astimezone(zone), language) if event.due_at else "-"
        if spanish:
            lines.append(f"{stamp} {label}: {used} hábiles usadas, vence {due}")
        else:
            lines.append(f"{stamp} {label}: {used} of working time used, due {due}")
        if event.note:
            spanish_note, english_note = EVENT_NOTES.get(event.note, (event.note, event.note))
            lines[-1] += f" ({spanish_note if spanish else english_note})"
    for pause in (pause for pause in clock.pauses.all() if pause.business_time is not None):
        if spanish:
            lines.append(f"Pausa: {format_duration(pause.business_time)} hábiles no cuentan")
        else:
            lines.append(
                f"Pause: {format_duration(pause.business_time)} of working time not counted"
            )
    if phase(clock) == RUNNING and clock.elapsed < clock.target:
        explanation = _explain_due(clock.measured_at, clock.target - clock.elapsed, calendar, zone)
        lines.extend(explanation.lines(language)[1:])  # its zone line is already the first
    return lines


# --- SLA state of a subject (a ticket) -----------------------------------------------------

SLA_STATES = ("running", "warning", "paused", "breached", "met", "none")


def clock_overdue(now: datetime) -> Q:
    """A running clock past its due time: breached, whether or not the monitor marked it."""
    return Q(state=SlaClock.State.RUNNING, due_at__lt=now)


def clock_warning_reached(now: datetime) -> Q:
    """A running clock past its warning time. A paused clock's due and warning times wait
    for it to resume, so it is never overdue or warned while paused."""
    return Q(state=SlaClock.State.RUNNING, warn_at__lte=now)


def sla_state_rules(now: datetime) -> tuple[tuple[str, Q], ...]:
    """The one definition of a subject's SLA state: the first state one of its clocks
    meets, in this order; "none" when no clock meets any (no clocks, or only clocks of a
    priority without targets)."""
    return (
        ("breached", Q(state=SlaClock.State.BREACHED) | clock_overdue(now)),
        ("warning", clock_warning_reached(now)),
        ("running", Q(state=SlaClock.State.RUNNING)),
        ("paused", Q(state=SlaClock.State.PAUSED)),
        ("met", Q(state=SlaClock.State.MET)),
    )


def sla_state_expression(clocks: QuerySet[SlaClock], now: datetime) -> Case:
    """`sla_state_rules` as an SQL expression over `clocks` (a subquery of the outer row's
    clocks), for annotations, filters and ordering."""
    return Case(
        *(
            When(Exists(clocks.filter(rule)), then=Value(state))
            for state, rule in sla_state_rules(now)
        ),
        default=Value("none"),
        output_field=CharField(),
    )


# --- compliance -------------------------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile of an ordered set (interpolates between ranks)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    allow_distinct = False

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError(fraction)
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


@dataclass(frozen=True)
class GroupCompliance:
    """Figures of one priority, or of all (`priority` None). Shares are None without data."""

    priority: str | None
    tickets: int
    response_decided: int
    response_met: int
    resolution_decided: int
    resolution_met: int
    first_time_resolution_met: int
    response_median: timedelta | None
    response_p90: timedelta | None
    resolution_median: timedelta | None
    resolution_p90: timedelta | None

    @property
    def response_share(self) -> Decimal | None:
        return _share(self.response_met, self.response_decided)

    @property
    def resolution_share(self) -> Decimal | None:
        return _share(self.resolution_met, self.resolution_decided)

    @property
    def first_time_resolution_share(self) -> Decimal | None:
        return _share(self.first_time_resolution_met, self.resolution_decided)

    def figures(self) -> list[tuple[ComplianceFigure, int | Decimal | timedelta | None]]:
        """Every figure with its value, in `COMPLIANCE_FIGURES` order."""
        return [(figure, getattr(self, figure.name)) for figure in COMPLIANCE_FIGURES]


@dataclass(frozen=True)
class ComplianceFigure:
    """One compliance figure: a `count`, a `share` (0-1, None without data) or a `duration`
    (business time, None without data). The API, the CSV and the PDF read this list."""

    name: str
    kind: str


COMPLIANCE_FIGURES = (
    ComplianceFigure("tickets", "count"),
    ComplianceFigure("response_decided", "count"),
    ComplianceFigure("response_met", "count"),
    ComplianceFigure("response_share", "share"),
    ComplianceFigure("resolution_decided", "count"),
    ComplianceFigure("resolution_met", "count"),
    ComplianceFigure("resolution_share", "share"),
    ComplianceFigure("first_time_resolution_met", "count"),
    ComplianceFigure("first_time_resolution_share", "share"),
    ComplianceFigure("response_median", "duration"),
    ComplianceFigure("response_p90", "duration"),
    ComplianceFigure("resolution_median", "duration"),
    ComplianceFigure("resolution_p90", "duration"),
)


@dataclass(frozen=True)
class Breach:
    """A clock that missed its target. `late_by` is business time past the target, known
    for stopped clocks; an open breached clock is still getting later (`late_by` None)."""

    subject: str
    label: str
    kind: str
    priority: str
    due_at: datetime | None
    stopped_at: datetime | None
    late_by: timedelta | None


@dataclass(frozen=True)
class Compliance:
    by_priority: list[GroupCompliance]
    overall: GroupCompliance
    breaches: list[Breach]


def _share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


DECIDED = Q(state__in=[SlaClock.State.MET, SlaClock.State.BREACHED])
STOPPED = Q(stopped_at__isnull=False)
RESPONSE = Q(kind=SlaClock.Kind.RESPONSE)
RESOLUTION = Q(kind=SlaClock.Kind.RESOLUTION)


class Bytewise(Func):
    """Text ordered byte by byte (PostgreSQL's "C" collation; SQLite's default, BINARY),
    whatever the database's collation, so strings with one prefix sort next to each other."""

    template = "%(expressions)s"

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template='%(expressions)s COLLATE "C"', **extra_context
        )


NUMBERED = Q(subject_number__isnull=False)


def _compliance_counts(*, by_number: bool = False) -> dict:
    """The counted figures of `sla_compliance`, as aggregates over clocks.

    `by_number` counts distinct subjects by their number where they have one (an integer
    sort: the strings of a month of 100,000 tickets take a third longer to sort, spilling to
    disk, bench/README.md), by the subject string otherwise. That is exact while the numbered
    subjects are of one kind ("ticket:1" and "more:1" share a number); the first and last
    numbered subject, in byte order, say whether they are (`_tickets`)."""
    tickets: dict = {"tickets": Count("subject", distinct=True)}
    if by_number:
        tickets = {
            "tickets": Count("subject_number", distinct=True)
            + Count("subject", distinct=True, filter=~NUMBERED),
            "numbered_first": Min(Bytewise("subject"), filter=NUMBERED),
            "numbered_last": Max(Bytewise("subject"), filter=NUMBERED),
        }
    return {
        **tickets,
        "response_decided": Count("pk", filter=RESPONSE & DECIDED),
        "response_met": Count("pk", filter=RESPONSE & Q(state=SlaClock.State.MET)),
        "resolution_decided": Count("pk", filter=RESOLUTION & DECIDED),
        "resolution_met": Count("pk", filter=RESOLUTION & Q(state=SlaClock.State.MET)),
        "first_time_resolution_met": Count(
            "pk", filter=RESOLUTION & Q(first_elapsed__lte=F("target"))
        ),
    }


COUNTED = (
    "tickets",
    "response_decided",
    "response_met",
    "resolution_decided",
    "resolution_met",
    "first_time_resolution_met",
)


def _tickets(row: dict, clocks: Callable[[], QuerySet[SlaClock]]) -> int:
    """`row`'s distinct subjects counted `by_number`; recounted by subject string (one more
    query) when its numbered subjects are of several kinds. Strings with one prefix are
    contiguous in byte order, so the first and last numbered subject share a kind exactly
    when all do."""
    first, last = row["numbered_first"], row["numbered_last"]
    if first is None or first.partition(":")[0] == last.partition(":")[0]:
        return row["tickets"]
    return _counted(clocks()).aggregate(tickets=Count("subject", distinct=True))["tickets"]


def _counted(clocks: QuerySet[SlaClock]) -> QuerySet[SlaClock]:
    return clocks.exclude(state=SlaClock.State.UNTIMED).order_by()


def sla_compliance_periods_query(clocks: Sequence[QuerySet[SlaClock]]) -> QuerySet:
    """The one query of `sla_compliance_of_periods`: each set's counts, labelled `period`."""
    per_set = [
        _counted(part)
        .annotate(period=Value(index, output_field=IntegerField()))
        .values("period")
        .annotate(**_compliance_counts(by_number=True))
        for index, part in enumerate(clocks)
    ]
    return per_set[0].union(*per_set[1:], all=True).order_by() if len(per_set) > 1 else per_set[0]


def sla_compliance_of_periods(
    *, clocks: Sequence[QuerySet[SlaClock]], rows: Iterable[dict] | None = None
) -> list[GroupCompliance]:
    """`sla_compliance`'s overall counts and shares for each set of clocks (each month's or
    week's tickets of a contract: `tickets.selectors.contract_clocks`), in one query whatever
    their number (one more for a set whose numbered subjects are of several kinds, which a
    contract's clocks never are); no percentiles or breaches. A clock in several sets counts
    in each.

    The query is one aggregate per set, joined by UNION ALL, so each set keeps the plan it
    has alone: a contract's tickets join their clocks on the clocks' `subject_number` (an
    integer, indexed), as a hash or merge join for a month of 100,000 tickets, through the
    index for a few. (Labelling each clock with `CASE WHEN subject IN (...)` instead keeps the
    subquery as a per-row SubPlan that PostgreSQL hashes only while it fits in `work_mem`: a
    month of 100,000 tickets then took over half an hour.)

    `rows`: that query's rows when the caller read them itself (compiled once, as
    `tickets.selectors.contract_compliance_of_periods` does); a period's clocks are then
    taken from `clocks` only for that recount, so `clocks` may build each when asked."""
    if not clocks:
        return []
    by_period = {
        row["period"]: row
        for row in (sla_compliance_periods_query(clocks) if rows is None else rows)
    }
    empty = {**dict.fromkeys(COUNTED, 0), "numbered_first": None, "numbered_last": None}
    durations = dict.fromkeys(
        ("response_median", "response_p90", "resolution_median", "resolution_p90")
    )
    periods = []
    for index in range(len(clocks)):
        row = by_period.get(index, empty)
        figures = {name: row[name] for name in COUNTED}
        figures["tickets"] = _tickets(row, lambda index=index: clocks[index])
        periods.append(GroupCompliance(priority=None, **figures, **durations))
    return periods


def sla_compliance(*, clocks: QuerySet[SlaClock], portable: bool | None = None) -> Compliance:
    """Compliance of a set of clocks (the caller filters to a contract and a period).

    Clocks of a priority without targets (untimed) are left out. A target counts as decided
    once the clock stopped, or once it breached while open.
    Business times are those stored at the stop: the first response's, and the resolution's
    accumulated over all its cycles. `portable` forces the non-PostgreSQL percentile method.
    """
    if portable is None:
        portable = connection.vendor != "postgresql"
    # A clock of a priority without targets has nothing to comply with.
    clocks = clocks.exclude(state=SlaClock.State.UNTIMED)
    counts = _compliance_counts()
    if not portable:
        for name, kind in (("response", RESPONSE), ("resolution", RESOLUTION)):
            for suffix, (numerator, denominator) in PERCENTILES.items():
                counts[f"{name}_{suffix}"] = PercentileCont(
                    "elapsed",
                    numerator / denominator,
                    filter=kind & STOPPED,
                    output_field=DurationField(),
                )
    rows = list(clocks.order_by().values("priority").annotate(**counts))
    overall_row = clocks.order_by().aggregate(**counts)
    if portable:
        for priority, row in [*((row["priority"], row) for row in rows), (None, overall_row)]:
            row.update(_percentiles_by_rank(clocks, priority))
    by_priority = []
    order = {value: index for index, value in enumerate(Priority.values)}
    for row in sorted(rows, key=lambda r: order[r["priority"]]):
        by_priority.append(_group(row["priority"], row))
    overall = _group(None, overall_row)
    breaches = [
        Breach(
            subject=row["subject"],
            label=row["label"],
            kind=row["kind"],
            priority=row["priority"],
            due_at=row["due_at"],
            stopped_at=row["stopped_at"],
            late_by=clock_late_by(
                elapsed=row["elapsed"],
                target=row["target"],
                counting=row["stopped_at"] is None and row["paused_at"] is None,
            ),
        )
        for row in clocks.filter(state=SlaClock.State.BREACHED)
        .order_by("breached_at", "pk")
        .values(
            *("subject", "label", "kind", "priority", "due_at", "stopped_at", "paused_at"),
            *("elapsed", "target"),
        )
    ]
    return Compliance(by_priority=by_priority, overall=overall, breaches=breaches)


def _group(priority, row: dict) -> GroupCompliance:
    names = [f"{name}_{suffix}" for name in ("response", "resolution") for suffix in PERCENTILES]
    return GroupCompliance(priority=priority, **{name: row[name] for name in [*COUNTED, *names]})


# The percentiles each group reports, as exact fractions: the portable method ranks with them.
PERCENTILES = {"median": (1, 2), "p90": (9, 10)}


def _percentiles_by_rank(clocks: QuerySet[SlaClock], priority: str | None) -> dict:
    """`PercentileCont`'s figures without it (SQLite has none), in one query for a priority
    or all of them (None): the database ranks each kind's stopped clocks by `elapsed` and
    returns only the rows on either side of each percentile's rank, which Python
    interpolates between. (A count and a ranked read per figure took 40 queries and 0.37 s
    of the SLA report of 5,000 tickets on SQLite.)"""
    by = [F("kind")]
    stopped = clocks.filter(STOPPED)
    if priority is not None:
        stopped = stopped.filter(priority=priority)
    ranked = stopped.annotate(
        rank=SqlWindow(RowNumber(), partition_by=by, order_by=[F("elapsed").asc(), F("pk").asc()]),
        size=SqlWindow(Count("pk"), partition_by=by),
    )
    around = Q()
    for numerator, denominator in PERCENTILES.values():
        # the 1-based row at the rank's floor, in integer division on both databases
        below = ExpressionWrapper(
            (F("size") - 1) * numerator / denominator + 1, output_field=IntegerField()
        )
        around |= Q(rank=below) | Q(rank=below + 1)
    values: dict[tuple[str, int], timedelta] = {}
    sizes: dict[str, int] = {}
    for row in ranked.filter(around).values("kind", "elapsed", "rank", "size"):
        values[(row["kind"], row["rank"])] = row["elapsed"]
        sizes[row["kind"]] = row["size"]
    figures = {}
    for kind in (SlaClock.Kind.RESPONSE, SlaClock.Kind.RESOLUTION):
        for suffix, (numerator, denominator) in PERCENTILES.items():
            size = sizes.get(kind, 0)
            value = None
            if size:
                lower, remainder = divmod((size - 1) * numerator, denominator)
                value = values[(kind, lower + 1)]
                if remainder:
                    value += (values[(kind, lower + 2)] - value) * remainder / denominator
            figures[f"{kind}_{suffix}"] = value
    return figures
