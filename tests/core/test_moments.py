"""Moments, days and SLA countdowns in the customer's words and zone (core.formatting)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.formatting import day_text, moment_text, sla_countdown, zone_city, zone_phrase

# Thursday 3 December 2026, 14:00 UTC.
AT = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
SAME_YEAR = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "spanish", "english"),
    [
        (
            "America/Caracas",
            "jueves 3 de diciembre, 10:00 (hora de Caracas)",
            "Thursday 3 December, 10:00 (Caracas time)",
        ),
        (
            "America/Bogota",
            "jueves 3 de diciembre, 09:00 (hora de Bogotá)",
            "Thursday 3 December, 09:00 (Bogota time)",
        ),
        (
            "America/Argentina/Buenos_Aires",
            "jueves 3 de diciembre, 11:00 (hora de Buenos Aires)",
            "Thursday 3 December, 11:00 (Buenos Aires time)",
        ),
        # Half-hour and three-quarter zones keep their minutes.
        (
            "Asia/Kolkata",
            "jueves 3 de diciembre, 19:30 (hora de Kolkata)",
            "Thursday 3 December, 19:30 (Kolkata time)",
        ),
        (
            "Asia/Kathmandu",
            "jueves 3 de diciembre, 19:45 (hora de Kathmandu)",
            "Thursday 3 December, 19:45 (Kathmandu time)",
        ),
        (
            "America/St_Johns",
            "jueves 3 de diciembre, 10:30 (hora de San Juan de Terranova)",
            "Thursday 3 December, 10:30 (St. John\u2019s time)",
        ),
        ("UTC", "jueves 3 de diciembre, 14:00 (UTC)", "Thursday 3 December, 14:00 (UTC)"),
        # A zone named after no city says its offset (Etc/GMT+5 is five hours behind).
        (
            "Etc/GMT+5",
            "jueves 3 de diciembre, 09:00 (UTC-05:00)",
            "Thursday 3 December, 09:00 (UTC-05:00)",
        ),
    ],
)
def test_a_moment_reads_in_words_in_the_customers_zone(zone, spanish, english):
    assert moment_text(AT, zone, "es", now=SAME_YEAR) == spanish
    assert moment_text(AT, zone, "en", now=SAME_YEAR) == english


def test_the_day_changes_with_the_zone_near_midnight():
    late = datetime(2026, 12, 4, 2, 30, tzinfo=UTC)
    assert moment_text(late, "America/Caracas", "es", now=SAME_YEAR).startswith(
        "jueves 3 de diciembre, 22:30"
    )
    assert moment_text(late, "Asia/Kolkata", "en", now=SAME_YEAR).startswith(
        "Friday 4 December, 08:00"
    )


@pytest.mark.parametrize(
    ("now", "spanish", "english"),
    [
        (SAME_YEAR, "jueves 3 de diciembre, 10:00", "Thursday 3 December, 10:00"),
        (
            datetime(2027, 1, 2, tzinfo=UTC),
            "jueves 3 de diciembre de 2026, 10:00",
            "Thursday 3 December 2026, 10:00",
        ),
        (
            datetime(2025, 12, 31, tzinfo=UTC),
            "jueves 3 de diciembre de 2026, 10:00",
            "Thursday 3 December 2026, 10:00",
        ),
        # New Year's Eve in Caracas is already 2027 in UTC: the reader's year counts.
        (datetime(2027, 1, 1, 2, tzinfo=UTC), "jueves 3 de diciembre, 10:00", None),
    ],
)
def test_the_year_is_shown_only_when_it_is_not_the_readers_current_one(now, spanish, english):
    assert moment_text(AT, "America/Caracas", "es", now=now, with_zone=False) == spanish
    if english:
        assert moment_text(AT, "America/Caracas", "en", now=now, with_zone=False) == english


def test_a_moment_uses_the_active_zone_and_language_by_default(settings):
    from django.utils import translation

    with timezone.override(ZoneInfo("America/Caracas")), translation.override("en"):
        assert moment_text(AT, now=SAME_YEAR) == "Thursday 3 December, 10:00 (Caracas time)"
    assert moment_text(None) == ""


def test_days_in_words_with_the_year_when_another():
    assert day_text(date(2026, 12, 3), "es", today=date(2026, 1, 5)) == "jueves 3 de diciembre"
    assert day_text(date(2026, 12, 3), "en", today=date(2026, 1, 5)) == "Thursday 3 December"
    assert day_text(date(2027, 1, 4), "es", today=date(2026, 12, 3)) == "lunes 4 de enero de 2027"
    assert day_text(date(2025, 1, 6), "en", today=date(2026, 12, 3)) == "Monday 6 January 2025"
    assert day_text(None, "es") == ""


@pytest.mark.parametrize(
    ("zone", "language", "city", "phrase"),
    [
        ("America/Caracas", "es", "Caracas", "hora de Caracas"),
        ("America/Argentina/Buenos_Aires", "en", "Buenos Aires", "Buenos Aires time"),
        ("America/Indiana/Indianapolis", "en", "Indianapolis", "Indianapolis time"),
        ("Europe/London", "es", "Londres", "hora de Londres"),
        ("UTC", "es", "", "UTC"),
        ("Etc/GMT-3", "en", "", "UTC+03:00"),
    ],
)
def test_zone_names_are_human(zone, language, city, phrase):
    assert zone_city(zone, language) == city
    assert zone_phrase(zone, language, at=AT) == phrase


NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("state", "due", "spanish", "english", "tone"),
    [
        (
            "running",
            NOW + timedelta(hours=2, minutes=10),
            "vence en 2 h 10 min",
            "due in 2 h 10 min",
            "ok",
        ),
        # Cut to the minute, never rounded up: 2 h 10 min 59 s still reads 2 h 10 min.
        (
            "running",
            NOW + timedelta(hours=2, minutes=10, seconds=59),
            "vence en 2 h 10 min",
            "due in 2 h 10 min",
            "ok",
        ),
        (
            "warning",
            NOW + timedelta(minutes=59, seconds=59),
            "vence en 59 min",
            "due in 59 min",
            "warning",
        ),
        ("running", NOW + timedelta(hours=1), "vence en 1 h", "due in 1 h", "ok"),
        (
            "running",
            NOW + timedelta(seconds=59),
            "vence en menos de 1 min",
            "due in under 1 min",
            "ok",
        ),
        ("running", NOW + timedelta(minutes=1), "vence en 1 min", "due in 1 min", "ok"),
        (
            "running",
            NOW + timedelta(hours=23, minutes=59, seconds=59),
            "vence en 23 h 59 min",
            "due in 23 h 59 min",
            "ok",
        ),
        ("running", NOW + timedelta(days=1), "vence en 1 día", "due in 1 day", "ok"),
        (
            "running",
            NOW + timedelta(days=2, hours=3, minutes=40),
            "vence en 2 días 3 h",
            "due in 2 days 3 h",
            "ok",
        ),
        ("breached", NOW - timedelta(hours=3), "vencido hace 3 h", "overdue by 3 h", "breach"),
        (
            "breached",
            NOW - timedelta(hours=3, seconds=30),
            "vencido hace 3 h",
            "overdue by 3 h",
            "breach",
        ),
        (
            "breached",
            NOW - timedelta(minutes=5),
            "vencido hace 5 min",
            "overdue by 5 min",
            "breach",
        ),
        (
            "breached",
            NOW - timedelta(seconds=10),
            "vencido hace menos de 1 min",
            "overdue by under 1 min",
            "breach",
        ),
        (
            "breached",
            NOW - timedelta(days=1, hours=1),
            "vencido hace 1 día 1 h",
            "overdue by 1 day 1 h",
            "breach",
        ),
        # The due time passed but the monitor has not marked it: overdue all the same.
        ("warning", NOW, "vencido hace menos de 1 min", "overdue by under 1 min", "breach"),
        (
            "running",
            NOW - timedelta(minutes=30),
            "vencido hace 30 min",
            "overdue by 30 min",
            "breach",
        ),
        # A paused clock's due time waits for it to resume: no countdown.
        ("paused", NOW + timedelta(hours=5), "pausado", "paused", "paused"),
        ("paused", None, "pausado", "paused", "paused"),
        ("met", None, "cumplido", "met", "ok"),
        ("none", None, "sin SLA", "no SLA", "muted"),
        ("running", None, "sin SLA", "no SLA", "muted"),
        ("breached", None, "vencido", "overdue", "breach"),
        # Breached on a clock that stopped (a late first reply); the next one is ahead.
        ("breached", NOW + timedelta(hours=16), "vence en 16 h", "due in 16 h", "breach"),
    ],
)
def test_sla_countdown(state, due, spanish, english, tone):
    assert str(sla_countdown(state, due, now=NOW, language="es")) == spanish
    countdown = sla_countdown(state, due, now=NOW, language="en")
    assert countdown.text == english
    assert countdown.tone == tone


def test_a_stopped_breached_clock_says_how_late_it_was_in_business_time_not_since_due():
    due = NOW - timedelta(days=30)
    late = timedelta(hours=50)
    assert str(sla_countdown("breached", due, now=NOW, language="es", late_by=late)) == (
        "retraso de 50 h 00 min"
    )
    countdown = sla_countdown("breached", due, now=NOW, language="en", late_by=late)
    assert (countdown.text, countdown.tone) == ("late by 50 h 00 min", "breach")
