from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from djmoney.money import Money

from billing.models import OnsiteCharge
from contracts.models import Channel
from core.errors import InvalidInput
from credits.models import CreditAccount, LedgerEntry
from credits.selectors import ledger_verify
from tests.factories import make_staff_user
from tickets.exceptions import (
    SessionNotScheduled,
    SessionNotStarted,
    TicketFinished,
    WorkLogLocked,
)
from tickets.models import ScheduledSession
from tickets.services import charging, lifecycle
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(funded, tuesday_morning):
    # opened four hours ago, so the work below has been done by now
    opened_at = timezone.now() - timedelta(hours=4)
    return ticket_open(
        channel=Channel.PORTAL, requester=funded, subject="Correo lento", at=opened_at
    ).ticket


def log(ticket, agent, minutes, **fields):
    """Work just finished: it started `minutes` ago."""
    started_at = timezone.now() - timedelta(minutes=minutes)
    return charging.worklog_add(ticket, by=agent, started_at=started_at, minutes=minutes, **fields)


def account_of(ticket):
    return CreditAccount.objects.get(customer=ticket.customer)


def resolve(ticket, agent):
    if ticket.status != "in_progress":
        lifecycle.ticket_start_work(ticket, by=agent)
    return lifecycle.ticket_resolve(ticket, by=agent)


def test_seventy_minutes_bill_two_credits_and_keep_the_worked_minutes(ticket, agent):
    log(ticket, agent, 40)
    log(ticket, agent, 30)

    resolve(ticket, agent)

    account = account_of(ticket)
    assert (account.balance, account.held) == (Decimal("3.00"), Decimal("0.00"))
    assert ticket.billed_minutes == 70
    assert ticket.billed_credits == Decimal("2.00")
    assert "70 min" in ticket.charge_explanation
    assert "2 créditos" in ticket.charge_explanation
    assert "2 credits" in ticket.charge_explanation_en
    assert sum(w.minutes for w in ticket.work_logs.all()) == 70
    charge = LedgerEntry.objects.get(kind="charge")
    assert charge.credits == Decimal("-2.00")
    assert charge.reason == ticket.charge_explanation
    assert ticket.hold.status == "converted"


def test_no_work_logged_bills_the_minimum(ticket, agent):
    resolve(ticket, agent)

    assert ticket.billed_credits == Decimal("1.00")
    assert account_of(ticket).balance == Decimal("4.00")


def test_non_billable_work_is_not_charged(ticket, agent):
    log(ticket, agent, 200, billable=False)
    log(ticket, agent, 20)

    resolve(ticket, agent)

    assert (ticket.billed_minutes, ticket.billed_credits) == (20, Decimal("1.00"))


@pytest.mark.parametrize(
    ("first", "more", "extra_credits"),
    [(70, 30, Decimal("0.00")), (50, 30, Decimal("1.00")), (60, 61, Decimal("2.00"))],
)
def test_reopened_and_resolved_again_charges_only_the_difference(
    ticket, agent, first, more, extra_credits
):
    log(ticket, agent, first)
    resolve(ticket, agent)
    balance_after_first = account_of(ticket).balance

    lifecycle.ticket_reopen(ticket, by=agent, reason="Sigue lento")
    log(ticket, agent, more)
    resolve(ticket, agent)

    assert balance_after_first - account_of(ticket).balance == extra_credits
    assert ticket.billed_minutes == first + more


def test_charged_logs_cannot_be_edited(ticket, agent):
    entry = log(ticket, agent, 30)
    # it had started a quarter of an hour earlier
    charging.worklog_update(
        entry,
        started_at=entry.started_at - timedelta(minutes=15),
        minutes=45,
        note="corrección antes del cobro",
    )
    resolve(ticket, agent)

    with pytest.raises(WorkLogLocked):
        charging.worklog_update(entry, minutes=10)
    entry.refresh_from_db()
    assert entry.minutes == 45


def test_only_editable_fields_of_a_worklog_change_in_both_languages(ticket, agent):
    entry = log(ticket, agent, 30)

    with pytest.raises(InvalidInput) as refused:
        charging.worklog_update(entry, minutes=45, ticket=ticket, agent=agent)

    assert refused.value.fields_in("es") == {
        "agent": ["No se puede modificar."],
        "ticket": ["No se puede modificar."],
    }
    assert refused.value.fields_in("en") == {
        "agent": ["This cannot be changed."],
        "ticket": ["This cannot be changed."],
    }
    entry.refresh_from_db()
    assert entry.minutes == 30


def test_a_worklog_needs_positive_minutes(ticket, agent):
    with pytest.raises(InvalidInput) as refused:
        log(ticket, agent, 0)

    assert "minutes" in refused.value.fields


def test_a_no_show_charges_the_minimum_once(ticket, agent, tuesday_morning):
    session = charging.session_schedule(
        ticket, by=agent, starts_at=timezone.now() + timedelta(days=1)
    )
    with pytest.raises(SessionNotStarted):  # not before the session's start
        charging.session_mark_no_show(session, by=agent)
    assert account_of(ticket).balance == Decimal("5.00")
    tuesday_morning.shift(timedelta(days=1, minutes=15))

    charging.session_mark_no_show(session, by=agent)

    session.refresh_from_db()
    assert session.status == ScheduledSession.Status.NO_SHOW
    assert session.no_show_entry.credits == Decimal("-1.00")
    assert account_of(ticket).balance == Decimal("4.00")
    with pytest.raises(SessionNotScheduled):
        charging.session_mark_no_show(session, by=agent)
    assert account_of(ticket).balance == Decimal("4.00")


def test_each_onsite_visit_records_the_plans_surcharge_for_billing(ticket, agent):
    first = log(ticket, agent, 90, onsite=True)
    log(ticket, agent, 15)
    log(ticket, agent, 30, onsite=True)

    charges = OnsiteCharge.objects.order_by("pk")
    assert [c.amount for c in charges] == [Money("50000", "COP")] * 2
    assert charges[0].contract == ticket.contract
    assert charges[0].reference == f"{ticket.number}#{first.pk}"
    assert charges[0].performed_on == timezone.localdate(timezone=ticket.customer.time_zone_info)


def test_no_work_is_logged_on_a_closed_request_nor_its_visit_surcharged(ticket, agent):
    # A closed request is charged once, at resolution: later work would be neither charged
    # nor refused, and an on-site visit would still be surcharged.
    log(ticket, agent, 30)
    resolve(ticket, agent)
    lifecycle.ticket_close(ticket, by=agent)

    with pytest.raises(TicketFinished) as caught:
        log(ticket, agent, 90, onsite=True)

    assert caught.value.field == "ticket"
    assert caught.value.message("en") == (
        f"Request {ticket.number} is over (Closed): nothing more is recorded on it; "
        "a follow-up request continues it."
    )
    assert caught.value.message("es").startswith(
        f"La solicitud {ticket.number} ya terminó (Cerrado)"
    )
    assert ticket.work_logs.count() == 1
    assert not OnsiteCharge.objects.exists()


def test_onsite_work_on_a_plan_without_surcharge_bills_nothing_extra(ticket, agent):
    ticket.contract.plan.onsite_surcharge = Money(0, "COP")
    ticket.contract.plan.save()

    log(ticket, agent, 90, onsite=True)

    assert not OnsiteCharge.objects.exists()


def test_the_ledger_verifies_after_a_ticket_life(ticket, agent):
    log(ticket, agent, 125)
    resolve(ticket, agent)

    assert ticket.billed_credits == Decimal("3.00")
    assert ledger_verify().ok


@pytest.mark.parametrize("minutes", [24 * 60 + 1, 2_147_483_647])
def test_one_work_log_or_session_covers_at_most_a_day(ticket, agent, tuesday_morning, minutes):
    tuesday_morning.shift(timedelta(hours=1))
    with pytest.raises(InvalidInput) as refused:
        charging.worklog_add(ticket, by=agent, started_at=ticket.opened_at, minutes=minutes)
    assert "minutes" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        charging.session_schedule(
            ticket, by=agent, starts_at=timezone.now() + timedelta(days=1), minutes=minutes
        )
    assert "minutes" in refused.value.fields
    assert not ticket.work_logs.exists()
    assert not ticket.sessions.exists()
    tuesday_morning.shift(timedelta(days=1))
    charging.worklog_add(ticket, by=agent, started_at=ticket.opened_at, minutes=24 * 60)


def test_work_is_logged_between_the_opening_and_now(ticket, agent, tuesday_morning):
    tuesday_morning.shift(timedelta(hours=1))
    for started_at in (
        ticket.opened_at - timedelta(minutes=1),
        timezone.now() + timedelta(minutes=1),
    ):
        with pytest.raises(InvalidInput) as refused:
            charging.worklog_add(ticket, by=agent, started_at=started_at, minutes=30)
        assert "started_at" in refused.value.fields
    assert not ticket.work_logs.exists()


def test_work_ending_in_the_future_is_refused_on_its_minutes_and_nothing_written(
    ticket, agent, tuesday_morning
):
    # 24 hours starting now, resolved at once, would bill work not done
    for started_at, minutes in ((timezone.now(), 24 * 60), (timezone.now(), 1)):
        with pytest.raises(InvalidInput) as refused:
            charging.worklog_add(ticket, by=agent, started_at=started_at, minutes=minutes)
        assert refused.value.fields_in("es") == {
            "minutes": ["El trabajo no puede terminar en el futuro."]
        }
        assert refused.value.fields_in("en") == {"minutes": ["Work cannot end in the future."]}
    assert not ticket.work_logs.exists()
    # nor does a correction make logged work end in the future
    entry = log(ticket, agent, 30)
    with pytest.raises(InvalidInput) as refused:
        charging.worklog_update(entry, minutes=31)
    assert list(refused.value.fields) == ["minutes"]
    with pytest.raises(InvalidInput) as refused:
        charging.worklog_update(entry, started_at=entry.started_at + timedelta(minutes=1))
    assert list(refused.value.fields) == ["minutes"]
    entry.refresh_from_db()
    assert (entry.started_at, entry.minutes) == (timezone.now() - timedelta(minutes=30), 30)


def test_work_ending_within_the_current_minute_has_not_ended_in_the_future(
    ticket, agent, tuesday_morning
):
    tuesday_morning.shift(timedelta(seconds=40))  # 14:00:40
    minute = timezone.now().replace(second=0, microsecond=0)
    # ends 14:00:00 and 14:00:50, both within the minute people would type as now
    for started_at in (
        minute - timedelta(minutes=30),
        timezone.now() - timedelta(minutes=29, seconds=50),
    ):
        assert charging.worklog_add(ticket, by=agent, started_at=started_at, minutes=30).pk
    # ends 14:01:00, the next minute
    with pytest.raises(InvalidInput) as refused:
        charging.worklog_add(
            ticket, by=agent, started_at=minute - timedelta(minutes=29), minutes=30
        )
    assert list(refused.value.fields) == ["minutes"]
    assert ticket.work_logs.count() == 2


def test_the_api_refuses_work_ending_in_the_future_naming_its_minutes(ticket):
    from tests.api.conftest import client_for
    from tests.factories import make_agent

    client = client_for(make_agent())
    work_logs = f"/api/v1/tickets/{ticket.pk}/work-logs/"
    for language, text in (
        ("es", "El trabajo no puede terminar en el futuro."),
        ("en", "Work cannot end in the future."),
    ):
        answer = client.post(
            work_logs,
            {"started_at": timezone.now().isoformat(), "minutes": 24 * 60},
            format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert answer.status_code == 400
        assert answer.json()["fields"] == {"minutes": [text]}
    assert not ticket.work_logs.exists()
    done = timezone.now() - timedelta(minutes=30)
    answer = client.post(work_logs, {"started_at": done.isoformat(), "minutes": 30}, format="json")
    assert answer.status_code == 201


def test_sessions_are_after_the_opening_and_within_a_year(ticket, agent):
    for starts_at in (ticket.opened_at - timedelta(hours=1), timezone.now() + timedelta(days=400)):
        with pytest.raises(InvalidInput) as refused:
            charging.session_schedule(ticket, by=agent, starts_at=starts_at)
        assert "starts_at" in refused.value.fields
    assert not ticket.sessions.exists()


def test_the_api_refuses_a_huge_work_log_and_charges_nothing(ticket, tuesday_morning):
    from tests.api.conftest import client_for
    from tests.factories import make_agent

    tuesday_morning.shift(timedelta(hours=1))
    answer = client_for(make_agent()).post(
        f"/api/v1/tickets/{ticket.pk}/work-logs/",
        {"started_at": ticket.opened_at.isoformat(), "minutes": 2_147_483_647},
        format="json",
    )
    assert answer.status_code == 400
    assert "minutes" in answer.json()["fields"]
    assert not ticket.work_logs.exists()


def test_work_typed_to_the_minute_of_the_opening_is_not_before_it(ticket, agent, tuesday_morning):
    tuesday_morning.shift(timedelta(seconds=37))
    opened = ticket_open(
        channel=Channel.PORTAL, requester=ticket.requester, subject="Otra", at=timezone.now()
    ).ticket
    tuesday_morning.shift(timedelta(minutes=5))
    minute = opened.opened_at.replace(second=0, microsecond=0)
    log = charging.worklog_add(opened, by=agent, started_at=minute, minutes=5)
    assert log.pk is not None


def test_sessions_are_read_only_in_the_admin(ticket, agent, client):
    # A session changes through the workspace's services, which lock the ticket, refuse a
    # finished one and charge a no-show; the admin would do none of that.
    session = charging.session_schedule(
        ticket, by=agent, starts_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(make_staff_user())
    change = f"/admin/tickets/scheduledsession/{session.pk}/change/"

    assert client.get("/admin/tickets/scheduledsession/").status_code == 200
    assert client.get("/admin/tickets/scheduledsession/add/").status_code == 403
    assert client.post(change, {"status": "no_show", "minutes": "600"}).status_code == 403
    assert client.post(f"/admin/tickets/scheduledsession/{session.pk}/delete/").status_code == 403
    session.refresh_from_db()
    assert (session.status, session.minutes) == (ScheduledSession.Status.SCHEDULED, 60)
