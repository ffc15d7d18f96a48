"""The open tickets' index (`tickets_open`): the queue and its count read it, not the table."""

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from creditdesk.web.selectors import queue_tickets
from tickets.models import Ticket


def test_the_index_holds_exactly_the_tickets_open_selects():
    (index,) = [index for index in Ticket._meta.indexes if index.name == "tickets_open"]
    assert index.condition == ~Q(status__in=sorted(Ticket.CLOSED_STATUSES))


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_queue_and_its_count_can_read_the_open_tickets_from_the_index():
    """With a scan of the table ruled out, the plan shows PostgreSQL proving the queue's
    condition implies the index's (a partial index serves only such queries)."""
    queue = queue_tickets(Ticket.objects.open(), timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in (queue[:50].query, Ticket.objects.open().query):
            sql, params = query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "tickets_open" in plan, plan
