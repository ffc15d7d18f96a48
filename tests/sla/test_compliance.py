"""Compliance figures: counts, shares, percentiles and breaches, computed by the database."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from sla.choices import Priority
from sla.models import SlaClock
from sla.selectors import sla_compliance
from sla.services import clock_reopen, clock_stop, clocks_start
from tests.sla.factories import make_policy

pytestmark = pytest.mark.django_db
BOGOTA = ZoneInfo("America/Bogota")


def at(*args):
    return datetime(*args, tzinfo=BOGOTA)


# (priority, response after minutes of business time or None, resolution after minutes or None)
TICKETS = [
    (Priority.P4, 30, 300),
    (Priority.P4, 90, 420),
    (Priority.P4, 250, 470),  # response late (4 h target)
    (Priority.P4, 60, 500),  # resolution late (8 h target)
    (Priority.P4, 120, None),  # still open
    (Priority.P3, 45, 200),
    (Priority.P3, 130, 230),  # response late (2 h target)
    (Priority.P2, None, None),  # nothing answered yet
]


@pytest.fixture
def clocks():
    policy = make_policy()
    opened = at(2026, 1, 19, 8)  # a Monday; every figure stays inside one working week
    for number, (priority, response_after, resolution_after) in enumerate(TICKETS):
        pair = clocks_start(
            subject=f"ticket:{number}",
            policy=policy,
            priority=priority,
            started_at=opened,
            label=f"#{number}",
        )
        if response_after is not None:
            clock_stop(clock=pair.response, at=_business(opened, response_after))
        if resolution_after is not None:
            clock_stop(clock=pair.resolution, at=_business(opened, resolution_after))
    return SlaClock.objects.all()


def _business(opened: datetime, minutes: int) -> datetime:
    # 08:00-16:30 days: 510 business minutes per day.
    days, rest = divmod(minutes, 510)
    return opened + timedelta(days=days, minutes=rest)


def _reference(values: list[int], fraction: float) -> timedelta:
    return timedelta(minutes=float(np.percentile(values, fraction * 100, method="linear")))


def test_counts_shares_and_percentiles_by_priority(clocks):
    report = sla_compliance(clocks=clocks)

    assert [row.priority for row in report.by_priority] == ["p2", "p3", "p4"]
    by_priority = {row.priority: row for row in report.by_priority}
    p4 = by_priority[Priority.P4]
    assert p4.tickets == 5
    assert (p4.response_decided, p4.response_met) == (5, 4)
    assert (p4.resolution_decided, p4.resolution_met) == (4, 3)
    assert p4.response_share == Decimal("0.8000")
    assert p4.resolution_share == Decimal("0.7500")
    assert p4.response_median == _reference([30, 90, 250, 60, 120], 0.5)
    assert p4.response_p90 == _reference([30, 90, 250, 60, 120], 0.9)
    assert p4.resolution_median == _reference([300, 420, 470, 500], 0.5)
    assert p4.resolution_p90 == _reference([300, 420, 470, 500], 0.9)
    p2 = by_priority[Priority.P2]
    assert (p2.tickets, p2.response_decided) == (1, 0)
    assert p2.response_share is None
    assert p2.response_median is None
    assert report.overall.tickets == len(TICKETS)
    assert report.overall.response_met == 4 + 1
    assert report.overall.response_median == _reference([30, 90, 250, 60, 120, 45, 130], 0.5)


def test_breaches_say_how_late(clocks):
    report = sla_compliance(clocks=clocks)

    late = {(b.subject, b.kind): b for b in report.breaches}
    assert set(late) == {
        ("ticket:2", "response"),
        ("ticket:3", "resolution"),
        ("ticket:6", "response"),
    }
    assert late[("ticket:2", "response")].late_by == timedelta(minutes=10)
    assert late[("ticket:3", "resolution")].late_by == timedelta(minutes=20)
    assert late[("ticket:2", "response")].due_at == at(2026, 1, 19, 12)


def test_first_time_resolution_is_reported_apart_from_total_resolution():
    policy = make_policy()
    pair = clocks_start(
        subject="ticket:r", policy=policy, priority=Priority.P4, started_at=at(2026, 1, 19, 8)
    )
    resolved = clock_stop(clock=pair.resolution, at=at(2026, 1, 19, 12))
    reopened = clock_reopen(clock=resolved, at=at(2026, 1, 20, 8))
    clock_stop(clock=reopened, at=at(2026, 1, 20, 13))

    report = sla_compliance(clocks=SlaClock.objects.filter(subject="ticket:r"))

    assert report.overall.first_time_resolution_met == 1
    assert report.overall.resolution_met == 0
    assert report.overall.first_time_resolution_share == Decimal("1.0000")
    assert report.overall.resolution_share == Decimal("0.0000")


def test_the_number_of_queries_does_not_depend_on_the_number_of_clocks(
    clocks, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40) as captured:
        sla_compliance(clocks=clocks)
    few = len(captured)
    more = list(TICKETS) * 3
    policy = make_policy()
    for number, (priority, response_after, _resolution) in enumerate(more):
        pair = clocks_start(
            subject=f"more:{number}",
            policy=policy,
            priority=priority,
            started_at=at(2026, 1, 19, 8),
        )
        if response_after is not None:
            clock_stop(clock=pair.response, at=_business(at(2026, 1, 19, 8), response_after))

    with django_assert_max_num_queries(few) as captured_more:
        sla_compliance(clocks=SlaClock.objects.all())

    assert len(captured_more) == few


@pytest.mark.postgres
def test_percentile_cont_and_the_portable_method_agree(clocks):
    native = sla_compliance(clocks=clocks, portable=False)
    portable = sla_compliance(clocks=clocks, portable=True)

    assert native == portable


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7, 11])
def test_the_portable_percentiles_interpolate_between_the_ranks_as_percentile_cont_does(count):
    """The database returns only the rows around each rank; equal values (ties) included."""
    policy = make_policy()
    opened = at(2026, 1, 19, 8)
    minutes = [(37 * n) % 200 + 10 for n in range(count)] + [50] * (count // 3)
    for number, after in enumerate(minutes):
        pair = clocks_start(
            subject=f"ticket:{number}", policy=policy, priority=Priority.P4, started_at=opened
        )
        clock_stop(clock=pair.response, at=_business(opened, after))

    report = sla_compliance(clocks=SlaClock.objects.all(), portable=True)

    for group in (report.overall, report.by_priority[0]):
        assert group.response_median == _reference(minutes, 0.5)
        assert group.response_p90 == _reference(minutes, 0.9)
        assert group.resolution_median is None
