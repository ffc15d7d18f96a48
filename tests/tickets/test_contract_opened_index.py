"""A contract's tickets opened in a period (`tickets_contract_opened`): the SLA compliance of
its months reads their ids off the index, and the index serves the contract's own lookups."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from tickets.models import Ticket


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_reads_a_contracts_tickets_of_a_period_off_the_index_alone():
    """The ids of a contract's tickets opened in a period, as each of the chart's periods
    reads them (`contract_clocks`'s subquery): an index-only scan. With the table's scans
    ruled out, since on a test's near-empty table every plan costs about the same."""
    start, end = (datetime(2026, month, 1, 5, tzinfo=UTC) for month in (11, 12))
    tickets = Ticket.objects.filter(contract_id=1, opened_at__gte=start, opened_at__lt=end)
    sql, params = tickets.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using tickets_contract_opened" in plan, plan


@pytest.mark.django_db
def test_the_contract_has_no_index_of_its_own_beside_it():
    """One index fewer for every intake to write: the composite one starts with the contract."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "tickets_ticket")
    indexes = {  # PostgreSQL lists the included id as a third column
        name: spec["columns"][:2]
        for name, spec in constraints.items()
        if spec["index"] and spec["columns"][0] == "contract_id"
    }
    assert indexes == {"tickets_contract_opened": ["contract_id", "opened_at"]}
