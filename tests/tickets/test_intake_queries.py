"""What one intake costs the database (issue 21, target 1): at most 10 statements on SQLite
and PostgreSQL, the acknowledgement task's row among them, written in intake's transaction.

The statements: the contract with its plan, the insolvency check, the plan's SLA version
counting now and (SQLite) the credit account in one read; (PostgreSQL) the account locked;
the ticket; the hold and the account's held credits (one statement on PostgreSQL, two
elsewhere); the ticket's number and hold; the message; the event; both clocks; their start
events; the task. `django_assert_max_num_queries` also counts the test transaction's
SAVEPOINT and RELEASE around intake's atomic block, which a request's BEGIN and COMMIT
replace: those two are allowed on top of the 10 and named apart. So is the webhooks app's
read of the events active endpoints subscribe to, in the transaction since 2026-12-07 (it
ran after the commit before) so that `ticket.created` is announced by a task that commits
with the ticket.
"""

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from contracts.models import Channel
from credits.models import CreditAccount
from sla.models import SlaClock
from tickets import clocks
from tickets.models import Message, Ticket, TicketEvent
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db

TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def statements(captured) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL)
    ]


def test_an_intake_runs_at_most_10_statements_with_its_task_in_the_transaction(
    funded, tuesday_morning, db_tasks, django_assert_max_num_queries
):
    ticket_open(channel=Channel.PORTAL, requester=funded, subject="Primera")  # warm caches

    with django_assert_max_num_queries(13) as captured:
        result = ticket_open(channel=Channel.PORTAL, requester=funded, subject="Segunda")

    intakes = [sql for sql in statements(captured) if "webhooks_webhookendpoint" not in sql]
    assert len(intakes) <= 10, "\n".join(intakes)
    assert len(statements(captured)) == len(intakes) + 1
    ticket = result.ticket
    assert ticket.number == f"T-2026-{ticket.pk:06d}"
    assert Ticket.objects.get(pk=ticket.pk).hold_id == ticket.hold.pk
    assert CreditAccount.objects.get(customer=funded.customer).held == 2
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1
    assert SlaClock.objects.filter(subject=ticket.clock_subject).count() == 2
    # The test's transaction never commits: the task's row is there because intake wrote it
    # in its own transaction, not on commit.
    assert DBTaskResult.objects.filter(
        task_path="tickets.tasks.send_acknowledgement", args_kwargs__args=[ticket.pk]
    ).exists()


def test_the_first_intake_of_a_process_reads_its_policy_version_once_more(
    funded, tuesday_morning, db_tasks, django_assert_max_num_queries
):
    """Cold caches (a new process, a policy or calendar version just published) cost the
    version rows' reads, never a different answer."""
    from sla.selectors import _calendar_versions, _policy_versions

    _policy_versions.clear()
    _calendar_versions.clear()
    with django_assert_max_num_queries(20):
        result = ticket_open(channel=Channel.PORTAL, requester=funded, subject="Fría")
    assert result.accepted
    assert {c.kind for c in SlaClock.objects.filter(subject=result.ticket.clock_subject)} == {
        "response",
        "resolution",
    }


def test_a_refused_intake_enqueues_nothing(requester, tuesday_morning, db_tasks):
    result = ticket_open(channel=Channel.PORTAL, requester=requester, subject="Sin créditos")

    assert result.refusal.code == "insufficient_credits"
    assert not DBTaskResult.objects.exists()
    assert not Ticket.objects.exists()


def test_the_acknowledgement_reads_three_rows_and_writes_its_marker(
    funded, tuesday_morning, mailoutbox, django_assert_num_queries
):
    """The task every intake leaves: the ticket with its requester and customer, the
    ticket's clocks, the sent marker; then the marker written. A second run reads the
    marker and sends nothing."""
    from tickets import notifications

    ticket = ticket_open(channel=Channel.PORTAL, requester=funded, subject="Acuse").ticket
    with django_assert_num_queries(4):
        notifications.send_acknowledgement(ticket.pk)
    with django_assert_num_queries(3):
        notifications.send_acknowledgement(ticket.pk)

    [sent] = mailoutbox
    assert sent.subject == f"[{ticket.number}] Acuse"
    assert sent.to == [funded.email]
    due = [kind for kind, _due_at in clocks.due_times(ticket)]
    assert due == ["response", "resolution"]


def test_the_contract_read_writes_the_overdue_invoices_kind_and_status_into_its_sql(
    funded, tuesday_morning
):
    # SQLite prepares a statement again on every execution when it planned it on bound values
    # compared with a partial index's condition (the unpaid invoices' index): 0.11 ms a time
    ticket_open(channel=Channel.PORTAL, requester=funded, subject="Primera")

    reads = [
        compiled.sql
        for shape, compiled in connection._creditdesk_compiled_reads.items()
        if shape[1][0] == "live_contract"
    ]
    assert reads
    for sql in reads:
        assert "\"kind\" = 'invoice'" in sql
        assert "\"status\" = 'issued'" in sql
        assert "'active'" in sql  # the live statuses, in the set's order
        assert "'suspended'" in sql
