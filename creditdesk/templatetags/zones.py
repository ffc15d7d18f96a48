from datetime import date, datetime, timedelta, tzinfo

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.formatting import (
    day_text,
    format_duration,
    format_moment,
    moment_text,
    zone_label,
    zone_short,
)
from core.formatting import sla_countdown as sla_countdown_text

register = template.Library()


@register.filter
def zone(name: str) -> str:
    """{{ customer.time_zone|zone }} -> "Bogotá (UTC-05:00)" in the active language."""
    return zone_label(name)


@register.filter
def hours_minutes(value: timedelta | None) -> str:
    """{{ level.used|hours_minutes }} -> "2 h 05 min"; empty stays empty."""
    return "" if value is None else format_duration(value)


@register.filter
def seconds_hm(value: int | None) -> str:
    """{{ level.used_seconds|seconds_hm }} -> "2 h 05 min" (the API's figures in seconds)."""
    return "" if value is None else format_duration(timedelta(seconds=value))


@register.filter
def moment(value: datetime | None, style: str = "") -> str:
    """{{ ticket.opened_at|moment }} -> "jueves 3 de diciembre, 10:00 (hora de Caracas)" in
    the active zone and language; {{ ...|moment:"bare" }} without the zone (a table whose
    heading names it)."""
    return moment_text(value, with_zone=style != "bare")


@register.filter
def short_moment(value: datetime | None, zone: tzinfo) -> str:
    """{{ t.next_due_at|short_moment:t.customer.time_zone_info }} -> "09/01/2026 15:00" in that
    zone and the active language (the pages' short format, `core.formatting.format_moment`):
    a list's row in its own customer's zone without a `{% timezone %}` block, which cost the
    queue's 50 rows about 1.5 ms a page."""
    return "" if value is None else format_moment(value.astimezone(zone))


@register.filter
def zone_word(zone: tzinfo, at: datetime | None = None) -> str:
    """{{ zone|zone_word:t.next_due_at }} -> "Caracas": whose clock a list row's time
    follows, where rows follow different customers' (the queue); "UTC-05:00" for a zone named
    after no city, at that moment's offset."""
    return zone_short(zone, at=at)


@register.filter
def day(value: date | datetime | None) -> str:
    """{{ invoice.issued_on|day }} -> "jueves 3 de diciembre" (the year when not this one)."""
    return day_text(value)


@register.simple_tag(takes_context=True)
def sla_countdown(
    context,
    state: str,
    due_at: datetime | None,
    late_by: timedelta | None = None,
    paused: bool = False,
) -> str:
    """{% sla_countdown t.sla_state t.next_due_at %}: a badge "vence en 2 h 10 min",
    "vencido hace 3 h", "pausado" (core.formatting.sla_countdown), as of the page's `now`;
    {% sla_countdown clock.state clock.due_at clock.late_by %}: "retraso de 50 h 00 min" for
    a breached clock that stopped; `paused=t.waits_on_customer` on a list: "pausado" for a
    breached request waiting on the customer, not the time since a due time that no longer
    counts."""
    now = context.get("now") or timezone.now()
    countdown = sla_countdown_text(state or "none", due_at, now=now, late_by=late_by, paused=paused)
    if countdown.tone == "muted":
        return format_html('<span class="muted countdown">{}</span>', countdown.text)
    return format_html('<span class="badge {} countdown">{}</span>', countdown.tone, countdown.text)


# A ticket's SLA state (`sla.selectors.SLA_STATES`) as a list shows it: the badge's class and
# its words.
SLA_BADGES = {
    "breached": ("badge breach", _("SLA incumplido")),
    "warning": ("badge warning", _("SLA por vencer")),
    "paused": ("badge paused", _("SLA en pausa")),
    "running": ("badge ok", _("En plazo")),
    "met": ("badge ok", _("Cumplido")),
}


@register.simple_tag
def sla_badge(state: str) -> str:
    """{% sla_badge t.sla_state %}: "SLA incumplido", "En plazo"... as a badge; "Sin SLA"
    (muted) for a ticket without targets. A tag, not an included template: the queue shows
    fifty a page."""
    css, label = SLA_BADGES.get(state, ("muted", _("Sin SLA")))
    return format_html('<span class="{}">{}</span>', css, label)
