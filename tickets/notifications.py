"""Mail to customers about their tickets, in the requester's language and time zone.

Run by the tasks in `tickets.tasks`, enqueued on commit (nothing is sent for work that rolled
back); each mail is sent once per ticket or message and recipient (`background.mail`).
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from background.mail import mail_once
from core.formatting import zone_label
from core.reads import first_row
from tickets import clocks, reopen_links
from tickets.models import Message, Ticket, TicketEscalation

# RFC 3834's mark of an automatic answer, which out-of-office robots do not answer.
AUTO_REPLIED = {"Auto-Submitted": "auto-replied"}


def _send(
    ticket: Ticket,
    template: str,
    subject: str,
    *,
    kind: str,
    about: int,
    automatic: bool = False,
    **context,
) -> None:
    """`automatic`: sent by Creditdesk itself, not written by an agent; marked as RFC 3834
    asks, so out-of-office robots do not answer it."""
    requester = ticket.requester
    if requester is None:
        return
    language = requester.preferred_language
    # Templates show datetimes in the active time zone: the customer's, not the server's UTC.
    with translation.override(language), timezone.override(ticket.customer.time_zone_info):
        body = render_to_string(
            f"tickets/email/{template}.{language}.txt",
            {
                "ticket": ticket,
                "due": clocks.due_times(ticket),
                "time_zone": zone_label(ticket.customer.time_zone, language),
                **context,
            },
        )
    message = EmailMessage(
        subject=f"[{ticket.number}] {subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[requester.email],
        headers={"X-Creditdesk-Ticket": ticket.number} | (AUTO_REPLIED if automatic else {}),
    )
    mail_once(message, kind=kind, about=about)


def send_acknowledgement(ticket_id: int) -> None:
    """Seed 003's "acuse de recibo": the number and the due times, in the customer's zone.
    Every intake sends one: its reads are compiled once per connection (`core.reads`)."""
    ticket = first_row("acknowledged_ticket", _ticket_to_acknowledge, pk=ticket_id)
    if ticket is None:
        raise Ticket.DoesNotExist(ticket_id)
    _send(
        ticket,
        "acknowledgement",
        ticket.subject,
        kind="acknowledgement",
        about=ticket.pk,
        automatic=True,
    )


def _ticket_to_acknowledge(*, pk: int) -> QuerySet[Ticket]:
    return Ticket.objects.select_related("requester__customer", "customer").filter(pk=pk)


def _closing_ticket(ticket_id: int) -> tuple[Ticket, str]:
    """The ticket a resolution or abandonment notice is about, with its contract's plan (the
    charge's wording), and its requester's language."""
    ticket = Ticket.objects.select_related("requester__customer", "customer", "contract__plan").get(
        pk=ticket_id
    )
    return ticket, ticket.requester.preferred_language if ticket.requester else "es"


def send_resolution(ticket_id: int) -> None:
    """The solution, the time worked and, where credits apply, the charge and its reason,
    with a link that reopens the request in one click. Once per resolution."""
    ticket, language = _closing_ticket(ticket_id)
    resolution = reopen_links.resolution_event(ticket)
    if ticket.status != Ticket.Status.RESOLVED or resolution is None:
        return  # reopened or closed before the mail left: the notice would be wrong
    last_answer = (
        ticket.messages.filter(direction=Message.Direction.OUTBOUND).order_by("-pk").first()
    )
    _send(
        ticket,
        "resolution",
        ticket.subject,
        kind="resolution",
        about=resolution.pk,
        solution=resolution.reason or (last_answer.body if last_answer else ""),
        charges_credits=ticket.contract.plan.takes_credits_for(ticket.service),
        draws_allowance=ticket.contract.plan.included_hours is not None,
        explanation=ticket.charge_explanation_in(language),
        reopen_url=settings.SITE_URL
        + reverse("web:reopen-link", args=[reopen_links.reopen_token(ticket, resolution)]),
    )


def send_abandonment(ticket_id: int) -> None:
    """Seed 003 VIII.b closes a request whose information requests went unanswered: the
    customer hears that it closed, why, what the work done on it was charged, and that a
    reply opens a follow-up. Once per ticket (abandonment is final)."""
    ticket, language = _closing_ticket(ticket_id)
    if ticket.status != Ticket.Status.ABANDONED:
        return
    _send(
        ticket,
        "abandonment",
        ticket.subject,
        kind="abandonment",
        about=ticket.pk,
        automatic=True,
        charged=bool(ticket.billed_minutes)
        and ticket.contract.plan.takes_credits_for(ticket.service),
        explanation=ticket.charge_explanation_in(language),
    )


def send_agent_message(message_id: int) -> None:
    message = Message.objects.select_related("ticket__requester__customer", "ticket__customer").get(
        pk=message_id
    )
    _send(
        message.ticket,
        "agent_message",
        message.ticket.subject,
        kind="agent_message",
        about=message.pk,
        message=message,
    )


def send_escalation(escalation_id: int) -> None:
    """Tell the people watching a ticket (its assignee, the account manager and the rung's
    own address) that a rung of the escalation ladder acted, in the help desk's language."""
    escalation = TicketEscalation.objects.select_related(
        "ticket__customer__account_manager", "ticket__assignee", "step"
    ).get(pk=escalation_id)
    ticket = escalation.ticket
    emails = set(clocks.recipients(ticket))
    if escalation.step.notify_email:
        emails.add(escalation.step.notify_email)
    if not emails:
        return
    language = settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(ticket.customer.time_zone_info):
        body = render_to_string(
            f"tickets/email/escalation.{language}.txt",
            {
                "ticket": ticket,
                "escalation": escalation,
                "level": clocks.level_status(ticket, now=escalation.at),
                "url": settings.SITE_URL + reverse("web:work", args=[ticket.number]),
            },
        )
    prefix = "Escalamiento" if language == "es" else "Escalation"
    message = EmailMessage(
        subject=f"[{ticket.number}] {prefix}: {ticket.subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=sorted(emails),
        headers={"X-Creditdesk-Ticket": ticket.number},
    )
    mail_once(message, kind="escalation", about=escalation.pk)
