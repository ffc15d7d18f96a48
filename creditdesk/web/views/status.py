"""The status page: public (`/status/`, its JSON and Atom feed, an incident's page), and the
workspace pages where staff publish incidents, post updates, schedule maintenance and link
tickets. Parse -> `statuspage.services` or `statuspage.selectors` -> render.

Times are shown in the reader's zone: the one chosen on the page (`?tz=`), else a signed-in
contact's customer's, else UTC; each page says which. Day boundaries of the 90-day history
follow it too. Forms of the workspace read their times in the page's zone.
"""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import CreditdeskError
from core.formatting import zone_label
from core.instants import iana_zones
from core.text import without_control_characters
from creditdesk.api.serializers.statuspage import status_document
from creditdesk.roles import (
    STATUS_AUTHORS,
    TICKET_STAFF,
    contact_of,
    has_role,
    scope,
    status_tickets_reachable,
)
from creditdesk.web.access import roles_view, staff_view
from creditdesk.web.pagination import paginate
from creditdesk.web.status_forms import (
    IncidentForm,
    MaintenanceForm,
    TicketIncidentForm,
    UpdateForm,
)
from creditdesk.web.views.common import form_submit, show_refusal
from statuspage import selectors, services
from statuspage.models import IncidentUpdate, Maintenance
from tickets.models import Ticket

UTC = ZoneInfo("UTC")
# Offered in the page's zone chooser (any IANA zone works in `?tz=`).
COMMON_ZONES = (
    "UTC",
    "America/Argentina/Buenos_Aires",
    "America/Bogota",
    "America/Caracas",
    "America/Guayaquil",
    "America/Lima",
    "America/Mexico_City",
    "America/Montevideo",
    "America/Panama",
    "America/Santiago",
    "America/Sao_Paulo",
    "Europe/Madrid",
)


def viewer_zone(request: HttpRequest) -> ZoneInfo:
    """The zone the reader asked for, else their customer's, else UTC."""
    asked = request.POST.get("tz") or request.GET.get("tz") or ""
    if asked in iana_zones():
        return ZoneInfo(asked)
    user = getattr(request, "user", None)
    contact = contact_of(user) if user is not None and user.is_authenticated else None
    return contact.customer.time_zone_info if contact is not None else UTC


def _zone_choices(zone: ZoneInfo) -> list[tuple[str, str]]:
    names = list(COMMON_ZONES) if zone.key in COMMON_ZONES else [zone.key, *COMMON_ZONES]
    now = timezone.now()
    return [(name, zone_label(name, at=now)) for name in names]


def _in_zone(view):
    """Times on the page (and typed into its forms) in the reader's zone."""

    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        zone = viewer_zone(request)
        timezone.activate(zone)
        request.status_zone = zone
        try:
            return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _zone_context(request: HttpRequest) -> dict:
    zone = request.status_zone
    return {"zone": zone, "zone_key": zone.key, "zones": _zone_choices(zone)}


# --- public ---------------------------------------------------------------------------------


@_in_zone
def status_page(request: HttpRequest) -> HttpResponse:
    summary = selectors.status_summary(now=timezone.now(), zone=request.status_zone)
    return render(request, "statuspage/status.html", {"s": summary, **_zone_context(request)})


@_in_zone
def incident_page(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(pk)
    if incident is None:
        raise Http404
    return render(
        request, "statuspage/incident.html", {"incident": incident, **_zone_context(request)}
    )


def status_json(request: HttpRequest) -> JsonResponse:
    """The page as JSON, in the request's language; times in UTC, days in `?tz=` or UTC."""
    zone = ZoneInfo(request.GET["tz"]) if request.GET.get("tz") in iana_zones() else UTC
    summary = selectors.status_summary(now=timezone.now(), zone=zone)
    answer = JsonResponse(
        status_document(summary, request=request), json_dumps_params={"ensure_ascii": False}
    )
    answer["Access-Control-Allow-Origin"] = "*"  # public data, for status widgets elsewhere
    return answer


class StatusFeed(Feed):
    """Every incident update, newest first, as Atom, in the request's language."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Estado del servicio") + " · Creditdesk"

    def subtitle(self) -> str:
        return _("Incidentes y sus actualizaciones")

    def link(self) -> str:
        return reverse("status:page")

    def feed_url(self) -> str:
        return reverse("status:feed")

    def items(self):
        return selectors.feed_updates()

    # Rows written before control characters were refused may hold one, which XML cannot.
    def item_title(self, item: IncidentUpdate) -> str:
        return without_control_characters(
            f"{item.incident.local_title}: {item.get_state_display()}"
        )

    def item_description(self, item: IncidentUpdate) -> str:
        # Atom's summary is HTML: the staff's text is escaped, its line breaks kept.
        impact = escape(item.get_impact_display())
        body = linebreaks(escape(without_control_characters(item.local_body)))
        return f"<p><strong>{impact}</strong></p>" + body

    def item_link(self, item: IncidentUpdate) -> str:
        return reverse("status:incident", args=[item.incident_id]) + f"#update-{item.pk}"

    def item_guid(self, item: IncidentUpdate) -> str:
        return f"creditdesk:incident-update:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: IncidentUpdate):
        return item.at

    def item_updateddate(self, item: IncidentUpdate):
        return item.at

    def item_categories(self, item: IncidentUpdate):
        return [item.state]


# --- workspace ------------------------------------------------------------------------------


def _work_page(request: HttpRequest, **forms) -> HttpResponse:
    now = timezone.now()
    context = {
        "incidents": paginate(
            request,
            selectors.incident_list(tickets=scope(Ticket.objects.all(), request.user)),
            per_page=20,
        ),
        "maintenance": selectors.maintenance_list(now=now),
        "may_author": has_role(request.user, STATUS_AUTHORS),
        "incident_form": forms.get("incident_form") or IncidentForm(),
        "maintenance_form": forms.get("maintenance_form") or MaintenanceForm(),
        "now": now,
        **_zone_context(request),
    }
    return render(request, "statuspage/work_status.html", context)


@staff_view
@_in_zone
def work_status(request: HttpRequest) -> HttpResponse:
    return _work_page(request)


def _back(request: HttpRequest, name: str, *args) -> HttpResponse:
    url = reverse(name, args=args)
    zone = request.status_zone.key
    return redirect(f"{url}?tz={zone}" if zone != "UTC" else url)


@require_POST
@roles_view(STATUS_AUTHORS)
@_in_zone
def work_incident_create(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST)
    incident = form_submit(
        request, form, lambda data: services.incident_open(**data, by=request.user)
    )
    if incident is None:
        return _work_page(request, incident_form=form)
    messages.success(request, _("Incidente publicado en la página de estado."))
    return _back(request, "status:work-incident", incident.pk)


@require_POST
@roles_view(STATUS_AUTHORS)
@_in_zone
def work_maintenance_create(request: HttpRequest) -> HttpResponse:
    form = MaintenanceForm(request.POST)
    maintenance = form_submit(
        request, form, lambda data: services.maintenance_schedule(**data, by=request.user)
    )
    if maintenance is None:
        return _work_page(request, maintenance_form=form)
    messages.success(request, _("Mantenimiento programado."))
    return _back(request, "status:work")


@require_POST
@roles_view(STATUS_AUTHORS)
@_in_zone
def work_maintenance_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    maintenance = Maintenance.objects.filter(pk=pk).first()
    if maintenance is None:
        raise Http404
    try:
        services.maintenance_cancel(maintenance, by=request.user)
    except CreditdeskError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("Mantenimiento cancelado."))
    return _back(request, "status:work")


def _incident_page(request: HttpRequest, incident, **forms) -> HttpResponse:
    visible = scope(Ticket.objects.all(), request.user)
    links = (
        visible.filter(incident_links__incident=incident)
        .select_related("customer")
        .order_by("number")
    )
    sent = selectors.update_sent_counts(incident, tickets=visible)
    latest = selectors.incident_latest_update(incident)  # the only one sent to tickets
    for update in incident.updates.all():  # prefetched: the template reads these rows
        update.sent_count = sent.get(update.pk, 0)
        update.is_latest = latest is not None and update.pk == latest.pk
    context = {
        "incident": incident,
        "tickets": links,
        "open_linked": status_tickets_reachable(request.user)
        .open()
        .filter(incident_links__incident=incident)
        .count(),
        "may_author": has_role(request.user, STATUS_AUTHORS),
        "update_form": forms.get("update_form") or UpdateForm(initial={"state": incident.state}),
        **_zone_context(request),
    }
    return render(request, "statuspage/work_incident.html", context)


def _incident(pk: int):
    incident = selectors.incident_get(pk)
    if incident is None:
        raise Http404
    return incident


@staff_view
@_in_zone
def work_incident(request: HttpRequest, pk: int) -> HttpResponse:
    return _incident_page(request, _incident(pk))


@require_POST
@roles_view(STATUS_AUTHORS)
@_in_zone
def work_update_post(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(pk)
    form = UpdateForm(request.POST)
    update = form_submit(
        request,
        form,
        lambda data: services.incident_update_post(
            incident, **data, by=request.user, within=status_tickets_reachable(request.user)
        ),
    )
    if update is None:
        return _incident_page(request, _incident(pk), update_form=form)
    messages.success(request, _("Actualización publicada."))
    return _back(request, "status:work-incident", pk)


@require_POST
@roles_view(STATUS_AUTHORS)
@_in_zone
def work_update_send(request: HttpRequest, pk: int) -> HttpResponse:
    update = IncidentUpdate.objects.select_related("incident").filter(pk=pk).first()
    if update is None:
        raise Http404
    try:
        sent = services.incident_update_send(
            update, by=request.user, within=status_tickets_reachable(request.user)
        )
    except CreditdeskError as error:
        show_refusal(request, error)
    else:
        messages.success(
            request,
            _("Actualización enviada a %(count)s solicitudes.") % {"count": len(sent)}
            if sent
            else _("Todas las solicitudes vinculadas abiertas ya la tenían."),
        )
    return _back(request, "status:work-incident", update.incident_id)


@require_POST
@roles_view(TICKET_STAFF)
def work_ticket_incident(request: HttpRequest, number: str) -> HttpResponse:
    """Link the ticket to an open incident, or (`unlink`) remove one of its links."""
    ticket = scope(Ticket.objects.all(), request.user).filter(number=number).first()
    if ticket is None:
        raise Http404
    unlink = "unlink" in request.POST
    incidents = (
        selectors.ticket_incidents(ticket) if unlink else selectors.incidents_open_for_linking()
    )
    form = TicketIncidentForm(request.POST, incidents=incidents)
    if not form.is_valid():
        messages.error(request, _("Elija uno de los incidentes de la lista."))
    elif unlink:
        services.incident_ticket_unlink(form.cleaned_data["incident"], ticket)
        messages.success(request, _("Vínculo con el incidente eliminado."))
    else:
        try:
            services.incident_ticket_link(form.cleaned_data["incident"], ticket, by=request.user)
        except CreditdeskError as error:  # resolved since the page listed it
            show_refusal(request, error)
        else:
            messages.success(request, _("Solicitud vinculada al incidente."))
    return redirect("web:work", number=ticket.number)
