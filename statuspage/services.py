"""Every write of the status page: incidents and their updates, links to tickets, sending an
update to the linked tickets, and scheduled maintenance.

Bounds are checked before anything is written, each refusal naming its field
(`statuspage.exceptions`). Incidents announce themselves to integrators after commit
(`incident.created`, `incident.updated`, `incident.resolved`, through `core.events`).

An update's moment (`IncidentUpdate.at`) is when its state and impact took effect: now, or
the time staff give for a change they write up late, never in the future nor before the
incident's start or its latest update, so the history and uptime show the outage that was.

Sending an update to the linked tickets posts it as an agent's public message on each open
linked ticket through `tickets.services.lifecycle.ticket_agent_reply`, so it stops the
response clock and mails the requester as a task, like any reply, at the moment it is sent.
Only the incident's latest update is sent: an older one would tell the requesters a state
the incident has left. It is idempotent per update and ticket: an `IncidentUpdateMessage` row
records each one sent, under the update's row lock, so sending twice (two staff members, a
retried request) tells each ticket once.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from core.events import event_emit
from core.instants import instant_check
from core.languages import language_code
from core.text import has_control_characters, without_control_characters
from sla.exceptions import NaiveDatetime
from statuspage import locks, selectors
from statuspage.exceptions import (
    ComponentsRequired,
    IncidentResolved,
    IncidentUpdateSuperseded,
    InstantOutOfWindow,
    MaintenanceEndsBeforeStart,
    MaintenanceOver,
    MaintenanceTooLong,
    TextControlCharacters,
    TextRequired,
    TextTooLong,
    UnknownChoice,
)
from statuspage.models import (
    BODY_LIMIT,
    TITLE_LIMIT,
    Component,
    Impact,
    Incident,
    IncidentTicket,
    IncidentUpdate,
    IncidentUpdateMessage,
    Maintenance,
    State,
)
from statuspage.transitions import OPEN_STATES, check_update
from tickets.models import Ticket
from tickets.services.lifecycle import ticket_agent_reply

# An incident may be published up to this long after it started (found late, written up).
BACKDATE_LIMIT = timedelta(days=30)
# A maintenance window: at most this long, announced at most this far ahead.
MAINTENANCE_LONGEST = timedelta(days=7)
MAINTENANCE_HORIZON = timedelta(days=365)
# The time of a change staff give may run this far ahead of our clock (a caller's clock a
# little fast): it is read as now. Further ahead is the future, refused.
CLOCK_TOLERANCE = timedelta(minutes=1)


def _text(value, *, field: str, limit: int, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise TextRequired(field=field)
    if len(text) > limit:
        raise TextTooLong(field=field, limit=limit, length=len(text))
    if has_control_characters(text):  # NUL among them, which PostgreSQL refuses
        raise TextControlCharacters(field=field)
    return text


def _choice(value, choices: Iterable[str], *, field: str) -> str:
    valid = list(choices)
    if value not in valid:
        raise UnknownChoice(field=field, value=str(value)[:40], choices=", ".join(valid))
    return str(value)


def _components(components) -> list[Component]:
    chosen = {component.pk: component for component in components or ()}
    if not chosen or not all(component.is_active for component in chosen.values()):
        raise ComponentsRequired(field="components")
    return list(chosen.values())


def _aware(value: datetime, *, field: str) -> datetime:
    if timezone.is_naive(value):
        raise NaiveDatetime(field=field, value=value.isoformat())
    try:
        return instant_check(value)
    except ValidationError:  # outside the years Creditdesk accepts
        raise InstantOutOfWindow(field=field, earliest="1900-01-01", latest="2999-12-31") from None


def _within(value: datetime, *, field: str, earliest: datetime, latest: datetime) -> datetime:
    value = _aware(value, field=field)
    if not earliest <= value <= latest:
        raise InstantOutOfWindow(
            field=field,
            earliest=timezone.localtime(earliest),
            latest=timezone.localtime(latest),
        )
    return value


def incident_open(
    *,
    title: str,
    body: str,
    impact: str,
    components,
    title_en: str = "",
    body_en: str = "",
    state: str = State.INVESTIGATING,
    started_at: datetime | None = None,
    by=None,
    at: datetime | None = None,
) -> Incident:
    """Publish an incident with its first update. It may have started before it is published
    (up to `BACKDATE_LIMIT`), never after; the first update's state and impact are in force
    from the start, so it bears the start's moment, and the next update may be dated from
    there (an incident written up late is resolved at its real end)."""
    at = at or timezone.now()
    title = _text(title, field="title", limit=TITLE_LIMIT)
    title_en = _text(title_en, field="title_en", limit=TITLE_LIMIT, required=False)
    body = _text(body, field="body", limit=BODY_LIMIT)
    body_en = _text(body_en, field="body_en", limit=BODY_LIMIT, required=False)
    impact = _choice(impact, Impact.values, field="impact")
    state = _choice(state, [s for s in State.values if s in OPEN_STATES], field="state")
    chosen = _components(components)
    started_at = _within(
        started_at or at, field="started_at", earliest=at - BACKDATE_LIMIT, latest=at
    )
    with transaction.atomic():
        incident = Incident.objects.create(
            title=title,
            title_en=title_en,
            impact=impact,
            state=state,
            started_at=started_at,
            opened_by=by,
        )
        incident.components.set(chosen)
        IncidentUpdate.objects.create(
            incident=incident,
            state=state,
            impact=impact,
            body=body,
            body_en=body_en,
            at=started_at,
            by=by,
        )
        event_emit("incident.created", incident)
    return incident


def incident_update_post(
    incident: Incident,
    *,
    state: str,
    body: str,
    body_en: str = "",
    impact: str | None = None,
    send_to_tickets: bool = False,
    within: QuerySet[Ticket] | None = None,
    by=None,
    at: datetime | None = None,
) -> IncidentUpdate:
    """A new update: the incident takes its state and impact (the same impact when none is
    given). Resolving stamps the end of the incident. With `send_to_tickets`, the update is
    also sent to every open linked ticket (`incident_update_send`, within `within`), in the
    same transaction.
    `at` is when the change happened (a change written up late; None: now), taken under the
    incident's lock: not in the future (beyond `CLOCK_TOLERANCE`, read as now), not before
    the incident's start nor its latest update (within their minute: people type minutes),
    else `InstantOutOfWindow` on `at`. So the latest update is always the one that set the
    incident's state."""
    state = _choice(state, State.values, field="state")
    body = _text(body, field="body", limit=BODY_LIMIT)
    body_en = _text(body_en, field="body_en", limit=BODY_LIMIT, required=False)
    if impact not in (None, ""):
        impact = _choice(impact, Impact.values, field="impact")
    if at is not None:
        at = _aware(at, field="at")
    with transaction.atomic():
        locked = locks.incident_lock(incident.pk)
        check_update(locked, state)
        now = timezone.now()
        at = _update_moment(locked, at, now=now)
        update = IncidentUpdate.objects.create(
            incident=locked,
            state=state,
            impact=impact or locked.impact,
            body=body,
            body_en=body_en,
            at=at,
            by=by,
        )
        locked.state = state
        locked.impact = update.impact
        locked.resolved_at = at if state == State.RESOLVED else None
        locked.save(update_fields=["state", "impact", "resolved_at"])
        event_emit("incident.resolved" if state == State.RESOLVED else "incident.updated", locked)
        if send_to_tickets:
            incident_update_send(update, by=by, at=now, within=within)
    incident.refresh_from_db()
    return update


def _update_moment(locked: Incident, at: datetime | None, *, now: datetime) -> datetime:
    """The moment of a new update of `locked` (under its lock): `at` within its bounds, else
    now; never before the incident's start or its latest update."""
    latest = selectors.incident_latest_update(locked)
    earliest = max(locked.started_at, latest.at if latest is not None else locked.started_at)
    if at is None:
        return max(now, earliest)
    first_minute = earliest.replace(second=0, microsecond=0)
    if not first_minute <= at <= now + CLOCK_TOLERANCE:
        raise InstantOutOfWindow(
            field="at",
            earliest=timezone.localtime(first_minute),
            latest=timezone.localtime(max(now, earliest)),
        )
    return min(max(at, earliest), max(now, earliest))


def incident_edit(
    incident: Incident, *, title: str, title_en: str = "", components=None
) -> Incident:
    """Correct an incident's title or components (a typo, a component forgotten); what
    happened is told through updates, never by editing."""
    incident.title = _text(title, field="title", limit=TITLE_LIMIT)
    incident.title_en = _text(title_en, field="title_en", limit=TITLE_LIMIT, required=False)
    with transaction.atomic():
        incident.save(update_fields=["title", "title_en"])
        if components is not None:
            incident.components.set(_components(components))
    return incident


def incident_ticket_link(
    incident: Incident, ticket: Ticket, *, by=None, at: datetime | None = None
) -> IncidentTicket:
    """Link a request to the incident behind it, while the incident is open (a resolved one
    is refused, `IncidentResolved` on `incident`: its updates are over, and a problem that
    returns is a new incident); linking it again changes nothing, resolved or not. Under the
    incident's lock, so a link and the resolution never cross."""
    with transaction.atomic():
        locked = locks.incident_lock(incident.pk)
        link = IncidentTicket.objects.filter(incident=locked, ticket=ticket).first()
        if link is not None:
            return link
        if not locked.is_open:
            raise IncidentResolved(field="incident", title=locked.title)
        return IncidentTicket.objects.create(
            incident=locked, ticket=ticket, by=by, at=at or timezone.now()
        )


def incident_ticket_unlink(incident: Incident, ticket: Ticket) -> bool:
    """Remove the link; the messages already sent stay on the ticket."""
    deleted, _ = IncidentTicket.objects.filter(incident=incident, ticket=ticket).delete()
    return bool(deleted)


def incident_message_text(update: IncidentUpdate, language: str) -> str:
    """What a linked ticket's requester reads: the incident, its state, the update and
    where to follow it, in the requester's language, without control characters."""
    incident = update.incident
    url = settings.SITE_URL + reverse("status:incident", args=[incident.pk])
    with translation.override(language):
        state = str(State(update.state).label)
    if language_code(language) == "en":
        head = f"Service status: {incident.title_in('en')}\nState: {state}"
        tail = f"Follow it at {url}"
    else:
        head = f"Estado del servicio: {incident.title_in('es')}\nEstado: {state}"
        tail = f"Puede seguirlo en {url}"
    # Rows written before control characters were refused may hold one, which a ticket's
    # message refuses: left out, as the feed does, so the send never fails on them.
    return without_control_characters(f"{head}\n\n{update.body_in(language)}\n\n{tail}")


def _requester_language(ticket: Ticket) -> str:
    if ticket.requester is not None:
        return language_code(ticket.requester.preferred_language)
    return language_code(ticket.customer.language)


def incident_update_send(
    update: IncidentUpdate,
    *,
    by=None,
    at: datetime | None = None,
    within: QuerySet[Ticket] | None = None,
) -> list[IncidentUpdateMessage]:
    """Post the update as an agent's message on every open ticket linked to its incident
    that has not had it yet; returns the ones sent now (none the second time). Only the
    incident's latest update is sent (`IncidentUpdateSuperseded` on `update` otherwise),
    checked under the incident's lock, so an update posted meanwhile waits or refuses it.
    `within` (the tickets the sender may see; None: all) keeps an account manager's send off
    other customers' requests: the rest stay untold until someone who sees them sends it."""
    sent: list[IncidentUpdateMessage] = []
    with transaction.atomic():
        incident = locks.incident_lock(update.incident_id)
        latest = selectors.incident_latest_update(incident)
        if latest is None or latest.pk != update.pk:
            raise IncidentUpdateSuperseded(field="update", title=incident.title)
        locked = locks.update_lock(update.pk)
        told = IncidentUpdateMessage.objects.filter(update=locked).values("ticket_id")
        tickets = (
            Ticket.objects.open()
            .filter(incident_links__incident_id=locked.incident_id)
            .exclude(pk__in=told)
            .select_related("requester", "customer")
            .order_by("pk")
        )
        if within is not None:
            tickets = tickets.filter(pk__in=within.values("pk"))
        for ticket in tickets:
            message = ticket_agent_reply(
                ticket,
                by=by,
                body=incident_message_text(locked, _requester_language(ticket)),
                public=True,
                at=at,
            )
            sent.append(
                IncidentUpdateMessage.objects.create(
                    update=locked, ticket=ticket, message=message, at=message.created_at
                )
            )
    return sent


def maintenance_schedule(
    *,
    title: str,
    components,
    starts_at: datetime,
    ends_at: datetime,
    description: str = "",
    title_en: str = "",
    description_en: str = "",
    by=None,
    at: datetime | None = None,
) -> Maintenance:
    """Announce a maintenance window: it ends in the future, after it starts, lasts at most
    `MAINTENANCE_LONGEST` and starts within `MAINTENANCE_HORIZON`."""
    at = at or timezone.now()
    title = _text(title, field="title", limit=TITLE_LIMIT)
    title_en = _text(title_en, field="title_en", limit=TITLE_LIMIT, required=False)
    description = _text(description, field="description", limit=BODY_LIMIT, required=False)
    description_en = _text(description_en, field="description_en", limit=BODY_LIMIT, required=False)
    chosen = _components(components)
    starts_at = _within(
        starts_at,
        field="starts_at",
        earliest=at - MAINTENANCE_LONGEST,
        latest=at + MAINTENANCE_HORIZON,
    )
    ends_at = _aware(ends_at, field="ends_at")
    if ends_at <= starts_at:
        raise MaintenanceEndsBeforeStart(field="ends_at")
    if ends_at - starts_at > MAINTENANCE_LONGEST:
        raise MaintenanceTooLong(field="ends_at", days=MAINTENANCE_LONGEST.days)
    if ends_at <= at:
        raise InstantOutOfWindow(
            field="ends_at",
            earliest=timezone.localtime(at),
            latest=timezone.localtime(starts_at + MAINTENANCE_LONGEST),
        )
    with transaction.atomic():
        maintenance = Maintenance.objects.create(
            title=title,
            title_en=title_en,
            description=description,
            description_en=description_en,
            starts_at=starts_at,
            ends_at=ends_at,
            scheduled_by=by,
            scheduled_at=at,
        )
        maintenance.components.set(chosen)
    return maintenance


def maintenance_cancel(
    maintenance: Maintenance, *, by=None, at: datetime | None = None
) -> Maintenance:
    """Call off a maintenance that has not ended; cancelling it again changes nothing."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = locks.maintenance_lock(maintenance.pk)
        if locked.cancelled_at is None:
            if locked.ends_at <= at:
                raise MaintenanceOver(title=locked.title)
            locked.cancelled_at = at
            locked.cancelled_by = by
            locked.save(update_fields=["cancelled_at", "cancelled_by"])
    maintenance.refresh_from_db()
    return maintenance
