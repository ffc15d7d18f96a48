"""Authoring SLAs without code: business calendars and SLA policies.

A calendar or a policy is a stable identity (what plans and service types point to) whose
content lives in numbered versions that never change. The admin shows the current version
read-only and changes it only by publishing a new one through one form, "Publicar nueva
versión" (adding a calendar or a policy is the same form, empty). The form is parsed into
the value objects and handed to `sla.services.calendar_publish` / `policy_publish`, which
decide whether it is usable and write the version: the admin never writes a version row.
Their refusals are shown on the field they name, with nothing written.

Published versions reach open clocks only on request: the page after publishing counts the
open clocks still on older versions and offers to move them (`sla.services.clocks_reapply`,
limited to that calendar or policy, the same service as `manage.py sla_reapply`).

Permissions, as Django grants them: publishing needs "add" on the version model
(`sla.add_calendarversion`, `sla.add_slapolicyversion`), creating also "add" on the owner;
moving clocks needs `sla.change_slaclock`. An owner that plans, policies or clocks use is
protected from deletion (the delete page lists what uses it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Max, Model, ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import CreditdeskError, InvalidInput
from core.formatting import format_day, format_duration, format_moment
from sla.choices import Impact, Priority, Urgency
from sla.forms import (
    WEEKDAY_CHOICES,
    CalendarForm,
    PolicyForm,
    calendar_from_forms,
    calendar_initial,
    date_formset,
    ladder_from,
    ladder_initial,
    level_formset,
    levels_from,
    levels_initial,
    policy_initial,
    step_formset,
    window_formset,
)
from sla.models import (
    BusinessCalendar,
    CalendarDate,
    CalendarVersion,
    SlaPolicy,
    SlaPolicyVersion,
)
from sla.selectors import calendar_current_version, clocks_behind, policy_current_version
from sla.services import calendar_publish, clocks_reapply, policy_publish

EMPTY = "—"
REAPPLY_PERMISSION = "sla.change_slaclock"


def _refusals(error: CreditdeskError | ValidationError) -> list[tuple[str | None, str]]:
    """(field or None, message) for each part of a service's refusal."""
    if isinstance(error, InvalidInput):
        return [(name, text) for name, texts in error.fields.items() for text in texts]
    if isinstance(error, CreditdeskError):
        return [(error.field, error.message())]
    if hasattr(error, "error_dict"):
        return [(name, text) for name, texts in error.message_dict.items() for text in texts]
    return [(None, text) for text in error.messages]


class ReadOnlyVersionInline(admin.TabularInline):
    """Published versions, newest first; nothing here is editable or deletable."""

    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("-number",)
    verbose_name = _("versión publicada")
    verbose_name_plural = _("versiones publicadas")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class VersionedAdmin(admin.ModelAdmin):
    """An owner whose content is published as versions (see the module docstring)."""

    version_model: type[Model]
    # The version's foreign key to its owner.
    version_model_owner: str
    publish_template: str
    # The keyword `clocks_reapply` and `clocks_behind` take for this owner.
    scope: str

    list_display = ("name", "slug", "version_number", "created_at")
    search_fields = ("name", "slug")

    # --- permissions ---------------------------------------------------------------------

    def may_publish(self, request: HttpRequest) -> bool:
        opts = self.version_model._meta
        return request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and self.may_publish(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Content changes only by publishing a version; the owner's page is read-only.
        return False

    # --- the owner's pages -----------------------------------------------------------------

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(latest_number=Max("versions__number"))

    @admin.display(description=_("versión vigente"), ordering="latest_number")
    def version_number(self, obj: Model) -> str:
        number = getattr(obj, "latest_number", None)
        return f"v{number}" if number else EMPTY

    def current(self, obj: Model) -> Any:
        raise NotImplementedError

    def _current(self, obj: Model) -> Any:
        if not hasattr(obj, "_current_version"):
            obj._current_version = self.current(obj)  # type: ignore[attr-defined]
        return obj._current_version  # type: ignore[attr-defined]

    @admin.display(description=_("versión vigente"))
    def current_version(self, obj: Model) -> str:
        version = self._current(obj)
        if version is None:
            return EMPTY
        published = format_moment(timezone.localtime(version.created_at))
        text = _("v%(number)s, publicada el %(at)s") % {"number": version.number, "at": published}
        return f"{text} · {version.note}" if version.note else text

    @admin.display(description=_("relojes abiertos en versiones anteriores"))
    def clocks_behind_link(self, obj: Model) -> str:
        count = clocks_behind(**{self.scope: obj})
        url = reverse(self._url_name("reapply"), args=[obj.pk])
        return format_html('{} · <a href="{}">{}</a>', count, url, _("Ver y aplicar…"))

    def _url_name(self, view: str) -> str:
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {
            "may_publish": self.may_publish(request),
            "publish_url": reverse(self._url_name("publish"), args=[unquote(object_id)]),
            "reapply_url": reverse(self._url_name("reapply"), args=[unquote(object_id)]),
        }
        return super().change_view(request, object_id, form_url, extra | (extra_context or {}))

    # --- deletion ----------------------------------------------------------------------

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        """The delete page lists what protects an owner; this covers a use added meanwhile."""
        try:
            super().delete_model(request, obj)
        except (ProtectedError, RestrictedError):
            request._sla_delete_refused = True  # type: ignore[attr-defined]
            self.message_user(
                request,
                _("«%(name)s» no se puede eliminar: planes, políticas o relojes lo usan.")
                % {"name": obj},
                messages.ERROR,
            )

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        if getattr(request, "_sla_delete_refused", False):
            return HttpResponseRedirect(reverse(self._url_name("change"), args=[obj_id]))
        return super().response_delete(request, obj_display, obj_id)

    # --- publishing ----------------------------------------------------------------------

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name=f"{info}_publish",
            ),
            path(
                "<path:object_id>/reapply/",
                self.admin_site.admin_view(self.reapply_view),
                name=f"{info}_reapply",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self._publish(request, None)

    def publish_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.may_publish(request):
            raise PermissionDenied
        owner = self.get_object(request, unquote(object_id))
        if owner is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return self._publish(request, owner)

    def build_forms(self, data: Any, owner: Model | None, current: Any) -> dict[str, Any]:
        """{"form": the main form, other names: formsets}, bound to `data` or prefilled."""
        raise NotImplementedError

    def publish(self, owner: Model | None, parts: dict[str, Any]) -> Any:
        """Build the values from the valid forms and call the publishing service."""
        raise NotImplementedError

    def publish_context(self, parts: dict[str, Any]) -> dict[str, Any]:
        """What the publish template needs besides the forms (`main_fields` at least)."""
        raise NotImplementedError

    def _publish(self, request: HttpRequest, owner: Model | None) -> HttpResponse:
        current = self._current(owner) if owner is not None else None
        data = request.POST if request.method == "POST" else None
        parts = self.build_forms(data, owner, current)
        form = parts["form"]
        section_errors: dict[str, list[str]] = {name: [] for name in parts if name != "form"}
        # Every part is validated (no short cut), so each shows its own errors.
        valid = [part.is_valid() for part in parts.values()] if data is not None else [False]
        if all(valid):
            try:
                version = self.publish(owner, parts)
            except (CreditdeskError, ValidationError) as error:
                for field, message in _refusals(error):
                    if field in form.fields:
                        form.add_error(field, message)
                    elif (section := _section_of(field, parts)) is not None:
                        section_errors[section].append(message)
                    elif field in (None, NON_FIELD_ERRORS):
                        form.add_error(None, message)
                    else:
                        form.add_error(None, f"{field}: {message}")
            else:
                self._tell_published(request, version, current)
                owner_pk = getattr(version, self.version_model_owner).pk
                return HttpResponseRedirect(reverse(self._url_name("reapply"), args=[owner_pk]))
        title = (
            _("Publicar nueva versión de «%(name)s»") % {"name": owner}
            if owner is not None
            else _("Nuevo: %(model)s") % {"model": self.opts.verbose_name}
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": owner,
            "current": current,
            "title": title,
            "has_errors": bool(
                form.errors or any(section_errors.values()) or _formset_errors(parts)
            ),
            "section_errors": section_errors,
            "submit_label": _("Publicar nueva versión") if owner else _("Crear y publicar"),
            **parts,
            **self.publish_context(parts),
        }
        return TemplateResponse(request, self.publish_template, context)

    def _tell_published(self, request: HttpRequest, version: Any, current: Any) -> None:
        if current is not None and version.pk == current.pk:
            self.message_user(
                request,
                _("Sin cambios de contenido: la versión %(number)s sigue vigente.")
                % {"number": version.number},
                messages.INFO,
            )
        else:
            self.message_user(
                request,
                _("Versión %(number)s de «%(name)s» publicada.")
                % {"number": version.number, "name": getattr(version, self.version_model_owner)},
                messages.SUCCESS,
            )

    # --- re-applying to open clocks ------------------------------------------------------

    def reapply_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        owner = self.get_object(request, unquote(object_id))
        if owner is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, owner):
            raise PermissionDenied
        may_reapply = request.user.has_perm(REAPPLY_PERMISSION)
        if request.method == "POST":
            if not may_reapply:
                raise PermissionDenied
            self._reapply(request, owner)
            return HttpResponseRedirect(reverse(self._url_name("change"), args=[owner.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": owner,
            "current": self._current(owner),
            "title": _("Relojes abiertos de «%(name)s»") % {"name": owner},
            "behind": clocks_behind(**{self.scope: owner}),
            "may_reapply": may_reapply,
            "moves_policy_too": self.scope == "calendar",
        }
        return TemplateResponse(request, "admin/sla/reapply.html", context)

    def _reapply(self, request: HttpRequest, owner: Model) -> None:
        scope = "policies" if self.scope == "policy" else "calendars"
        try:
            result = clocks_reapply(at=timezone.now(), **{scope: [owner]})
        except CreditdeskError as error:
            self.message_user(request, error.message(), messages.ERROR)
            return
        text = ngettext(
            "%(moved)d reloj pasó a la versión vigente",
            "%(moved)d relojes pasaron a la versión vigente",
            result.moved,
        ) % {"moved": result.moved}
        text += "; " + ngettext(
            "%(n)d ya estaba al día", "%(n)d ya estaban al día", result.unchanged
        ) % {"n": result.unchanged}
        if result.without_target:
            text += "; " + ngettext(
                "%(n)d se mantiene porque la versión vigente no le fija objetivo",
                "%(n)d se mantienen porque la versión vigente no les fija objetivo",
                len(result.without_target),
            ) % {"n": len(result.without_target)}
        self.message_user(request, text + ".", messages.SUCCESS)


def _section_of(field: str | None, parts: dict[str, Any]) -> str | None:
    """The formset a refusal that no field of the main form takes belongs to: the one it
    names ("intervals", "levels"), or the one whose rows have that field (a rung's
    "at_percent")."""
    for name, part in parts.items():
        if name == "form":
            continue
        if field == name or field in part.form.base_fields:
            return name
    return None


def _formset_errors(parts: dict[str, Any]) -> bool:
    return any(
        isinstance(part, forms.BaseFormSet) and part.is_bound and not part.is_valid()
        for part in parts.values()
    )


def _list(items: list[str]) -> str:
    if not items:
        return EMPTY
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items)))


# --- calendars --------------------------------------------------------------------------------


class CalendarVersionInline(ReadOnlyVersionInline):
    model = CalendarVersion
    fields = readonly_fields = (
        "number",
        "time_zone",
        "always_open",
        "holiday_country",
        "holiday_subdivision",
        "note",
        "created_at",
    )


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(VersionedAdmin):
    version_model = CalendarVersion
    version_model_owner = "calendar"
    publish_template = "admin/sla/businesscalendar/publish.html"
    scope = "calendar"
    inlines = [CalendarVersionInline]
    fields = readonly_fields = (
        "name",
        "slug",
        "current_version",
        "time_zone",
        "holidays",
        "weekly_hours",
        "closures",
        "openings",
        "clocks_behind_link",
        "created_at",
    )

    def current(self, obj: BusinessCalendar) -> CalendarVersion | None:
        return calendar_current_version(obj)

    @admin.display(description=_("zona horaria"))
    def time_zone(self, obj: BusinessCalendar) -> str:
        version = self._current(obj)
        return version.time_zone if version else EMPTY

    @admin.display(description=_("feriados"))
    def holidays(self, obj: BusinessCalendar) -> str:
        version = self._current(obj)
        if version is None or not version.holiday_country:
            return _("Sin feriados del país")
        return "-".join(filter(None, [version.holiday_country, version.holiday_subdivision]))

    @admin.display(description=_("horario semanal"))
    def weekly_hours(self, obj: BusinessCalendar) -> str:
        version = self._current(obj)
        if version is None:
            return EMPTY
        if version.always_open:
            return _("24x7: todo instante es hábil")
        days = dict(WEEKDAY_CHOICES)
        return _list(
            [
                f"{days[row.weekday]} {row.starts_at:%H:%M}-{row.ends_at:%H:%M}"
                for row in version.intervals.all()
            ]
        )

    def _dates(self, obj: BusinessCalendar, kind: str) -> list[CalendarDate]:
        version = self._current(obj)
        return [] if version is None else list(version.dates.filter(kind=kind))

    @admin.display(description=_("días cerrados"))
    def closures(self, obj: BusinessCalendar) -> str:
        rows = self._dates(obj, CalendarDate.Kind.CLOSED)
        return _list([" ".join(filter(None, [format_day(row.on), row.name])) for row in rows])

    @admin.display(description=_("días abiertos extra"))
    def openings(self, obj: BusinessCalendar) -> str:
        rows = self._dates(obj, CalendarDate.Kind.OPEN)
        return _list(
            [
                " ".join(
                    filter(
                        None,
                        [
                            format_day(row.on),
                            f"{row.starts_at:%H:%M}-{row.ends_at:%H:%M}",
                            row.name,
                        ],
                    )
                )
                for row in rows
            ]
        )

    def build_forms(self, data, owner, current):
        main, windows, dates = calendar_initial(current)
        # A new calendar gets a row per weekday to fill in; a new version a few spare rows.
        windows_class = window_formset(empty_rows=3 if windows else 7)
        dates_class = date_formset(empty_rows=3)
        return {
            "form": CalendarForm(data, initial=main, new=owner is None),
            "intervals": windows_class(data, initial=windows, prefix="windows"),
            "dates": dates_class(data, initial=dates, prefix="dates"),
        }

    def publish_context(self, parts):
        return {"main_fields": list(parts["form"])}

    def publish(self, owner, parts):
        form = parts["form"]
        calendar = calendar_from_forms(form, parts["intervals"], parts["dates"])
        return calendar_publish(
            slug=owner.slug if owner is not None else form.cleaned_data["slug"],
            name=form.cleaned_data["name"],
            calendar=calendar,
            note=form.cleaned_data["note"],
        )


# --- policies ---------------------------------------------------------------------------------


class PolicyVersionInline(ReadOnlyVersionInline):
    model = SlaPolicyVersion
    fields = readonly_fields = ("number", "calendar", "warning_percent", "note", "created_at")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(VersionedAdmin):
    version_model = SlaPolicyVersion
    version_model_owner = "policy"
    publish_template = "admin/sla/slapolicy/publish.html"
    scope = "policy"
    inlines = [PolicyVersionInline]
    fields = readonly_fields = (
        "name",
        "slug",
        "current_version",
        "calendar",
        "warning",
        "targets",
        "matrix",
        "levels",
        "ladder",
        "clocks_behind_link",
        "created_at",
    )

    def current(self, obj: SlaPolicy) -> SlaPolicyVersion | None:
        return policy_current_version(obj)

    @admin.display(description=_("calendario"))
    def calendar(self, obj: SlaPolicy) -> str:
        version = self._current(obj)
        return str(version.calendar) if version else EMPTY

    @admin.display(description=_("aviso"))
    def warning(self, obj: SlaPolicy) -> str:
        version = self._current(obj)
        if version is None:
            return EMPTY
        return _("al %(percent)s %% del objetivo") % {"percent": version.warning_percent}

    @admin.display(description=_("objetivos por prioridad"))
    def targets(self, obj: SlaPolicy) -> str:
        version = self._current(obj)
        if version is None:
            return EMPTY
        labels = dict(Priority.choices)

        def duration(value):
            return format_duration(value) if value is not None else _("sin objetivo")

        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    labels[row.priority],
                    duration(row.first_response),
                    duration(row.resolution),
                    row.get_measure_display(),
                )
                for row in version.targets.all()
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("Prioridad"),
            _("Primera respuesta"),
            _("Resolución"),
            _("Se mide en"),
            rows,
        )

    @admin.display(description=_("matriz de prioridad (impacto x urgencia)"))
    def matrix(self, obj: SlaPolicy) -> str:
        version = self._current(obj)
        if version is None:
            return EMPTY
        cells = {(c.impact, c.urgency): c.get_priority_display() for c in version.matrix.all()}
        header = format_html_join("", "<th scope='col'>{}</th>", ((u,) for u in Urgency.labels))
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th>{}</tr>",
            (
                (
                    label,
                    format_html_join(
                        "",
                        "<td>{}</td>",
                        ((cells.get((impact, urgency), EMPTY),) for urgency in Urgency.values),
                    ),
                )
                for impact, label in Impact.choices
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th>{}</tr></thead><tbody>{}</tbody></table>",
            _("Impacto / urgencia"),
            header,
            rows,
        )

    @admin.display(description=_("niveles de resolución"))
    def levels(self, obj: SlaPolicy) -> str:
        version = self._current(obj)
        if version is None:
            return EMPTY
        return _list(
            [
                " · ".join(
                    filter(
                        None,
                        [
                            f"{row.number}. {row.name}",
                            format_duration(row.resolution) if row.resolution else "",
                            str(_("anota a quién se deriva")) if row.needs_referral else "",
                        ],
                    )
                )
                for row in version.levels.all()
            ]
        )

    @admin.display(description=_("escalera de escalamiento"))
    def ladder(self, obj: SlaPolicy) -> str:
        version = self._current(obj)
        if version is None:
            return EMPTY
        labels = dict(Priority.choices)
        return _list(
            [
                " · ".join(
                    filter(
                        None,
                        [
                            f"{row.get_measure_display()} {row.at_percent} %",
                            row.get_action_display(),
                            str(row.assign_to) if row.assign_to else "",
                            ", ".join(str(labels.get(p, p)) for p in row.priorities),
                            row.notify_email,
                        ],
                    )
                )
                for row in version.ladder.select_related("assign_to")
            ]
        )

    def build_forms(self, data, owner, current):
        levels, ladder = levels_initial(current), ladder_initial(current)
        return {
            "form": PolicyForm(data, initial=policy_initial(current), new=owner is None),
            "levels": level_formset(empty_rows=max(3 - len(levels), 1))(
                data, initial=levels, prefix="levels"
            ),
            "ladder": step_formset(empty_rows=2)(data, initial=ladder, prefix="ladder"),
        }

    def publish_context(self, parts):
        return {"main_fields": parts["form"].main_fields(), "urgencies": Urgency.labels}

    def publish(self, owner, parts):
        form = parts["form"]
        data = form.cleaned_data
        return policy_publish(
            slug=owner.slug if owner is not None else data["slug"],
            name=data["name"],
            calendar=data["calendar"],
            targets=form.targets(),
            warning_percent=data["warning_percent"],
            matrix=form.matrix(),
            levels=levels_from(parts["levels"]),
            ladder=ladder_from(parts["ladder"]),
            note=data["note"],
        )


# --- activation lead times ------------------------------------------------------------------
# The catalogue's rows (`ActivationLeadTime`) are edited in `activations.admin`, through
# `activations.services.product_save` and its bounds (the activations app sits above sla).
