"""One intake for every channel.

`ticket_open` checks, in this order, and names the first reason that fails (DESIGN.md):
unknown or unauthorized requester; free membership; no active contract; channel not
allowed by the plan (or by the named service type); service outside the catalogue; contract
suspended or customer administratively insolvent; fewer available credits than the plan's
minimum (only where `Plan.takes_credits_for` says: a prepaid-credits plan, or included hours
then credits once the month's hours are used up, for a service type that is billed).

The service type also decides the SLA policy the clocks run on (else the plan's) and the
impact when the customer gives none (seed 002: an outage is high, a password reset low).

The credit account row is locked for the whole decision and the hold is placed in the same
transaction, so two concurrent requests can never both pass on credits only one of them has.
A refusal writes nothing but an `IntakeAttempt`, recorded after the decision's transaction.
"""

import functools
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from background.queue import enqueue_with_transaction
from contracts.models import Channel, Contact, Contract, Customer, Service
from contracts.selectors import contact_get_by_email, services_covered
from core.bulk import row_update, rows_insert
from core.errors import CONTROL_CHARACTERS, CreditdeskError, InvalidInput, choice_labels
from core.events import event_emit
from core.formatting import zone_label
from core.text import has_control_characters, one_line
from credits.services import credits_place_hold
from credits.solvency import SolvencyDecision, solvency_check
from sla.calendars import is_working_time, next_working_moment
from sla.choices import Impact, Priority, Urgency
from tickets import clocks, tasks
from tickets.exceptions import (
    ChannelClosed,
    ChannelNotAllowed,
    OutOfScope,
    PhoneNeedsTicketNumber,
    ServiceChannelNotAllowed,
    UnauthorizedRequester,
    UnknownRequester,
)
from tickets.models import IntakeAttempt, Message, Ticket, TicketEvent, text_too_long
from tickets.services.events import ticket_event_record

# Channels staff record on a customer's behalf: a call, a chat, a WhatsApp message, or staff
# intake. Every other channel is the entry point's own (portal, email, api).
STAFF_RECORDED_CHANNELS = frozenset({Channel.PHONE, Channel.CHAT, Channel.WHATSAPP, Channel.STAFF})
CHANNEL_NOT_CHOOSABLE = _(
    "No se puede indicar el canal «%(channel)s» aquí: las solicitudes del cliente llegan por "
    "%(entry)s; el personal registra teléfono, chat, WhatsApp o personal."
)


def channel_decide(*, entry: str, requested: str | None, by_staff: bool) -> str:
    """The channel a request or a customer's reply arrives by. The entry point decides for a
    customer (the portal is `portal`, mail `email`, a contact's API call `api`), so no plan
    rule can be bypassed by naming another; staff name the channel they record on the
    customer's behalf (default: staff intake). Anything else is refused naming the field."""
    if not requested:
        return Channel.STAFF if by_staff else entry
    if (by_staff and requested in STAFF_RECORDED_CHANNELS) or (not by_staff and requested == entry):
        return requested
    refusal = ValidationError(
        CHANNEL_NOT_CHOOSABLE,
        code="channel_not_choosable",
        params={"channel": requested, "entry": entry},
    )
    raise InvalidInput({"channel": [refusal]})


# Refusals the solvency check decides before the channel and scope are looked at.
REFUSED_BEFORE_CHANNEL = frozenset({"free_membership", "no_active_contract"})


@dataclass(frozen=True)
class IntakeResult:
    ticket: Ticket | None = None
    refusal: CreditdeskError | None = None
    attempt: IntakeAttempt | None = None
    # The request an earlier submit of the same form opened (`submission_key`): nothing new.
    replayed: bool = False
    # ... though this submit's subject or description differ (edited after going back).
    replay_differs: bool = False

    @property
    def accepted(self) -> bool:
        return self.ticket is not None


def ticket_open(
    *,
    channel: str,
    subject: str,
    description: str = "",
    requester: Contact | None = None,
    requester_address: str = "",
    service: Service | None = None,
    impact: str | None = None,
    urgency: str = Urgency.MEDIUM,
    suggested_priority: str = "",
    existing_ticket_number: str = "",
    follows_up: Ticket | None = None,
    by: AbstractBaseUser | None = None,
    email_message_id: str = "",
    submission_key: UUID | None = None,
    at: datetime | None = None,
) -> IntakeResult:
    """Open a request or say why not. Locks the customer's credit account; mails on commit.
    Without an `impact`, the service type's default (medium without one). A
    `suggested_priority` (the customer's, seed 003) is kept for staff; it decides nothing.
    A `submission_key` (the portal form's) opens one request per key and requester: a second
    submit gets the first one's ticket, `replayed`, even where the first took the last
    credits, and concurrent ones meet at the ticket's unique key."""
    at = at or timezone.now()
    subject = one_line(subject)  # every mail about the ticket carries it in its Subject
    if not impact:
        impact = service.default_impact if service is not None else Impact.MEDIUM
    _validate(
        channel=channel,
        subject=subject,
        description=description,
        impact=impact,
        urgency=urgency,
        suggested_priority=suggested_priority,
    )
    if requester is None and requester_address:
        requester = contact_get_by_email(email=requester_address)
    replay = functools.partial(_replay, subject=subject.strip(), description=description)
    if (earlier := _submitted(requester, submission_key)) is not None:
        return replay(earlier)
    try:
        with transaction.atomic():
            ticket = _open_locked(
                channel=channel,
                subject=subject.strip(),
                description=description,
                requester=requester,
                requester_address=requester_address,
                service=service,
                impact=impact,
                urgency=urgency,
                suggested_priority=suggested_priority,
                existing_ticket_number=existing_ticket_number.strip(),
                follows_up=follows_up,
                by=by,
                email_message_id=email_message_id,
                submission_key=submission_key,
                at=at,
            )
    except IntegrityError:
        # Another submit of the same form committed its ticket while this one waited for the
        # account's lock; anything else is not ours to answer.
        if (earlier := _submitted(requester, submission_key)) is None:
            raise
        return replay(earlier)
    except CreditdeskError as refusal:
        if isinstance(refusal, InvalidInput):
            raise
        if (earlier := _submitted(requester, submission_key)) is not None:
            return replay(earlier)
        attempt = intake_refusal_record(
            refusal,
            channel=channel,
            subject=subject,
            requester=requester,
            requester_address=requester_address,
            at=at,
        )
        return IntakeResult(refusal=refusal, attempt=attempt)
    return IntakeResult(ticket=ticket)


def _replay(earlier: Ticket, *, subject: str, description: str) -> IntakeResult:
    differs = (earlier.subject, earlier.description) != (subject, description)
    return IntakeResult(ticket=earlier, replayed=True, replay_differs=differs)


def _submitted(requester: Contact | None, submission_key: UUID | None) -> Ticket | None:
    if requester is None or submission_key is None:
        return None
    return Ticket.objects.filter(requester=requester, submission_key=submission_key).first()


def _validate(
    *,
    channel: str,
    subject: str,
    description: str,
    impact: str,
    urgency: str,
    suggested_priority: str = "",
) -> None:
    errors: dict[str, list[ValidationError]] = {}
    too_long = text_too_long(description or "")
    if too_long is not None:
        errors["description"] = [too_long]
    elif has_control_characters(description or ""):
        errors["description"] = [ValidationError(CONTROL_CHARACTERS, code="control")]
    if channel not in Channel.values:
        unknown = _("«%(value)s» no es un canal conocido.")
        errors["channel"] = [ValidationError(unknown, params={"value": channel})]
    limit = Ticket._meta.get_field("subject").max_length
    if not subject or not subject.strip():
        errors["subject"] = [ValidationError(_("Indique el asunto de la solicitud."))]
    elif len(subject.strip()) > limit:
        too_long = _("El asunto admite hasta %(limit)s caracteres.")
        errors["subject"] = [ValidationError(too_long, params={"limit": limit})]
    elif has_control_characters(subject):
        invisible = _("El asunto tiene caracteres de control invisibles; escríbalo de nuevo.")
        errors["subject"] = [ValidationError(invisible)]
    if impact not in Impact.values:
        unknown = _("«%(value)s» no es un impacto conocido.")
        errors["impact"] = [ValidationError(unknown, params={"value": impact})]
    if urgency not in Urgency.values:
        unknown = _("«%(value)s» no es una urgencia conocida.")
        errors["urgency"] = [ValidationError(unknown, params={"value": urgency})]
    if suggested_priority and suggested_priority not in Priority.values:
        unknown = _("«%(value)s» no es una prioridad conocida.")
        errors["suggested_priority"] = [
            ValidationError(unknown, params={"value": suggested_priority})
        ]
    if errors:
        raise InvalidInput(errors)


def _open_locked(
    *,
    channel: str,
    subject: str,
    description: str,
    requester: Contact | None,
    requester_address: str,
    service: Service | None,
    impact: str,
    urgency: str,
    suggested_priority: str,
    existing_ticket_number: str,
    follows_up: Ticket | None,
    by: AbstractBaseUser | None,
    email_message_id: str,
    submission_key: UUID | None,
    at: datetime,
) -> Ticket:
    decision, follows_up = intake_evaluate(
        requester=requester,
        requester_address=requester_address,
        channel=channel,
        service=service,
        existing_ticket_number=existing_ticket_number,
        follows_up=follows_up,
        lock=True,
        at=at,
    )
    customer, contract = requester.customer, decision.contract
    rule = decision.rule
    policy_version = clocks.current_policy_version(contract.plan, service, contract=contract)
    priority = clocks.priority_for(policy_version, impact=impact, urgency=urgency)
    ticket = Ticket(
        customer=customer,
        contract=contract,
        requester=requester,
        opened_by=by,
        channel=channel,
        subject=subject,
        description=description,
        service=service,
        impact=impact,
        urgency=urgency,
        priority=priority,
        suggested_priority=suggested_priority,
        status=Ticket.Status.ACKNOWLEDGED,
        follows_up=follows_up,
        opened_at=at,
        submission_key=submission_key,
    )
    rows_insert([ticket])
    ticket.number = f"T-{at.year}-{ticket.pk:06d}"
    if rule is not None:  # the plan takes credits: hold the minimum billable now
        ticket.hold = credits_place_hold(
            account=decision.account,
            credits=rule.min_billable_credits,
            min_available_credits=rule.min_available_credits,
            reference_type="tickets.ticket",
            reference_id=str(ticket.pk),
            locked=True,  # solvency_check(lock=True) read it under the lock just now
        )
        if decision.available - rule.min_billable_credits < decision.required:
            # The next request would be refused: the customer's credits run low now.
            event_emit("credits.low", decision.account)
    row_update(ticket, ("number", "hold"))
    opening = Message(
        ticket=ticket,
        direction=Message.Direction.INBOUND,
        channel=channel,
        author_contact=requester,
        author_user=by,
        body=description.strip() or subject,
        email_message_id=email_message_id,
        created_at=at,
    )
    rows_insert([opening])
    ticket_event_record(
        ticket,
        TicketEvent.Kind.STATUS,
        Ticket.Status.NEW,
        Ticket.Status.ACKNOWLEDGED,
        reason=f"intake:{channel}",
        by=by,
        at=at,
    )
    clocks.start(ticket, policy_version, at=at)
    enqueue_with_transaction(tasks.send_acknowledgement, ticket.pk)
    event_emit("ticket.created", ticket)
    return ticket


def requester_authorized_check(requester: Contact) -> None:
    """A contact asks for support (a request, a follow-up, a reopen) only when their customer
    authorised them to (`Contact.can_request`); the others read the portal and nothing more."""
    if not requester.can_request:
        raise UnauthorizedRequester(
            requester=requester.email, customer=requester.customer.legal_name
        )


def intake_evaluate(
    *,
    requester: Contact | None,
    channel: str,
    requester_address: str = "",
    service: Service | None = None,
    existing_ticket_number: str = "",
    follows_up: Ticket | None = None,
    lock: bool = False,
    at: datetime | None = None,
) -> tuple[SolvencyDecision, Ticket | None]:
    """Intake's questions in intake's order (module docstring); raises the first refusal, or
    returns the solvency decision and the ticket a request follows up. `ticket_open` asks it
    with `lock=True` inside its transaction; the portal's preview asks it as is, writing and
    locking nothing, so the preview can never disagree with intake."""
    if requester is None:
        raise UnknownRequester(requester=requester_address or "?")
    requester_authorized_check(requester)
    decision = solvency_check(
        customer=requester.customer,
        service=service,
        lock=lock,
        at=at,
        columns=clocks.plan_policy_columns(),
    )
    if decision.code in REFUSED_BEFORE_CHANNEL:
        decision.raise_if_refused()
    follows_up = _check_channel(
        decision.contract, channel, existing_ticket_number, follows_up, service
    )
    _check_channel_hours(decision.contract, channel, at or timezone.now())
    scope_check(decision.contract, service)
    decision.raise_if_refused()
    return decision, follows_up


def _check_channel(
    contract: Contract,
    channel: str,
    existing_ticket_number: str,
    follows_up: Ticket | None,
    service: Service | None,
) -> Ticket | None:
    plan = contract.plan
    if channel == Channel.PHONE and plan.phone_requires_ticket_number:
        existing = Ticket.objects.filter(
            customer_id=contract.customer_id, number=existing_ticket_number
        ).first()
        if existing is None:
            raise PhoneNeedsTicketNumber(field="existing_ticket_number", plan=plan.name)
        return follows_up or existing
    if not plan.allows_channel(channel):
        raise ChannelNotAllowed(
            field="channel", plan=plan.name, channel=choice_labels(channel, Channel)
        )
    if not plan.allows_channel(channel, service):
        raise ServiceChannelNotAllowed(
            field="channel",
            service=service.name,
            allowed=choice_labels(service.allowed_channels, Channel),
            channel=choice_labels(channel, Channel),
        )
    return follows_up


def _check_channel_hours(contract: Contract, channel: str, at: datetime) -> None:
    """A channel the plan opens only in business hours (seed 002: chat and phone "en horario
    hábil") refuses outside them, saying when it opens and which channels are open now."""
    plan = contract.plan
    if channel not in plan.business_hours_channels:
        return
    calendar = clocks.plan_calendar(plan)
    if calendar is None or is_working_time(at, calendar):
        return
    zone = contract.customer.time_zone_info
    open_now = [c for c in plan.allowed_channels if c not in plan.business_hours_channels]
    raise ChannelClosed(
        field="channel",
        channel=choice_labels(channel, Channel),
        opens_at=next_working_moment(at, calendar).astimezone(zone),
        zone=zone_label(contract.customer.time_zone),
        open_channels=choice_labels(open_now, Channel) if open_now else "—",
    )


def scope_check(contract: Contract, service: Service | None) -> None:
    """Only a service the contract covers (`services_covered`), or none named."""
    if service is not None and not services_covered(contract).filter(pk=service.pk).exists():
        raise OutOfScope(field="service", service=service.name)


def intake_refusal_record(
    refusal: CreditdeskError,
    *,
    channel: str,
    subject: str,
    requester: Contact | None,
    requester_address: str,
    at: datetime,
) -> IntakeAttempt:
    """The refused request, kept for the customer's and the staff's pages, and announced
    (`ticket.refused`): intake's own refusals, and mail refused before intake was asked."""
    customer: Customer | None = requester.customer if requester else None
    attempt = IntakeAttempt.objects.create(
        customer=customer,
        contact=requester,
        requester_address=requester_address or (requester.email if requester else ""),
        channel=channel,
        subject=subject[:200],
        reason=refusal.code,
        message=refusal.message("es"),
        message_en=refusal.message("en"),
        created_at=at,
    )
    event_emit("ticket.refused", attempt)
    return attempt
