"""What the page reads: each component's status now, 90 days coloured by the worst impact
in force each day (in the reader's zone), uptime from the outage time, and the incidents and
maintenance that touch one customer's services."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from contracts.models import Contract
from statuspage import selectors, services
from statuspage.models import ComponentStatus, Impact, State

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
BOGOTA = ZoneInfo("America/Bogota")


def _incident(catalogue, components, impact=Impact.PARTIAL, at=NOW, **kwargs):
    with time_machine.travel(at, tick=False):
        return services.incident_open(
            title="Falla",
            body="Investigamos.",
            impact=impact,
            components=components,
            **kwargs,
        )


def _update(incident, at, state, impact=None):
    with time_machine.travel(at, tick=False):
        services.incident_update_post(incident, state=state, impact=impact, body="…")


def _row(summary, component):
    return next(row for row in summary.components if row.component == component)


def test_with_nothing_wrong_every_component_is_operational_for_90_days(catalogue):
    summary = selectors.status_summary(now=NOW, zone=UTC)

    assert summary.status == ComponentStatus.OPERATIONAL
    assert [row.component.code for row in summary.components] == [
        "correo",
        "hosting",
        "vps",
        "panel",
    ]
    row = summary.components[0]
    assert len(row.days) == 90
    assert (row.days[0].day, row.days[-1].day) == (date(2025, 12, 11), date(2026, 3, 10))
    assert {day.kind for day in row.days} == {"operational"}
    assert row.uptime == Decimal("100.00")


def test_an_open_incident_sets_its_components_status_and_the_overall_one(catalogue):
    _incident(catalogue, [catalogue.mail_component], Impact.DEGRADED, at=NOW - timedelta(hours=2))
    _incident(catalogue, [catalogue.mail_component, catalogue.panel], Impact.MAJOR, at=NOW)

    summary = selectors.status_summary(now=NOW + timedelta(minutes=1), zone=UTC)

    assert _row(summary, catalogue.mail_component).status == Impact.MAJOR
    assert _row(summary, catalogue.panel).status == Impact.MAJOR
    assert _row(summary, catalogue.vps_component).status == ComponentStatus.OPERATIONAL
    assert summary.status == Impact.MAJOR
    assert len(summary.open_incidents) == 2


def test_days_take_the_worst_impact_in_force_and_uptime_counts_outages_only(catalogue):
    # 9 March: degraded for 2 hours, then a partial outage for 3 hours, then resolved
    start = datetime(2026, 3, 9, 10, tzinfo=UTC)
    incident = _incident(catalogue, [catalogue.hosting_component], Impact.DEGRADED, at=start)
    _update(incident, start + timedelta(hours=2), State.IDENTIFIED, Impact.PARTIAL)
    _update(incident, start + timedelta(hours=5), State.RESOLVED)
    # 1 March: degraded only
    other = _incident(
        catalogue,
        [catalogue.hosting_component],
        Impact.DEGRADED,
        at=datetime(2026, 3, 1, 12, tzinfo=UTC),
    )
    _update(other, datetime(2026, 3, 1, 13, tzinfo=UTC), State.RESOLVED)

    summary = selectors.status_summary(now=NOW, zone=UTC)
    row = _row(summary, catalogue.hosting_component)

    by_day = {day.day: day for day in row.days}
    assert by_day[date(2026, 3, 9)].kind == Impact.PARTIAL
    assert by_day[date(2026, 3, 9)].incidents == [incident]
    assert by_day[date(2026, 3, 1)].kind == Impact.DEGRADED
    assert by_day[date(2026, 3, 10)].kind == "operational"
    assert row.days_with_incidents == 2
    assert row.status == ComponentStatus.OPERATIONAL
    window = NOW - datetime(2025, 12, 11, tzinfo=UTC)
    expected = Decimal(100) * (1 - Decimal(3 * 3600) / Decimal(window.total_seconds()))
    assert row.uptime == expected.quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    assert row.uptime < Decimal("100")
    assert _row(summary, catalogue.mail_component).uptime == Decimal("100.00")
    assert summary.recent_incidents == [incident, other]


def test_an_incident_written_up_days_late_is_resolved_at_its_real_end(catalogue):
    # Found on 7 March at 10:00 (a major outage of 2 hours), written up today, 3 days late.
    start = datetime(2026, 3, 7, 10, tzinfo=UTC)
    incident = _incident(
        catalogue, [catalogue.hosting_component], Impact.MAJOR, at=NOW, started_at=start
    )
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        services.incident_update_post(
            incident, state=State.RESOLVED, body="Resuelto.", at=start + timedelta(hours=2)
        )

    summary = selectors.status_summary(now=NOW + timedelta(minutes=10), zone=UTC)
    row = _row(summary, catalogue.hosting_component)

    assert [day.day for day in row.days if day.impact] == [date(2026, 3, 7)]
    assert row.status == ComponentStatus.OPERATIONAL
    window = NOW + timedelta(minutes=10) - datetime(2025, 12, 11, tzinfo=UTC)
    expected = Decimal(100) * (1 - Decimal(2 * 3600) / Decimal(window.total_seconds()))
    assert row.uptime == expected.quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    assert summary.recent_incidents == [incident]


def test_days_follow_the_readers_zone(catalogue):
    # 02:00-03:00 UTC on 9 March is still 8 March in Bogotá
    start = datetime(2026, 3, 9, 2, tzinfo=UTC)
    incident = _incident(catalogue, [catalogue.mail_component], Impact.MAJOR, at=start)
    _update(incident, start + timedelta(hours=1), State.RESOLVED)

    in_utc = _row(selectors.status_summary(now=NOW, zone=UTC), catalogue.mail_component)
    in_bogota = _row(selectors.status_summary(now=NOW, zone=BOGOTA), catalogue.mail_component)

    assert [d.day for d in in_utc.days if d.impact] == [date(2026, 3, 9)]
    assert [d.day for d in in_bogota.days if d.impact] == [date(2026, 3, 8)]


def test_an_incident_older_than_the_window_is_not_in_the_history(catalogue):
    old = _incident(catalogue, [catalogue.mail_component], at=NOW - timedelta(days=29))
    _update(old, NOW - timedelta(days=29) + timedelta(hours=1), State.RESOLVED)

    summary = selectors.status_summary(now=NOW + timedelta(days=70), zone=UTC)

    assert summary.recent_incidents == []
    assert _row(summary, catalogue.mail_component).uptime == Decimal("100.00")


def test_maintenance_under_way_and_announced(catalogue):
    with time_machine.travel(NOW, tick=False):
        now_window = services.maintenance_schedule(
            title="Discos",
            components=[catalogue.vps_component],
            starts_at=NOW - timedelta(hours=1),
            ends_at=NOW + timedelta(hours=1),
        )
        later = services.maintenance_schedule(
            title="Red",
            components=[catalogue.mail_component],
            starts_at=NOW + timedelta(days=3),
            ends_at=NOW + timedelta(days=3, hours=1),
        )
        far = services.maintenance_schedule(
            title="Lejos",
            components=[catalogue.mail_component],
            starts_at=NOW + timedelta(days=30),
            ends_at=NOW + timedelta(days=30, hours=1),
        )

    summary = selectors.status_summary(now=NOW, zone=UTC)

    assert summary.maintenance_now == [now_window]
    assert summary.maintenance_upcoming == [later]
    assert far not in summary.maintenance_upcoming
    vps = _row(summary, catalogue.vps_component)
    assert vps.status == ComponentStatus.MAINTENANCE
    assert vps.days[-1].kind == ComponentStatus.MAINTENANCE
    assert summary.status == ComponentStatus.MAINTENANCE


def test_notices_are_the_incidents_touching_the_customers_services(catalogue, shop):
    vps_only = _incident(catalogue, [catalogue.vps_component], title_en="VPS")
    mail = _incident(catalogue, [catalogue.mail_component, catalogue.vps_component])
    panel = _incident(catalogue, [catalogue.panel])  # carries every service
    resolved = _incident(catalogue, [catalogue.mail_component])
    _update(resolved, NOW + timedelta(minutes=5), State.RESOLVED)

    notices = selectors.status_notices_for(customer=shop.customer, now=NOW + timedelta(hours=1))

    assert notices.incidents == [panel, mail]  # newest first
    assert vps_only not in notices.incidents
    touched = {i.pk: [c.code for c in i.touched] for i in notices.incidents}
    assert touched[mail.pk] == ["correo"]  # not the VPS, which is not theirs
    assert all(i.latest is not None for i in notices.incidents)


def test_a_contract_listing_no_services_covers_every_component(catalogue, shop):
    shop.contract.services.clear()
    vps = _incident(catalogue, [catalogue.vps_component])

    notices = selectors.status_notices_for(customer=shop.customer, now=NOW + timedelta(hours=1))

    assert notices.incidents == [vps]


def test_without_a_live_contract_only_components_of_every_service_touch(catalogue, shop):
    Contract.objects.filter(pk=shop.contract.pk).update(status=Contract.Status.CANCELLED)
    _incident(catalogue, [catalogue.mail_component])
    panel = _incident(catalogue, [catalogue.panel])

    notices = selectors.status_notices_for(customer=shop.customer, now=NOW + timedelta(hours=1))

    assert notices.incidents == [panel]


def test_maintenance_notices_are_under_way_or_starting_within_48_hours(catalogue, shop):
    with time_machine.travel(NOW, tick=False):
        soon = services.maintenance_schedule(
            title="Pronto",
            components=[catalogue.mail_component],
            starts_at=NOW + timedelta(hours=30),
            ends_at=NOW + timedelta(hours=31),
        )
        services.maintenance_schedule(
            title="Más tarde",
            components=[catalogue.mail_component],
            starts_at=NOW + timedelta(days=5),
            ends_at=NOW + timedelta(days=5, hours=1),
        )
        services.maintenance_schedule(
            title="No es suyo",
            components=[catalogue.vps_component],
            starts_at=NOW + timedelta(hours=1),
            ends_at=NOW + timedelta(hours=2),
        )

    notices = selectors.status_notices_for(customer=shop.customer, now=NOW)

    assert notices.maintenance == [soon]
    assert notices.incidents == []
