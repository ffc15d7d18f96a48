"""Writes that configure SLAs: publishing calendar and policy versions, deciding priority."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, text_printable
from sla.calendars import Calendar
from sla.choices import Impact, Priority, Urgency
from sla.exceptions import OverrideWithoutReason
from sla.locks import calendar_lock_by_slug, policy_lock_by_slug
from sla.models import (
    BusinessCalendar,
    CalendarDate,
    CalendarVersion,
    EscalationStep,
    PriorityMatrixCell,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTarget,
    SupportLevel,
    WorkingInterval,
)
from sla.selectors import (
    calendar_current_version,
    calendar_value,
    policy_current_version,
    policy_rules,
)

# Seed 001 decides severity "en función a la urgencia y el impacto" without printing the
# table; this is the usual ITIL reading, and each policy version keeps its own copy.
DEFAULT_PRIORITY_MATRIX: dict[tuple[str, str], str] = {
    (Impact.HIGH, Urgency.HIGH): Priority.P1,
    (Impact.HIGH, Urgency.MEDIUM): Priority.P2,
    (Impact.HIGH, Urgency.LOW): Priority.P3,
    (Impact.MEDIUM, Urgency.HIGH): Priority.P2,
    (Impact.MEDIUM, Urgency.MEDIUM): Priority.P3,
    (Impact.MEDIUM, Urgency.LOW): Priority.P4,
    (Impact.LOW, Urgency.HIGH): Priority.P3,
    (Impact.LOW, Urgency.MEDIUM): Priority.P4,
    (Impact.LOW, Urgency.LOW): Priority.P4,
}


def _printable(**texts: list[str]) -> None:
    """The names and notes an administrator typed hold no control character
    (`core.errors.text_printable`), refused on the form's field or section they came from."""
    for field, values in texts.items():
        for value in values:
            text_printable(value, field=field)


@transaction.atomic
def calendar_publish(
    *, slug: str, name: str, calendar: Calendar, note: str = ""
) -> CalendarVersion:
    """Make `calendar` the current version of calendar `slug` (created if new).

    Idempotent: publishing the same content as the current version returns it unchanged.
    `calendar` was validated when built, so a bad calendar never reaches this point; each
    row is still `full_clean`ed, and any refusal rolls the whole publication back.
    """
    _printable(
        name=[name],
        note=[note],
        dates=[day.name for day in (*calendar.closures, *calendar.openings)],
    )
    owner = calendar_lock_by_slug(slug)
    if owner is None:
        owner = BusinessCalendar(slug=slug, name=name)
        owner.full_clean()
        owner.save()
    elif owner.name != name:
        owner.name = name
        owner.full_clean()
        owner.save(update_fields=["name"])
    current = calendar_current_version(owner)
    if current is not None and calendar_value(current) == calendar:
        return current
    version = CalendarVersion(
        calendar=owner,
        number=(current.number + 1) if current else 1,
        time_zone=calendar.time_zone,
        always_open=calendar.always_open,
        holiday_country=calendar.holiday_country,
        holiday_subdivision=calendar.holiday_subdivision,
        note=note,
    )
    version.full_clean()
    version.save()
    rows = [
        WorkingInterval(
            version=version, weekday=w.weekday, starts_at=w.starts_at, ends_at=w.ends_at
        )
        for w in calendar.windows
    ]
    dates = [
        CalendarDate(version=version, on=c.on, kind=CalendarDate.Kind.CLOSED, name=c.name)
        for c in calendar.closures
    ] + [
        CalendarDate(
            version=version,
            on=o.on,
            kind=CalendarDate.Kind.OPEN,
            starts_at=o.starts_at,
            ends_at=o.ends_at,
            name=o.name,
        )
        for o in calendar.openings
    ]
    for row in [*rows, *dates]:
        row.full_clean(exclude=["version"])
    WorkingInterval.objects.bulk_create(rows)
    CalendarDate.objects.bulk_create(dates)
    return version


@dataclass(frozen=True)
class TargetSpec:
    """Targets of one priority; None means no target. `always` measures them 24x7."""

    first_response: timedelta | None
    resolution: timedelta | None
    always: bool = False


NO_TARGETS = TargetSpec(None, None)


@dataclass(frozen=True)
class LevelSpec:
    """A resolution level: its number (1-3), name, own time (None: no target of its own) and
    whether escalating to it names the vendor or committee it goes to."""

    number: int
    name: str
    resolution: timedelta | None
    needs_referral: bool = False


@dataclass(frozen=True)
class StepSpec:
    """A rung of the escalation ladder (see `sla.models.EscalationStep`); `assign_to` is a
    user's primary key."""

    measure: str
    at_percent: int
    action: str
    priorities: tuple[str, ...] = ()
    assign_to: int | None = None
    notify_email: str = ""


@transaction.atomic
def policy_publish(
    *,
    slug: str,
    name: str,
    calendar: BusinessCalendar,
    targets: Mapping[str, TargetSpec],
    warning_percent: int = 75,
    matrix: Mapping[tuple[str, str], str] | None = None,
    levels: Sequence[LevelSpec] = (),
    ladder: Sequence[StepSpec] = (),
    note: str = "",
) -> SlaPolicyVersion:
    """Make these targets the current version of policy `slug` (created if new).

    Every priority gets a target row (missing ones have no targets), every impact x urgency
    cell a priority; `levels` and `ladder` are the resolution levels and escalation rungs.
    Idempotent: the same content returns the current version. Open clocks keep the version
    they started with until `sla_reapply` moves them.
    """
    _printable(name=[name], note=[note], levels=[level.name for level in levels])
    _check_levels_and_ladder(levels, ladder)
    owner = policy_lock_by_slug(slug)
    if owner is None:
        owner = SlaPolicy(slug=slug, name=name)
        owner.full_clean()
        owner.save()
    elif owner.name != name:
        owner.name = name
        owner.full_clean()
        owner.save(update_fields=["name"])
    cells = dict(DEFAULT_PRIORITY_MATRIX | dict(matrix or {}))
    wanted_targets = {priority: targets.get(priority, NO_TARGETS) for priority in Priority.values}
    current = policy_current_version(owner)
    if current is not None and _same_policy(
        current, calendar, warning_percent, wanted_targets, cells, levels, ladder
    ):
        return current
    version = SlaPolicyVersion(
        policy=owner,
        number=(current.number + 1) if current else 1,
        calendar=calendar,
        warning_percent=warning_percent,
        note=note,
    )
    version.full_clean()
    version.save()
    target_rows = [
        SlaTarget(
            policy_version=version,
            priority=priority,
            first_response=spec.first_response,
            resolution=spec.resolution,
            measure=SlaTarget.Measure.ALWAYS if spec.always else SlaTarget.Measure.BUSINESS,
        )
        for priority, spec in wanted_targets.items()
    ]
    cell_rows = [
        PriorityMatrixCell(policy_version=version, impact=impact, urgency=urgency, priority=value)
        for (impact, urgency), value in cells.items()
    ]
    level_rows = [
        SupportLevel(
            policy_version=version,
            number=level.number,
            name=level.name,
            resolution=level.resolution,
            needs_referral=level.needs_referral,
        )
        for level in levels
    ]
    step_rows = [
        EscalationStep(
            policy_version=version,
            measure=step.measure,
            at_percent=step.at_percent,
            action=step.action,
            priorities=list(step.priorities),
            assign_to_id=step.assign_to,
            notify_email=step.notify_email,
        )
        for step in ladder
    ]
    for row in [*target_rows, *cell_rows, *level_rows, *step_rows]:
        row.full_clean(exclude=["policy_version", "assign_to"])
    SlaTarget.objects.bulk_create(target_rows)
    PriorityMatrixCell.objects.bulk_create(cell_rows)
    SupportLevel.objects.bulk_create(level_rows)
    EscalationStep.objects.bulk_create(step_rows)
    return version


def _check_levels_and_ladder(levels: Sequence[LevelSpec], ladder: Sequence[StepSpec]) -> None:
    """Levels are numbered 1, 2, ... without gaps; a rung that measures or raises the level
    needs levels; a reassignment names a staff member; priorities are known ones."""
    errors: dict[str, list] = {}
    if [level.number for level in levels] != list(range(1, len(levels) + 1)):
        errors["levels"] = [_("Los niveles se numeran 1, 2, 3 sin saltos.")]
    for step in ladder:
        uses_levels = step.measure == EscalationStep.Measure.LEVEL or (
            step.action == EscalationStep.Action.RAISE_LEVEL
        )
        if uses_levels and not levels:
            errors.setdefault("ladder", []).append(
                _("Un escalón por nivel necesita que la política tenga niveles.")
            )
        unknown = set(step.priorities) - set(Priority.values)
        if unknown:
            errors.setdefault("ladder", []).append(
                ValidationError(
                    _("Prioridades desconocidas: %(names)s"),
                    params={"names": ", ".join(sorted(unknown))},
                )
            )
        if step.action == EscalationStep.Action.REASSIGN:
            staff = get_user_model().objects.filter(
                pk=step.assign_to, is_staff=True, is_active=True
            )
            if step.assign_to is None or not staff.exists():
                errors.setdefault("ladder", []).append(
                    _("Reasignar necesita una persona del personal activa.")
                )
    if errors:
        raise InvalidInput(errors)


def _same_policy(
    version: SlaPolicyVersion,
    calendar: BusinessCalendar,
    warning_percent: int,
    targets: Mapping[str, TargetSpec],
    cells: Mapping[tuple[str, str], str],
    levels: Sequence[LevelSpec],
    ladder: Sequence[StepSpec],
) -> bool:
    stored_targets = {
        row.priority: TargetSpec(
            row.first_response, row.resolution, row.measure == SlaTarget.Measure.ALWAYS
        )
        for row in version.targets.all()
    }
    stored_cells = {(c.impact, c.urgency): c.priority for c in version.matrix.all()}
    stored_levels = [
        LevelSpec(row.number, row.name, row.resolution, row.needs_referral)
        for row in version.levels.all()
    ]
    stored_ladder = sorted((step_spec(row) for row in version.ladder.all()), key=_step_order)
    return (
        version.calendar_id == calendar.pk
        and version.warning_percent == warning_percent
        and stored_targets == dict(targets)
        and stored_cells == dict(cells)
        and stored_levels == list(levels)
        and stored_ladder == sorted(ladder, key=_step_order)
    )


def step_spec(row: EscalationStep) -> StepSpec:
    return StepSpec(
        row.measure,
        row.at_percent,
        row.action,
        tuple(row.priorities),
        row.assign_to_id,
        row.notify_email,
    )


def _step_order(step: StepSpec) -> tuple:
    return (step.measure, step.at_percent, step.action, step.priorities, step.assign_to or 0)


@dataclass(frozen=True)
class PriorityDecision:
    """What tickets store: the priority, the matrix's answer, and why staff overrode it."""

    priority: str
    computed: str
    impact: str
    urgency: str
    overridden: bool
    reason: str = ""
    decided_by: str = ""


def priority_decide(
    *,
    policy_version: SlaPolicyVersion | None,
    impact: str,
    urgency: str,
    override: str | None = None,
    reason: str = "",
    decided_by: str = "",
) -> PriorityDecision:
    """Impact x urgency through the policy's matrix (the default matrix without a policy);
    an override needs a reason."""
    cell = (
        policy_rules(policy_version).matrix.get((impact, urgency))
        if policy_version is not None
        else None
    )
    computed = cell or DEFAULT_PRIORITY_MATRIX[(Impact(impact), Urgency(urgency))]
    if override is None or override == computed:
        return PriorityDecision(computed, computed, impact, urgency, overridden=False)
    Priority(override)  # an unknown priority is a programming error, not user input
    if not reason.strip():
        raise OverrideWithoutReason(field="reason")
    text_printable(reason, field="reason")
    return PriorityDecision(override, computed, impact, urgency, True, reason.strip(), decided_by)
