"""Work logs, scheduled sessions and charging a ticket's credits.

Worked minutes are never rewritten: a ticket keeps its logs as worked and stores beside
them what was billed (`billed_minutes`, `billed_credits`, the explanation). Charging on a
second resolution bills only the difference and never refunds: a refund needs staff
(a ledger adjustment). Rows are locked in the order of `tickets.locks`.
"""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.signals import onsite_work_logged
from core.errors import InvalidInput, choice_labels, full_clean_or_raise
from credits.allowance import (
    RequestAllowance,
    allowance_draw,
    allowance_explanation,
    allowance_left,
)
from credits.models import CreditHold
from credits.rules import (
    BilledCredits,
    Explanation,
    charge_explanation,
    credit_rule_for,
    credits_for_minutes,
)
from credits.services import (
    credit_account_get_or_create,
    credits_charge,
    credits_charge_no_show,
    credits_release_hold,
)
from tickets.exceptions import (
    SessionNotScheduled,
    SessionNotStarted,
    WorkLogLocked,
)
from tickets.locks import session_lock, ticket_lock_unfinished, worklog_lock
from tickets.models import ScheduledSession, Ticket, TicketEvent, WorkLog
from tickets.services.events import ticket_event_record


def ticket_charge(ticket: Ticket, *, by: AbstractBaseUser | None = None, at: datetime) -> None:
    """Bill the ticket's billable minutes by its contract's rule, converting its hold.
    Call with the ticket row locked, inside the caller's transaction. On a plan with an
    allowance of included hours the minutes are first drawn from the month's allowance
    (`credits.allowance`, locking the month row after the ticket); on included hours, then
    credits only the minutes beyond it are charged in credits. On a plan with support
    included nothing is charged: the worked minutes are recorded and explained."""
    minutes = ticket.work_logs.filter(billable=True).aggregate(total=Sum("minutes"))["total"] or 0
    plan = ticket.contract.plan
    drawn = None
    if plan.draws_allowance_for(ticket.service):
        drawn = allowance_draw(
            contract=ticket.contract,
            reference_type="tickets.ticket",
            reference_id=str(ticket.pk),
            minutes=minutes,
            at=at,
        )
    if not plan.takes_credits_for(ticket.service) or (drawn and drawn.over_minutes == 0):
        _record_included_work(ticket, minutes, drawn)
        return
    rule = credit_rule_for(ticket.contract)
    if drawn is None:
        billed = credits_for_minutes(minutes, rule)
    else:  # included hours, then credits: the minutes beyond the allowance, by the rule
        beyond = credits_for_minutes(drawn.over_minutes, rule)
        billed = BilledCredits(
            beyond.credits,
            allowance_explanation(drawn, minutes=minutes, beyond=beyond.explanation),
        )
    difference = billed.credits - ticket.billed_credits
    hold = _active_hold(ticket)
    account = credit_account_get_or_create(customer=ticket.customer)
    if difference > 0:
        credits_charge(
            account=account,
            credits=difference,
            hold=hold,
            reason=charge_explanation(billed, ticket.billed_credits),
            by=by,
            # Totals only grow, so the new total names this charge uniquely and a retry
            # of the same resolution cannot charge twice.
            idempotency_key=f"ticket:{ticket.pk}:billed:{billed.credits}",
            reference_type="tickets.ticket",
            reference_id=str(ticket.pk),
        )
    elif hold is not None:
        credits_release_hold(hold=hold, account=account)
    ticket.work_logs.filter(charged=False).update(charged=True)
    ticket_event_record(
        ticket,
        TicketEvent.Kind.CHARGE,
        ticket.billed_credits,
        billed.credits,
        reason=billed.explanation.es,
        reason_en=billed.explanation.en,
        by=by,
        at=at,
    )
    ticket.billed_minutes = minutes
    ticket.billed_credits = billed.credits
    ticket.charge_explanation = billed.explanation.es
    ticket.charge_explanation_en = billed.explanation.en
    ticket.save(
        update_fields=[
            "billed_minutes",
            "billed_credits",
            "charge_explanation",
            "charge_explanation_en",
        ]
    )


def _record_included_work(ticket: Ticket, minutes: int, drawn: RequestAllowance | None) -> None:
    # A ticket reclassified from a billed service type, or whose hours were included after
    # all (a new month), still holds its minimum: give it back.
    hold = _active_hold(ticket)
    if hold is not None:
        credits_release_hold(hold=hold)
    ticket.work_logs.filter(charged=False).update(charged=True)
    ticket.billed_minutes = minutes
    plan = ticket.contract.plan
    if drawn is not None:
        explanation = allowance_explanation(drawn, minutes=minutes, overage=plan.bills_overage)
        ticket.charge_explanation = explanation.es
        ticket.charge_explanation_en = explanation.en
    elif plan.takes_credits_for(None):  # a service type the provider does not bill
        service = ticket.service.name
        ticket.charge_explanation = (
            f"{minutes} min trabajados en «{service}», que no se factura: sin cargo de créditos."
        )
        ticket.charge_explanation_en = (
            f"{minutes} min worked on “{service}”, which is not billed: no credits charged."
        )
    else:
        # Naming the plan, not "su plan": the agent's page and the API read this text too,
        # and it would speak to them as if they were the customer.
        ticket.charge_explanation = (
            f"{minutes} min trabajados, incluidos en el plan «{plan.name}»: sin cargo de créditos."
        )
        ticket.charge_explanation_en = (
            f"{minutes} min worked, included in the “{plan.name}” plan: no credits charged."
        )
    ticket.save(update_fields=["billed_minutes", "charge_explanation", "charge_explanation_en"])


def ticket_release_unused_hold(ticket: Ticket, *, at: datetime) -> None:
    """An abandoned ticket bills the work done on it, if any; otherwise its hold goes back."""
    if ticket.work_logs.filter(billable=True, charged=False).exists():
        ticket_charge(ticket, at=at)
        return
    hold = _active_hold(ticket)
    if hold is not None:
        credits_release_hold(hold=hold)


def _active_hold(ticket: Ticket) -> CreditHold | None:
    if ticket.hold_id is None:
        return None
    hold = CreditHold.objects.get(pk=ticket.hold_id)
    return hold if hold.is_active else None


def worklog_add(
    ticket: Ticket,
    *,
    by: AbstractBaseUser,
    started_at: datetime,
    minutes: int,
    note: str = "",
    onsite: bool = False,
    billable: bool = True,
) -> WorkLog:
    """Log work; on-site work is announced (`onsite_work_logged`) so billing can invoice the
    plan's surcharge at month end. The same agent's work on the same request starting at the
    same moment, as long and written the same, is the work already logged (a form sent twice,
    a retry): that log is returned and nothing more is logged, billed or surcharged."""
    log = WorkLog(
        ticket=ticket,
        agent=by,
        started_at=started_at,
        minutes=minutes,
        note=note,
        onsite=onsite,
        billable=billable,
    )
    full_clean_or_raise(log, texts=["note"])
    with transaction.atomic():
        ticket_lock_unfinished(ticket.pk)
        # read under the ticket's lock: a twin submit that held it first is seen here
        twin = WorkLog.objects.filter(
            ticket=ticket,
            agent=by,
            started_at=log.started_at,
            minutes=log.minutes,
            note=log.note,
            onsite=log.onsite,
            billable=log.billable,
        ).first()
        if twin is not None:
            return twin
        log.save()
        if onsite:
            onsite_work_logged.send(
                sender=WorkLog,
                contract=ticket.contract,
                performed_on=timezone.localdate(
                    started_at, timezone=ticket.customer.time_zone_info
                ),
                description=f"Trabajo en sitio, solicitud {ticket.number}: {log.minutes} min",
                reference=f"{ticket.number}#{log.pk}",
            )
    return log


def worklog_update(log: WorkLog, **fields) -> WorkLog:
    """Only logs not yet charged change; a charged one is corrected by a new log."""
    allowed = {"started_at", "minutes", "note", "billable"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput({name: [_("No se puede modificar.")] for name in sorted(unknown)})
    with transaction.atomic():
        ticket_lock_unfinished(log.ticket_id)  # the ticket first, as tickets.locks orders
        locked = worklog_lock(log.pk)
        if locked.charged:
            raise WorkLogLocked(field="minutes")
        for name, value in fields.items():
            setattr(locked, name, value)
        full_clean_or_raise(locked, texts=["note"] if "note" in fields else [])
        locked.save(update_fields=list(fields))
    return locked


def session_schedule(
    ticket: Ticket, *, by: AbstractBaseUser, starts_at: datetime, minutes: int = 60
) -> ScheduledSession:
    session = ScheduledSession(ticket=ticket, agent=by, starts_at=starts_at, minutes=minutes)
    full_clean_or_raise(session)
    with transaction.atomic():
        ticket_lock_unfinished(ticket.pk)
        session.save()
    return session


def session_mark_held(session: ScheduledSession) -> ScheduledSession:
    return _close_session(session, ScheduledSession.Status.HELD)


def session_cancel(session: ScheduledSession) -> ScheduledSession:
    return _close_session(session, ScheduledSession.Status.CANCELLED)


def session_mark_no_show(
    session: ScheduledSession, *, by: AbstractBaseUser | None = None
) -> ScheduledSession:
    """The customer did not come: where the request takes credits (a prepaid-credits plan,
    or included hours then credits with the month's hours used up), charge the minimum
    billable credits once (seed 003); with support included the no-show is only recorded."""
    with transaction.atomic():
        locked = _lock_scheduled(session)
        if locked.starts_at > timezone.now():
            raise SessionNotStarted(field="session")
        ticket = locked.ticket
        entry = None
        left = allowance_left(contract=ticket.contract)
        if ticket.contract.plan.takes_credits_for(ticket.service, allowance_left=left):
            entry = credits_charge_no_show(
                account=credit_account_get_or_create(customer=ticket.customer),
                rule=credit_rule_for(ticket.contract),
                reason=Explanation(
                    f"Inasistencia a la sesión del {locked.starts_at:%Y-%m-%d %H:%M} UTC",
                    f"Absent from the session of {locked.starts_at:%Y-%m-%d %H:%M} UTC",
                ),
                by=by,
                idempotency_key=f"session:{locked.pk}:no_show",
                reference_type="tickets.session",
                reference_id=str(locked.pk),
            )
        locked.status = ScheduledSession.Status.NO_SHOW
        locked.no_show_entry = entry
        locked.save(update_fields=["status", "no_show_entry"])
    return locked


def _close_session(session: ScheduledSession, status: str) -> ScheduledSession:
    with transaction.atomic():
        locked = _lock_scheduled(session)
        locked.status = status
        locked.save(update_fields=["status"])
    return locked


def _lock_scheduled(session: ScheduledSession) -> ScheduledSession:
    locked = session_lock(session)
    if locked.status != ScheduledSession.Status.SCHEDULED:
        raise SessionNotScheduled(
            field="status", status=choice_labels(locked.status, ScheduledSession.Status)
        )
    return locked
