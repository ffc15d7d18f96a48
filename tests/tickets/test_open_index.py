"""The open tickets' index (`tickets_open_due`), in the queue's order: the queue reads its
first page off the index, and its count reads the index, not the table."""

import pytest
from django.db import connection
from django.db.models import F, Q

from tickets.models import Ticket


def test_the_index_holds_exactly_the_tickets_open_selects():
    (index,) = [index for index in Ticket._meta.indexes if index.name == "tickets_open_due"]
    assert index.condition == ~Q(status__in=sorted(Ticket.CLOSED_STATUSES))
    assert index.fields == ["next_due_at", "opened_at", "id"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_reads_the_queue_in_order_from_the_index():
    """The queue's tickets and its count are `Ticket.objects.open()` in the queue's order.
    With a scan of the table and a sort both ruled out, the planner has one way left: the
    index, which it may use only if it proves `open()`'s condition implies the index's and
    the index's order is the queue's. (On a test's near-empty table any other index costs
    the same, so the queue's own plan would not show which one it took.)"""
    queue_order = (F("next_due_at").asc(nulls_last=True), "opened_at", "pk")
    open_tickets = Ticket.objects.open().order_by(*queue_order).values("pk")[:50]
    sql, params = open_tickets.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "tickets_open_due" in plan, plan
    assert "Sort" not in plan, plan
