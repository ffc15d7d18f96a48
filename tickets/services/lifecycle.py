"""Ticket lifecycle: transitions, messages, reopen, follow-ups, escalation, abandonment.

Every change locks the ticket row, checks `tickets.transitions`, saves the fields it touched
and writes a `TicketEvent` (who, when, why). The SLA clocks follow the status: waiting on the
customer pauses them, a customer reply resumes them, the first public reply stops the response
clock, resolution stops the resolution clock and a reopen resumes it with its time kept.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from background.queue import enqueue_on_commit
from contracts.models import Channel, Contact, Service
from core.errors import InvalidInput
from core.events import event_emit
from credits.services import credits_place_hold
from credits.solvency import solvency_check
from sla.choices import Priority
from tickets import clocks, tasks
from tickets.exceptions import FollowUpNotAllowed
from tickets.locks import ticket_lock, ticket_lock_unfinished
from tickets.models import Message, Ticket, TicketEvent, text_within_limit
from tickets.outcomes import outcome_clear, outcome_fields
from tickets.services.charging import ticket_charge, ticket_release_unused_hold
from tickets.services.events import ticket_event_record
from tickets.services.intake import (
    IntakeResult,
    requester_authorized_check,
    scope_check,
    ticket_open,
)
from tickets.transitions import check_transition

Status = Ticket.Status


def _move(ticket: Ticket, to_status: str, *, by, reason: str, at: datetime) -> list[str]:
    """Change status on a locked ticket, keep the SLA clocks in step; returns changed fields."""
    from_status = ticket.status
    check_transition(from_status, to_status)
    ticket.status = to_status
    changed = ["status"]
    if to_status == Status.WAITING_ON_CUSTOMER:
        ticket.waiting_since = at
        changed.append("waiting_since")
        clocks.pause(ticket, at=at)
    elif from_status == Status.WAITING_ON_CUSTOMER:
        ticket.waiting_since = None
        ticket.unanswered_info_requests = 0
        changed += ["waiting_since", "unanswered_info_requests"]
        if to_status == Status.IN_PROGRESS:
            clocks.resume(ticket, at=at)
    if to_status in (Status.RESOLVED, Status.ABANDONED):
        ticket.resolved_at = at
        changed.append("resolved_at")
        clocks.stop_all(ticket, at=at)
    elif to_status == Status.CLOSED:
        ticket.closed_at = at
        changed.append("closed_at")
    elif to_status == Status.REOPENED:
        ticket.resolved_at = ticket.closed_at = None
        changed += ["resolved_at", "closed_at"]
        clocks.reopen(ticket, at=at)
    ticket_event_record(
        ticket, TicketEvent.Kind.STATUS, from_status, to_status, by=by, reason=reason, at=at
    )
    return changed


def _customer_asking(ticket: Ticket, *, by, contact: Contact | None) -> Contact | None:
    """The customer's contact a reopen comes from: the one named (a reply), the one signed in
    (portal, API), or with no one named the requester (the resolution notice's link is mailed
    to them); None when staff reopen."""
    if contact is not None:
        return contact
    if by is None:
        return ticket.requester
    if by.is_staff or by.is_superuser:
        return None
    return Contact.objects.select_related("customer").filter(user=by).first()


def _reopen(
    locked: Ticket, *, by, reason: str, at: datetime, contact: Contact | None = None
) -> None:
    """A locked resolved or closed ticket back to work (in progress), its outcome cleared and
    the reopen announced.

    A reopen asks for support again, so only a customer who may ask now reopens, as for a
    new request (seed 003, II and T&C 1): through a contact authorised to ask, solvent, with
    a live contract and, where the plan takes credits for the ticket's service, the credits a
    request needs available, of which the minimum billable is held again as intake holds it
    (the next resolution converts or releases it). Without this, a customer refused a new
    request could reopen an old one and run into debt, and a contact who may not ask could
    reopen what an authorised one asked. The credit account is locked after the ticket, as
    `tickets.locks` orders."""
    check_transition(locked.status, Status.REOPENED)
    asking = _customer_asking(locked, by=by, contact=contact)
    if asking is not None:
        requester_authorized_check(asking)
    decision = solvency_check(customer=locked.customer, service=locked.service, lock=True, at=at)
    decision.raise_if_refused()
    changed = _move(locked, Status.REOPENED, by=by, reason=reason, at=at)
    changed += _move(locked, Status.IN_PROGRESS, by=by, reason="", at=at)
    if decision.rule is not None and decision.account is not None:
        locked.hold = credits_place_hold(
            account=decision.account,
            credits=decision.rule.min_billable_credits,
            min_available_credits=decision.rule.min_available_credits,
            reference_type="tickets.ticket",
            reference_id=str(locked.pk),
            locked=True,  # solvency_check(lock=True) read it under the lock just now
        )
        changed.append("hold")
    cleared = outcome_clear()
    for name, value in cleared.items():
        setattr(locked, name, value)
    locked.save(update_fields=set(changed) | set(cleared))
    event_emit("ticket.reopened", locked)


def ticket_transition(
    ticket: Ticket,
    *,
    to_status: str,
    by: AbstractBaseUser | None = None,
    reason: str = "",
    at: datetime | None = None,
    outcome: str | None = None,
    outcome_article: Any = None,
    outcome_alternative: str = "",
    outcome_quote: str = "",
) -> Ticket:
    """The one way a ticket changes status; resolving charges it in the same transaction, and
    a reopened ticket goes straight back to work (in progress), whoever reopens it and from
    whichever page, API call or mail.

    Resolving records the outcome (`tickets.outcomes.outcome_fields`, solved when none is
    given), checked under the ticket's lock before anything is written; a reopen clears it,
    and only a customer who may ask for support now reopens (`_reopen`)."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = ticket_lock(ticket.pk)
        if to_status == Status.REOPENED:
            _reopen(locked, by=by, reason=reason, at=at)
            ticket.refresh_from_db()
            return ticket
        recorded: dict[str, Any] = {}
        if to_status == Status.RESOLVED:
            recorded = outcome_fields(
                locked,
                outcome=outcome,
                article=outcome_article,
                alternative=outcome_alternative,
                quote=outcome_quote,
            )
        changed = _move(locked, to_status, by=by, reason=reason, at=at)
        for name, value in recorded.items():
            setattr(locked, name, value)
        locked.save(update_fields=set(changed) | set(recorded))
        if to_status == Status.RESOLVED:
            ticket_charge(locked, by=by, at=at)
            event_emit("ticket.resolved", locked)
            enqueue_on_commit(tasks.send_resolution, locked.pk)
        elif to_status == Status.ABANDONED:
            ticket_release_unused_hold(locked, at=at)
            enqueue_on_commit(tasks.send_abandonment, locked.pk)
    ticket.refresh_from_db()
    return ticket


def ticket_start_work(ticket: Ticket, *, by=None, at=None) -> Ticket:
    return ticket_transition(ticket, to_status=Status.IN_PROGRESS, by=by, at=at)


def ticket_resolve(ticket: Ticket, *, by=None, reason: str = "", at=None, **outcome) -> Ticket:
    """Resolve with an outcome (`outcome`, `outcome_article`, `outcome_alternative`,
    `outcome_quote`, as `ticket_transition` takes them)."""
    return ticket_transition(
        ticket, to_status=Status.RESOLVED, by=by, reason=reason, at=at, **outcome
    )


def ticket_close(ticket: Ticket, *, by=None, at=None) -> Ticket:
    return ticket_transition(ticket, to_status=Status.CLOSED, by=by, at=at)


def ticket_reopen(ticket: Ticket, *, by=None, reason: str = "", at=None) -> Ticket:
    """Back to work with the resolution clock resumed; only new work is charged later."""
    return ticket_transition(ticket, to_status=Status.REOPENED, by=by, reason=reason, at=at)


def _body(body: str) -> str:
    if not body or not body.strip():
        raise InvalidInput({"body": [_("Escriba el mensaje.")]})
    return text_within_limit(body.strip(), field="body")


def ticket_agent_reply(
    ticket: Ticket,
    *,
    by: AbstractBaseUser | None,
    body: str,
    public: bool = True,
    asks_for_information: bool = False,
    channel: str = Channel.PORTAL,
    at: datetime | None = None,
) -> Message:
    """An agent's message. The first public one stops the response clock; a request for
    information puts the ticket on hold waiting for the customer (an internal note does
    neither). `by` None is Creditdesk itself (an automatic reminder)."""
    at = at or timezone.now()
    body = _body(body)
    if asks_for_information and not public:
        raise InvalidInput({"asks_for_information": [_("Una nota interna no pide información.")]})
    with transaction.atomic():
        locked = ticket_lock(ticket.pk)
        message = Message.objects.create(
            ticket=locked,
            direction=Message.Direction.OUTBOUND if public else Message.Direction.INTERNAL,
            channel=channel,
            author_user=by,
            body=body,
            asks_for_information=asks_for_information,
            created_at=at,
        )
        changed: list[str] = []
        if public and locked.first_response_at is None:
            locked.first_response_at = at
            changed.append("first_response_at")
            clocks.stop_response(locked, at=at)
        if public and locked.status in (Status.ACKNOWLEDGED, Status.REOPENED):
            changed += _move(locked, Status.IN_PROGRESS, by=by, reason="reply", at=at)
        if asks_for_information:
            if locked.status != Status.WAITING_ON_CUSTOMER:
                changed += _move(
                    locked, Status.WAITING_ON_CUSTOMER, by=by, reason="information", at=at
                )
            # Each request gets its own time to answer, counted from when it was sent.
            locked.waiting_since = at
            locked.unanswered_info_requests += 1
            changed += ["unanswered_info_requests", "waiting_since"]
        if changed:
            locked.save(update_fields=sorted(set(changed)))
        if public:
            enqueue_on_commit(tasks.send_agent_message, message.pk)
    ticket.refresh_from_db()
    return message


def ticket_customer_reply(
    ticket: Ticket,
    *,
    contact: Contact,
    body: str,
    channel: str = Channel.PORTAL,
    email_message_id: str = "",
    at: datetime | None = None,
) -> Message:
    """A message from the customer; it answers any pending information request and resumes
    the paused clocks. On a resolved ticket it reopens it (the customer answering the
    resolution notice says the request is not solved, seed 003 VIII.c), refused as a reopen
    is when the customer may not ask for support now."""
    at = at or timezone.now()
    body = _body(body)
    if contact.customer_id != ticket.customer_id:
        raise InvalidInput({"contact": [_("El contacto no pertenece al cliente de la solicitud.")]})
    with transaction.atomic():
        locked = ticket_lock_unfinished(ticket.pk)
        if locked.status == Status.RESOLVED:
            _reopen(locked, by=None, reason="customer reply", at=at, contact=contact)
        message = Message.objects.create(
            ticket=locked,
            direction=Message.Direction.INBOUND,
            channel=channel,
            author_contact=contact,
            body=body,
            email_message_id=email_message_id,
            created_at=at,
        )
        if locked.status == Status.WAITING_ON_CUSTOMER:
            changed = _move(locked, Status.IN_PROGRESS, by=None, reason="customer reply", at=at)
            locked.save(update_fields=changed)
    ticket.refresh_from_db()
    return message


def ticket_follow_up(
    closed: Ticket,
    *,
    requester: Contact,
    subject: str,
    description: str = "",
    channel: str,
    email_message_id: str = "",
    submission_key: UUID | None = None,
) -> IntakeResult:
    """A follow-up on a closed request is a new request linked to it (seed 003); a mail's
    Message-ID is kept on its opening message, as on any request opened by mail; a portal
    form's `submission_key` opens one follow-up however often it is posted."""
    if closed.status not in Ticket.FINISHED_STATUSES:
        raise FollowUpNotAllowed(field="follows_up", number=closed.number)
    return ticket_open(
        channel=channel,
        requester=requester,
        subject=subject,
        description=description,
        service=closed.service,
        impact=closed.impact,
        urgency=closed.urgency,
        follows_up=closed,
        email_message_id=email_message_id,
        submission_key=submission_key,
    )


def ticket_escalate(
    ticket: Ticket,
    *,
    to_level: int,
    by: AbstractBaseUser | None,
    reason: str,
    referred_to: str = "",
    at=None,
) -> Ticket:
    """Move to another resolution level (seed 001: 1, 2, 3), keeping who and why.

    Where the ticket's policy defines its levels, only those exist, and a level that is
    worked by a vendor or a committee ("requiere la participación de un proveedor directo ...
    o es escalado al comité de expertos") needs to be told which one."""
    at = at or timezone.now()
    reason = text_within_limit(reason.strip(), field="reason")
    referred_to = referred_to.strip()
    if not reason:
        raise InvalidInput({"reason": [_("Indique el motivo del escalamiento.")]})
    if len(referred_to) > Ticket._meta.get_field("referred_to").max_length:
        raise InvalidInput({"referred_to": [_("Como máximo 160 caracteres.")]})
    with transaction.atomic():
        locked = ticket_lock_unfinished(ticket.pk)
        levels = clocks.levels_for(locked)
        if to_level not in levels:
            numbers = ", ".join(map(str, levels))
            unknown = _("Los niveles de resolución de esta solicitud son %(numbers)s.")
            raise InvalidInput(
                {"to_level": [ValidationError(unknown, params={"numbers": numbers})]}
            )
        if locked.resolution_level == to_level:
            raise InvalidInput({"to_level": [_("La solicitud ya está en ese nivel.")]})
        level = levels[to_level]
        if level is not None and level.needs_referral and not referred_to:
            raise InvalidInput(
                {"referred_to": [_("Indique el proveedor, fabricante o comité que lo atiende.")]}
            )
        ticket_event_record(
            locked,
            TicketEvent.Kind.ESCALATION,
            locked.resolution_level,
            to_level,
            by=by,
            reason=f"{reason} → {referred_to}" if referred_to else reason,
            at=at,
        )
        locked.resolution_level = to_level
        locked.referred_to = referred_to
        locked.save(update_fields=["resolution_level", "referred_to"])
    ticket.refresh_from_db()
    return ticket


def ticket_override_priority(
    ticket: Ticket, *, priority: str, by: AbstractBaseUser, reason: str, at=None
) -> Ticket:
    """Staff set another priority than the matrix gave; the reason is kept and the open
    clocks move to the new priority's targets, keeping the time already used."""
    at = at or timezone.now()
    if priority not in Priority.values:
        unknown = _("«%(value)s» no es una prioridad conocida.")
        raise InvalidInput({"priority": [ValidationError(unknown, params={"value": priority})]})
    reason = text_within_limit(reason, field="reason")
    with transaction.atomic():
        locked = ticket_lock(ticket.pk)
        if locked.status in Ticket.FINISHED_STATUSES:
            raise InvalidInput({"priority": [_("Una solicitud terminada no cambia de prioridad.")]})
        decision = clocks.override_priority(locked, priority=priority, reason=reason, by=by, at=at)
        ticket_event_record(
            locked,
            TicketEvent.Kind.PRIORITY,
            locked.priority,
            decision.priority,
            by=by,
            reason=decision.reason,
            at=at,
        )
        locked.priority = decision.priority
        locked.priority_override_reason = decision.reason
        locked.save(update_fields=["priority", "priority_override_reason"])
    ticket.refresh_from_db()
    return ticket


def ticket_reclassify(
    ticket: Ticket, *, service: Service, by: AbstractBaseUser, reason: str, at=None
) -> Ticket:
    """Staff name the service type a request really is about (seed 000: a maintenance report
    that turns out to be a usage question is answered as SLA 1). The reason is kept, the open
    clocks move to the type's policy keeping the time used, and the type's billing applies
    when the ticket is charged. The contract must cover the type, as at intake."""
    at = at or timezone.now()
    reason = text_within_limit(reason.strip(), field="reason")
    if not reason:
        raise InvalidInput({"reason": [_("Indique el motivo del cambio de tipo.")]})
    with transaction.atomic():
        locked = ticket_lock(ticket.pk)
        if locked.status in Ticket.FINISHED_STATUSES:
            raise InvalidInput({"service": [_("Una solicitud terminada no cambia de tipo.")]})
        if locked.service_id == service.pk:
            raise InvalidInput({"service": [_("La solicitud ya es de ese tipo.")]})
        scope_check(locked.contract, service)
        version = clocks.current_policy_version(locked.contract.plan, service)
        ticket_event_record(
            locked,
            TicketEvent.Kind.SERVICE,
            locked.service.code[:40] if locked.service else "",
            service.code[:40],
            by=by,
            reason=reason,
            at=at,
        )
        locked.service = service
        locked.save(update_fields=["service"])
        clocks.move_to_policy(locked, version, at=at)
    ticket.refresh_from_db()
    return ticket


def ticket_assign(ticket: Ticket, *, assignee: AbstractBaseUser | None, by=None) -> Ticket:
    with transaction.atomic():
        locked = ticket_lock(ticket.pk)
        locked.assignee = assignee
        locked.save(update_fields=["assignee"])
        clocks.set_recipients(locked)
    ticket.refresh_from_db()
    return ticket


REMINDER_ES = (
    "Seguimos esperando la información que le pedimos para continuar con su solicitud. "
    "Si no recibimos respuesta, la solicitud se cerrará por abandono."
)
REMINDER_EN = (
    "We are still waiting for the information we asked for to continue with your request. "
    "Without an answer, the request will be closed as abandoned."
)


def tickets_chase_unanswered(*, now: datetime | None = None) -> dict[str, int]:
    """Seed 003: a request whose information requests go unanswered is abandoned.

    A ticket waiting on the customer past the answer time (`clocks.answer_deadline`: its
    plan's window and calendar) gets another information request, until its plan's limit
    of unanswered requests (`clocks.unanswered_limit`): then it closes as abandoned.
    Idempotent: a run at the same instant finds nothing more to do.
    """
    now = now or timezone.now()
    done = {"reminded": 0, "abandoned": 0}
    waiting = Ticket.objects.filter(
        status=Status.WAITING_ON_CUSTOMER, waiting_since__isnull=False
    ).select_related("requester__customer", "customer", "contract__plan")
    for ticket in waiting.iterator():
        if now < clocks.answer_deadline(ticket):
            continue
        if ticket.unanswered_info_requests >= clocks.unanswered_limit(ticket):
            ticket_transition(
                ticket,
                to_status=Status.ABANDONED,
                reason=f"{ticket.unanswered_info_requests} pedidos de información sin respuesta",
                at=now,
            )
            done["abandoned"] += 1
        else:
            language = ticket.requester.preferred_language if ticket.requester else "es"
            ticket_agent_reply(
                ticket,
                by=None,
                body=REMINDER_EN if language == "en" else REMINDER_ES,
                asks_for_information=True,
                at=now,
            )
            done["reminded"] += 1
    return done
