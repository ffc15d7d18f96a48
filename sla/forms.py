"""The admin's authoring forms for business calendars and SLA policies.

They only parse what an admin types into the values the services take (`sla.calendars
.Calendar`; `sla.services.TargetSpec`, the matrix, `LevelSpec`, `StepSpec`) and fill
themselves from a current version. Whether a calendar is usable is decided by the value
object when it is built (`sla.calendars.validate`), whether a policy is, by
`sla.services.setup.policy_publish`; the admin shows their refusals on the field they name.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.forms import RowsBoundFormSet
from sla.calendars import Calendar, Closure, Opening, Window
from sla.choices import Impact, Priority, Urgency
from sla.models import (
    BusinessCalendar,
    CalendarDate,
    CalendarVersion,
    EscalationStep,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTarget,
)
from sla.services import DEFAULT_PRIORITY_MATRIX, LevelSpec, StepSpec, TargetSpec

WEEKDAY_CHOICES = [(number, capfirst(name)) for number, name in WEEKDAYS.items()]
# Spare rows start on the empty choice, so a row left blank is not taken as filled in.
BLANK = [("", "---------")]
TIME_WIDGET = forms.TimeInput(format="%H:%M", attrs={"type": "time"})
DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
# A bound on what is parsed, so a typo cannot overflow a duration (about 14 months).
MAX_TARGET_HOURS = 9999


class LabelledCellsMixin:
    """Fields shown in table cells carry their label for screen readers (no <label> there)."""

    def label_cells(self, names: Any = None) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                continue  # each box has its own label
            if names is None or name in names:
                field.widget.attrs.setdefault("aria-label", field.label)


class NewOwnerForm(forms.Form):
    """The slug of a calendar or policy being created; publishing to an existing one never
    shows it (the slug is what plans and services point to)."""

    slug = forms.SlugField(
        label=_("Código"),
        max_length=80,
        help_text=_("Letras, números y guiones; no cambia después (p. ej. bogota-oficina)."),
    )

    owner_model: type[Any]

    def __init__(self, *args: Any, new: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not new:
            del self.fields["slug"]

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if self.owner_model.objects.filter(slug=slug).exists():
            raise forms.ValidationError(
                _("Ya existe uno con este identificador: publique una nueva versión de él."),
                code="slug_taken",
            )
        return slug


# --- calendars --------------------------------------------------------------------------------


class CalendarForm(NewOwnerForm):
    owner_model = BusinessCalendar

    name = forms.CharField(label=_("Nombre"), max_length=160)
    time_zone = forms.CharField(
        label=_("Zona horaria"),
        max_length=64,
        help_text=_("Nombre IANA, p. ej. America/Bogota o America/Caracas."),
    )
    always_open = forms.BooleanField(
        label=_("Abierto 24x7"),
        required=False,
        help_text=_("Todo instante es hábil; el horario semanal no se usa."),
    )
    holiday_country = forms.CharField(
        label=_("País de los feriados"),
        max_length=8,
        required=False,
        help_text=_("Código ISO, p. ej. CO. Vacío: sin feriados nacionales."),
    )
    holiday_subdivision = forms.CharField(
        label=_("Región de los feriados"),
        max_length=16,
        required=False,
        help_text=_("Opcional: departamento, estado o provincia según el paquete holidays."),
    )
    note = forms.CharField(
        label=_("Nota de la versión"),
        max_length=240,
        required=False,
        help_text=_("Por qué cambia (se guarda con la versión)."),
    )

    field_order = ["slug", "name", "time_zone", "always_open", "holiday_country"]

    def clean_time_zone(self) -> str:
        return self.cleaned_data["time_zone"].strip()

    def clean_holiday_country(self) -> str:
        return self.cleaned_data["holiday_country"].strip().upper()

    def clean_holiday_subdivision(self) -> str:
        return self.cleaned_data["holiday_subdivision"].strip().upper()


class WindowForm(LabelledCellsMixin, forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Día"), choices=BLANK + WEEKDAY_CHOICES, coerce=int, empty_value=None
    )
    starts_at = forms.TimeField(label=_("Desde"), widget=TIME_WIDGET)
    ends_at = forms.TimeField(label=_("Hasta"), widget=TIME_WIDGET)


class DateForm(LabelledCellsMixin, forms.Form):
    on = forms.DateField(label=_("Fecha"), widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    kind = forms.ChoiceField(label=_("Tipo"), choices=BLANK + CalendarDate.Kind.choices)
    starts_at = forms.TimeField(label=_("Desde"), widget=TIME_WIDGET, required=False)
    ends_at = forms.TimeField(label=_("Hasta"), widget=TIME_WIDGET, required=False)
    name = forms.CharField(label=_("Nombre"), max_length=160, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        timed = [name for name in ("starts_at", "ends_at") if data.get(name) is not None]
        if data.get("kind") == CalendarDate.Kind.CLOSED and timed:
            for name in timed:
                self.add_error(name, _("Un día cerrado no lleva horario."))
        if data.get("kind") == CalendarDate.Kind.OPEN:
            for name in {"starts_at", "ends_at"} - set(timed):
                if name not in self.errors:
                    self.add_error(name, _("Un día abierto necesita su horario."))
        return data


class RowsFormSet(RowsBoundFormSet, forms.BaseFormSet):
    """Rows shown as a table: every cell, the "delete" box too, is labelled."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.label_cells()  # type: ignore[attr-defined]


def window_formset(*, empty_rows: int) -> type[forms.BaseFormSet]:
    return forms.formset_factory(WindowForm, formset=RowsFormSet, extra=empty_rows, can_delete=True)


def date_formset(*, empty_rows: int) -> type[forms.BaseFormSet]:
    return forms.formset_factory(DateForm, formset=RowsFormSet, extra=empty_rows, can_delete=True)


def _kept(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The rows a valid formset keeps: filled in and not marked for deletion."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def calendar_initial(version: CalendarVersion | None) -> tuple[dict, list[dict], list[dict]]:
    """What the calendar form shows first: the current version, or an empty new calendar."""
    if version is None:
        return {"time_zone": "America/Bogota"}, [], []
    main = {
        "name": version.calendar.name,
        "time_zone": version.time_zone,
        "always_open": version.always_open,
        "holiday_country": version.holiday_country,
        "holiday_subdivision": version.holiday_subdivision,
    }
    windows = [
        {"weekday": row.weekday, "starts_at": row.starts_at, "ends_at": row.ends_at}
        for row in version.intervals.all()
    ]
    dates = [
        {
            "on": row.on,
            "kind": row.kind,
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
            "name": row.name,
        }
        for row in version.dates.all()
    ]
    return main, windows, dates


def calendar_from_forms(
    form: CalendarForm, windows: forms.BaseFormSet, dates: forms.BaseFormSet
) -> Calendar:
    """The value object; building it validates it (raises the `SlaError` naming the field)."""
    data = form.cleaned_data
    day_rows = _kept(dates)
    return Calendar(
        time_zone=data["time_zone"],
        windows=tuple(
            Window(row["weekday"], row["starts_at"], row["ends_at"]) for row in _kept(windows)
        ),
        holiday_country=data["holiday_country"],
        holiday_subdivision=data["holiday_subdivision"],
        closures=tuple(
            Closure(row["on"], row["name"])
            for row in day_rows
            if row["kind"] == CalendarDate.Kind.CLOSED
        ),
        openings=tuple(
            Opening(row["on"], row["starts_at"], row["ends_at"], row["name"])
            for row in day_rows
            if row["kind"] == CalendarDate.Kind.OPEN
        ),
        always_open=data["always_open"],
        name=data["name"],
    )


# --- policies ---------------------------------------------------------------------------------

_CLOCK_TEXT = re.compile(r"^(\d{1,4}):([0-5]\d)(?::([0-5]\d))?$")


def hours_text(value: timedelta | None) -> str:
    """A target as the form shows it: "4", "1,5" or "0:10" (hours:minutes), exact."""
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    if rest == 0:
        return str(hours)
    if rest % 1800 == 0 or rest % 900 == 0:
        return str(Decimal(seconds) / 3600).replace(".", ",")
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


class HoursField(forms.Field):
    """A target in hours ("4", "1,5", "0.25") or hours:minutes ("0:10"); empty is no target."""

    default_error_messages = {
        "invalid": _(
            "Escriba horas (4, 1,5) u horas:minutos (0:10), de 0 a %(max)s horas; "
            "vacío si no hay objetivo."
        ),
    }

    widget = forms.TextInput(attrs={"size": 6, "maxlength": 12})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return hours_text(value) if isinstance(value, timedelta) or value is None else value

    def to_python(self, value: Any) -> timedelta | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        invalid = forms.ValidationError(
            self.error_messages["invalid"], code="invalid", params={"max": MAX_TARGET_HOURS}
        )
        if len(text) > 20:
            raise invalid
        clock = _CLOCK_TEXT.match(text)
        if clock:
            hours, minutes, seconds = (int(part or 0) for part in clock.groups())
            duration = timedelta(hours=hours, minutes=minutes, seconds=seconds)
        else:
            try:
                number = Decimal(text.replace(",", "."))
            except InvalidOperation:
                raise invalid from None
            if not number.is_finite() or number < 0 or number > MAX_TARGET_HOURS:
                raise invalid
            duration = timedelta(seconds=int((number * 3600).to_integral_value()))
        if duration > timedelta(hours=MAX_TARGET_HOURS):
            raise invalid
        return duration


def target_field(priority: str, part: str) -> str:
    return f"{priority}_{part}"


def matrix_field(impact: str, urgency: str) -> str:
    return f"matrix_{impact}_{urgency}"


class PolicyForm(LabelledCellsMixin, NewOwnerForm):
    """Name, calendar, warning threshold, a row of targets per priority and the 3x3 matrix."""

    owner_model = SlaPolicy

    name = forms.CharField(label=_("Nombre"), max_length=160)
    calendar = forms.ModelChoiceField(
        label=_("Calendario"),
        queryset=BusinessCalendar.objects.all(),
        empty_label=BLANK[0][1],
        help_text=_("Su versión vigente mide las horas hábiles."),
    )
    warning_percent = forms.IntegerField(
        label=_("Aviso al (%) del objetivo"),
        widget=forms.NumberInput(attrs={"class": "vIntegerField"}),
        help_text=_("Porcentaje del objetivo consumido al que se avisa (1 a 99)."),
    )
    note = forms.CharField(
        label=_("Nota de la versión"),
        max_length=240,
        required=False,
        help_text=_("Por qué cambia (se guarda con la versión)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for priority, label in Priority.choices:
            self.fields[target_field(priority, "first_response")] = HoursField(
                label=_("%(priority)s: primera respuesta (horas)") % {"priority": label}
            )
            self.fields[target_field(priority, "resolution")] = HoursField(
                label=_("%(priority)s: resolución (horas)") % {"priority": label}
            )
            self.fields[target_field(priority, "measure")] = forms.ChoiceField(
                label=_("%(priority)s: se mide en") % {"priority": label},
                choices=SlaTarget.Measure.choices,
            )
        for impact, impact_label in Impact.choices:
            for urgency, urgency_label in Urgency.choices:
                self.fields[matrix_field(impact, urgency)] = forms.ChoiceField(
                    label=_("Impacto %(impact)s x urgencia %(urgency)s")
                    % {"impact": impact_label, "urgency": urgency_label},
                    choices=Priority.choices,
                )
        self.label_cells(set(self.fields) - set(MAIN_POLICY_FIELDS))

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in MAIN_POLICY_FIELDS if name in self.fields]

    def target_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        """(priority label, its three fields), for the template's table."""
        return [
            (label, [self[target_field(priority, part)] for part in TARGET_PARTS])
            for priority, label in Priority.choices
        ]

    def matrix_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        """(impact label, a select per urgency), for the template's table."""
        return [
            (label, [self[matrix_field(impact, urgency)] for urgency in Urgency.values])
            for impact, label in Impact.choices
        ]

    def targets(self) -> dict[str, TargetSpec]:
        data = self.cleaned_data
        return {
            priority: TargetSpec(
                data[target_field(priority, "first_response")],
                data[target_field(priority, "resolution")],
                always=data[target_field(priority, "measure")] == SlaTarget.Measure.ALWAYS,
            )
            for priority in Priority.values
        }

    def matrix(self) -> dict[tuple[str, str], str]:
        return {
            (impact, urgency): self.cleaned_data[matrix_field(impact, urgency)]
            for impact in Impact.values
            for urgency in Urgency.values
        }


TARGET_PARTS = ("first_response", "resolution", "measure")
MAIN_POLICY_FIELDS = ("slug", "name", "calendar", "warning_percent", "note")


def policy_initial(version: SlaPolicyVersion | None) -> dict[str, Any]:
    """What the policy form shows first: the current version, or the defaults of a new one."""
    initial: dict[str, Any] = {
        matrix_field(impact, urgency): priority
        for (impact, urgency), priority in DEFAULT_PRIORITY_MATRIX.items()
    }
    initial |= {target_field(p, "measure"): SlaTarget.Measure.BUSINESS for p in Priority.values}
    if version is None:
        return initial | {"warning_percent": 75}
    initial |= {
        "name": version.policy.name,
        "calendar": version.calendar_id,
        "warning_percent": version.warning_percent,
    }
    for row in version.targets.all():
        initial[target_field(row.priority, "first_response")] = row.first_response
        initial[target_field(row.priority, "resolution")] = row.resolution
        initial[target_field(row.priority, "measure")] = row.measure
    for cell in version.matrix.all():
        initial[matrix_field(cell.impact, cell.urgency)] = cell.priority
    return initial


# --- resolution levels and the escalation ladder of a policy ---------------------------------


class LevelForm(LabelledCellsMixin, forms.Form):
    number = forms.TypedChoiceField(
        label=_("Nivel"), choices=BLANK + [(n, str(n)) for n in (1, 2, 3)], coerce=int
    )
    name = forms.CharField(label=_("Nombre"), max_length=120)
    resolution = HoursField(label=_("Tiempo del nivel (horas)"))
    needs_referral = forms.BooleanField(label=_("Anota a quién se deriva"), required=False)


class StepForm(LabelledCellsMixin, forms.Form):
    measure = forms.ChoiceField(
        label=_("Medido sobre"), choices=BLANK + EscalationStep.Measure.choices
    )
    at_percent = forms.IntegerField(
        label=_("Al (%) del objetivo"), widget=forms.NumberInput(attrs={"class": "vIntegerField"})
    )
    action = forms.ChoiceField(label=_("Acción"), choices=BLANK + EscalationStep.Action.choices)
    priorities = forms.MultipleChoiceField(
        label=_("Prioridades"),
        choices=Priority.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    assign_to = forms.ModelChoiceField(
        label=_("Reasignar a"),
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True),
        required=False,
        empty_label=BLANK[0][1],
    )
    notify_email = forms.EmailField(
        label=_("Avisar también a"),
        required=False,
        widget=forms.EmailInput(attrs={"size": 16}),
    )


def level_formset(*, empty_rows: int) -> type[forms.BaseFormSet]:
    return forms.formset_factory(LevelForm, formset=RowsFormSet, extra=empty_rows, can_delete=True)


def step_formset(*, empty_rows: int) -> type[forms.BaseFormSet]:
    return forms.formset_factory(StepForm, formset=RowsFormSet, extra=empty_rows, can_delete=True)


def levels_initial(version: SlaPolicyVersion | None) -> list[dict[str, Any]]:
    if version is None:
        return []
    return [
        {
            "number": row.number,
            "name": row.name,
            "resolution": row.resolution,
            "needs_referral": row.needs_referral,
        }
        for row in version.levels.all()
    ]


def ladder_initial(version: SlaPolicyVersion | None) -> list[dict[str, Any]]:
    if version is None:
        return []
    return [
        {
            "measure": row.measure,
            "at_percent": row.at_percent,
            "action": row.action,
            "priorities": list(row.priorities),
            "assign_to": row.assign_to_id,
            "notify_email": row.notify_email,
        }
        for row in version.ladder.all()
    ]


def levels_from(formset: forms.BaseFormSet) -> list[LevelSpec]:
    """The levels in number order; whether they are numbered 1, 2, 3 is the service's call."""
    rows = sorted(_kept(formset), key=lambda row: row["number"])
    return [
        LevelSpec(row["number"], row["name"], row["resolution"], row["needs_referral"])
        for row in rows
    ]


def ladder_from(formset: forms.BaseFormSet) -> list[StepSpec]:
    return [
        StepSpec(
            measure=row["measure"],
            at_percent=row["at_percent"],
            action=row["action"],
            priorities=tuple(row["priorities"]),
            assign_to=row["assign_to"].pk if row["assign_to"] else None,
            notify_email=row["notify_email"],
        )
        for row in _kept(formset)
    ]
