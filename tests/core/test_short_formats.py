"""format_moment and format_day: Django's `date_format` of the short formats, in each
language, with the format parsed once (core.formatting._date_formatter)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, formats, translation
from hypothesis import given
from hypothesis import strategies as st

from core.formatting import _date_formatter, format_day, format_moment

ZONES = [ZoneInfo(name) for name in ("America/Bogota", "Asia/Kolkata", "Pacific/Kiritimati")]
moments = st.builds(
    lambda moment, zone: moment.astimezone(zone),
    st.datetimes(  # hypothesis bounds are naive; the zone comes from `timezones`
        min_value=datetime(1900, 1, 1),  # noqa: DTZ001
        max_value=datetime(2200, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    st.sampled_from(ZONES),
)


def _django(value, setting: str, language: str) -> str:
    with translation.override(language):
        return formats.date_format(value, setting)


@given(moment=moments, language=st.sampled_from(["es", "en"]))
def test_a_moment_reads_as_djangos_short_datetime_format(moment, language):
    assert format_moment(moment, language) == _django(moment, "SHORT_DATETIME_FORMAT", language)


@given(day=st.dates(min_value=date(1, 1, 1)), language=st.sampled_from(["es", "en"]))
def test_a_day_reads_as_djangos_short_date_format(day, language):
    assert format_day(day, language) == _django(day, "SHORT_DATE_FORMAT", language)


@pytest.mark.parametrize(
    ("hour", "minute", "spanish", "english"),
    [
        (0, 0, "09/01/2026 00:00", "01/09/2026 midnight"),
        (12, 0, "09/01/2026 12:00", "01/09/2026 noon"),
        (0, 5, "09/01/2026 00:05", "01/09/2026 12:05 a.m."),
        (12, 30, "09/01/2026 12:30", "01/09/2026 12:30 p.m."),
        (15, 0, "09/01/2026 15:00", "01/09/2026 3 p.m."),
        (9, 7, "09/01/2026 09:07", "01/09/2026 9:07 a.m."),
    ],
)
def test_the_words_of_each_language(hour, minute, spanish, english):
    moment = datetime(2026, 1, 9, hour, minute, tzinfo=ZoneInfo("America/Bogota"))
    assert format_moment(moment, "es") == spanish
    assert format_moment(moment, "en") == english
    with translation.override("en"):  # the language asked for, not the active one
        assert format_moment(moment, "es") == spanish


@pytest.mark.parametrize(
    "setting",
    ["DATETIME_FORMAT", "DATE_FORMAT", "TIME_FORMAT", "YEAR_MONTH_FORMAT", "MONTH_DAY_FORMAT"],
)
@pytest.mark.parametrize("language", ["es", "en"])
def test_any_format_setting_reads_as_djangos(setting, language):
    # Month names, escaped letters ("j \\d\\e F"): the characters our short formats do not
    # use are left to Django.
    for moment in (
        datetime(2026, 1, 9, 0, 0, tzinfo=UTC),
        datetime(2026, 12, 31, 12, 0, tzinfo=UTC),
        datetime(2026, 7, 4, 18, 45, tzinfo=ZoneInfo("America/Bogota")),
    ):
        formatter = _date_formatter(setting, language)
        assert formatter(moment) == _django(moment, setting, language)


@pytest.mark.parametrize("language", ["es", "en"])
def test_escaped_letters_in_a_format_it_compiles_stay_letters(language):
    # `get_format` gives back a name it does not know: the format itself
    pattern = r"j \d\e n \Y, G\h i \\ P"
    moment = datetime(2026, 7, 4, 0, 5, tzinfo=UTC)
    with translation.override(language):
        expected = dateformat.format(moment, pattern)
    assert _date_formatter(pattern, language)(moment) == expected
    assert expected.startswith("4 de 7 Y, 0h 05 \\ ")


def test_a_changed_format_setting_empties_the_compiled_formats(settings):
    format_moment(datetime(2026, 1, 9, tzinfo=UTC), "es")
    assert _date_formatter.cache_info().currsize
    settings.FORMAT_MODULE_PATH = ["creditdesk"]  # no formats there: Django's own still apply
    assert _date_formatter.cache_info().currsize == 0
