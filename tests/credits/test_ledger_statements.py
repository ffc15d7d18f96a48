"""The ledger's writes on PostgreSQL: one statement each, parsed and planned once per
connection. Django turns psycopg's prepared statements off by default; without the
setting in creditdesk/settings.py every charge would be parsed and planned again, which
cost more server time than the write itself (bench/README.md)."""

import pytest
from django.db import connection

from credits.services import credits_charge, credits_place_hold, credits_release_hold
from tests.factories import make_credit_account

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def prepared_executions(table: str) -> dict[str, int]:
    """Executions of this connection's protocol-level prepared statements that write `table`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE NOT from_sql AND statement LIKE %s",
            [f"%INSERT INTO {table}%"],
        )
        return dict(cursor.fetchall())


def test_charges_reuse_one_prepared_statement_per_connection():
    account = make_credit_account(credits="20")
    before = sum(prepared_executions("credits_ledgerentry").values())

    for _ in range(3):
        credits_charge(account=account, credits="1", reference_type="test")

    executions = prepared_executions("credits_ledgerentry")
    assert sum(executions.values()) - before == 3
    assert account.balance == 17


def test_holds_are_prepared_statements_too():
    account = make_credit_account(credits="5")

    for _ in range(2):
        credits_release_hold(hold=credits_place_hold(account=account, credits="1"))

    assert sum(prepared_executions("credits_credithold").values()) >= 2
