"""The open tickets' index (`tickets_open`): the queue and its count read it, not the table."""

import pytest
from django.db import connection
from django.db.models import Q

from tickets.models import Ticket


def test_the_index_holds_exactly_the_tickets_open_selects():
    (index,) = [index for index in Ticket._meta.indexes if index.name == "tickets_open"]
    assert index.condition == ~Q(status__in=sorted(Ticket.CLOSED_STATUSES))


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_reads_the_open_tickets_from_the_index():
    """The queue's tickets and its count are `Ticket.objects.open()`. The open tickets in
    order of opening, with a scan of the table and a sort both ruled out, leave the planner
    one way: the index, which it may use only if it proves `open()`'s condition implies the
    index's. (On a test's near-empty table any other index costs the same, so the queue's own
    plan would not show which one it took.)"""
    open_tickets = Ticket.objects.open().order_by("opened_at").values("pk")
    sql, params = open_tickets.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "tickets_open" in plan, plan
