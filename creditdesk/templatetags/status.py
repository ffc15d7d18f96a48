"""The status page inside other pages: the portal's banner of incidents and maintenance that
touch the customer's services, a ticket's incident links in the workspace, and the 90-day
history bar. Each asks `statuspage.selectors`; the pages that include them need no view
changes."""

from django import template
from django.utils import timezone

from core.formatting import format_day
from creditdesk.roles import TICKET_STAFF, has_role
from statuspage import selectors

register = template.Library()

BAR_STEP = 4  # SVG units per day: a 3-unit bar and a 1-unit gap

# A component's (or the page's) status as the site's badge and alert colours.
BADGE = {
    "operational": "ok",
    "maintenance": "paused",
    "degraded": "warning",
    "partial_outage": "breach",
    "major_outage": "breach",
}
ALERT = {
    "operational": "success",
    "maintenance": "info",
    "degraded": "warning",
    "partial_outage": "error",
    "major_outage": "error",
}


@register.filter
def status_badge(status: str) -> str:
    """{{ row.status|status_badge }} -> the badge class ("ok", "warning", "breach"...)."""
    return BADGE.get(str(status), "paused")


@register.filter
def status_alert(status: str) -> str:
    return ALERT.get(str(status), "info")


@register.inclusion_tag("statuspage/_notices.html", takes_context=True)
def status_notices(context, where: str = "dashboard") -> dict:
    """`{% status_notices "form" %}` on the request form, which says it before the customer
    writes; `{% status_notices %}` on the dashboard."""
    request = context.get("request")
    customer = getattr(request, "customer", None)
    notices = (
        selectors.status_notices_for(customer=customer, now=timezone.now())
        if customer is not None
        else selectors.CustomerNotices([], [])
    )
    return {"notices": notices, "on_form": where == "form", "now": timezone.now()}


@register.inclusion_tag("statuspage/_ticket_incidents.html", takes_context=True)
def ticket_incidents(context, ticket) -> dict:
    request = context.get("request")
    linked = list(selectors.ticket_incidents(ticket))
    return {
        "ticket": ticket,
        "linked": linked,
        "choices": [i for i in selectors.incidents_open_for_linking() if i not in linked],
        "may_link": request is not None and has_role(request.user, TICKET_STAFF),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("statuspage/_history.html")
def history_bar(row) -> dict:
    """A component's days as an SVG bar, one rect per day, each with its date and state."""
    bars = []
    for index, day in enumerate(row.days):
        titles = "; ".join(incident.local_title for incident in day.incidents)
        label = f"{format_day(day.day)}: {day.label}" + (f" ({titles})" if titles else "")
        bars.append({"x": index * BAR_STEP, "kind": day.kind, "title": label})
    return {"row": row, "bars": bars, "width": len(row.days) * BAR_STEP - 1}
