"""A clock's `subject_number`: the owner's number in a "<kind>:<number>" subject, written by
the database itself (a stored generated column, the same rule on SQLite and PostgreSQL), and
the periods' count of distinct subjects that reads it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sla.choices import Priority
from sla.models import SlaClock
from sla.selectors import sla_compliance, sla_compliance_of_periods
from sla.services import clocks_start
from tests.sla.factories import make_policy

pytestmark = pytest.mark.django_db
STARTED = datetime(2026, 1, 19, 8, tzinfo=ZoneInfo("America/Bogota"))

NUMBERS = {
    "ticket:42": 42,
    "ticket:007": 7,
    "more:42": 42,
    "ticket:123456789012345678": 123456789012345678,  # 18 digits, the most kept
    "ticket:1234567890123456789": None,
    "ticket:r": None,
    "ticket:12a": None,
    "ticket:-3": None,
    "ticket:": None,
    ":5": None,
    "a:b:12": None,
    "x": None,
}


def _start(subject: str, policy) -> None:
    clocks_start(subject=subject, policy=policy, priority=Priority.P4, started_at=STARTED)


def test_the_database_writes_the_subjects_number_for_every_clock():
    policy = make_policy()
    for subject in NUMBERS:
        _start(subject, policy)

    numbers = dict(SlaClock.objects.values_list("subject", "subject_number"))

    assert numbers == NUMBERS
    # Both clocks of a subject (response and resolution) carry it.
    assert SlaClock.objects.filter(subject="ticket:42", subject_number=42).count() == 2


def test_clocks_inserted_in_bulk_get_their_number_too():
    policy = make_policy()
    _start("ticket:1", policy)
    copies = []
    for clock in SlaClock.objects.filter(subject="ticket:1"):
        clock.pk, clock.subject = None, f"ticket:{1000 + len(copies)}"
        copies.append(clock)

    SlaClock.objects.bulk_create(copies)

    numbers = SlaClock.objects.filter(subject_number__gte=1000).values_list("subject_number")
    assert sorted(number for (number,) in numbers) == [1000, 1001]


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_the_clocks_already_there():
    """Clocks written before `subject_number` existed get theirs from the migration."""
    _start("ticket:9", make_policy())
    executor = MigrationExecutor(connection)
    executor.migrate([("sla", "0004_levels_ladder_spanish_labels")])
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "sla_slaclock")
    assert "subject_number" not in {column.name for column in columns}

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert set(SlaClock.objects.values_list("subject", "subject_number")) == {("ticket:9", 9)}


def test_distinct_subjects_are_counted_by_number_and_by_string():
    policy = make_policy()
    for subject in ("ticket:1", "ticket:2", "ticket:r", "x"):
        _start(subject, policy)

    (period,) = sla_compliance_of_periods(clocks=[SlaClock.objects.all()])

    assert period.tickets == 4
    assert sla_compliance(clocks=SlaClock.objects.all()).overall.tickets == 4


def test_subjects_of_two_kinds_sharing_a_number_still_count_apart():
    """'ticket:1' and 'more:1' share the number 1: counted by number they would be one."""
    policy = make_policy()
    for subject in ("ticket:1", "more:1", "ticket:2", "more:3"):
        _start(subject, policy)
    mixed = SlaClock.objects.all()
    one_kind = SlaClock.objects.filter(subject__startswith="ticket:")

    periods = sla_compliance_of_periods(clocks=[mixed, one_kind])

    assert [period.tickets for period in periods] == [4, 2]
    assert sla_compliance(clocks=mixed).overall.tickets == 4
