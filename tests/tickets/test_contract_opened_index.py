"""A contract's tickets opened in a period (`tickets_contract_opened`): the SLA compliance of
its months reads their ids off the index, and the index serves the contract's own lookups."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from sla.selectors import sla_compliance_periods_query
from tickets.selectors import contract_clocks_by_period


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_reads_a_contracts_tickets_of_each_period_off_the_index_alone():
    """With the table's scans ruled out (on a test's near-empty table every plan costs about
    the same), the chart's query reads each period's ticket ids by an index-only scan."""
    bounds = [datetime(2026, month, 1, 5, tzinfo=UTC) for month in (9, 10, 11, 12)]
    sql, params = sla_compliance_periods_query(
        contract_clocks_by_period(1, bounds)
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert plan.count("Index Only Scan using tickets_contract_opened") == 3, plan


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
