"""format_moment and format_day: Django's `date_format` of the short formats, in each
language, with the format parsed once (core.formatting._date_formatter)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core.exceptions import ValidationError
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
        # English day first with the month in letters and a 24-hour clock
        # (creditdesk/formats/en), where Django's wrote "01/09/2026 midnight", "... 3 p.m.".
        (0, 0, "09/01/2026 00:00", "9 Jan 2026, 00:00"),
        (12, 0, "09/01/2026 12:00", "9 Jan 2026, 12:00"),
        (0, 5, "09/01/2026 00:05", "9 Jan 2026, 00:05"),
        (12, 30, "09/01/2026 12:30", "9 Jan 2026, 12:30"),
        (15, 0, "09/01/2026 15:00", "9 Jan 2026, 15:00"),
        (9, 7, "09/01/2026 09:07", "9 Jan 2026, 09:07"),
    ],
)
def test_the_words_of_each_language(hour, minute, spanish, english):
    moment = datetime(2026, 1, 9, hour, minute, tzinfo=ZoneInfo("America/Bogota"))
    assert format_moment(moment, "es") == spanish
    assert format_moment(moment, "en") == english
    with translation.override("en"):  # the language asked for, not the active one
        assert format_moment(moment, "es") == spanish


def test_no_english_day_reads_as_another():
    # 7 December and 12 July, which Django's English wrote 12/07/2026 and 07/12/2026.
    assert format_day(date(2026, 12, 7), "en") == "7 Dec 2026"
    assert format_day(date(2026, 7, 12), "en") == "12 Jul 2026"
    assert format_day(date(2026, 12, 7), "es") == "07/12/2026"
    assert [format_day(date(2026, month, 1), "en")[2:5] for month in range(1, 13)] == [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("setting", "spanish", "english"),
    [
        ("DATE_FORMAT", "7 de diciembre de 2026", "7 December 2026"),
        ("DATETIME_FORMAT", "7 de diciembre de 2026 a las 09:55", "7 December 2026, 09:55"),
        ("TIME_FORMAT", "09:55", "09:55"),
        ("SHORT_DATE_FORMAT", "07/12/2026", "7 Dec 2026"),
        ("SHORT_DATETIME_FORMAT", "07/12/2026 09:55", "7 Dec 2026, 09:55"),
    ],
)
def test_english_writes_as_our_long_forms_and_spanish_as_django(setting, spanish, english):
    moment = datetime(2026, 12, 7, 9, 55, tzinfo=UTC)
    assert _django(moment, setting, "es") == spanish
    assert _django(moment, setting, "en") == english


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("setting", ["SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT"])
def test_the_short_formats_of_both_languages_are_compiled(setting, language):
    # Not left to Django's formatter on every call (a month name was a character the
    # compiled formats did not know).
    assert _date_formatter(setting, language).__name__ == "formatter"


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


@pytest.mark.parametrize(
    ("language", "typed", "day"),
    [
        ("en", "2026-12-07", date(2026, 12, 7)),  # what date inputs and the admin's boxes send
        ("en", "7 Dec 2026", date(2026, 12, 7)),  # as English pages write a day
        ("en", "7 December 2026", date(2026, 12, 7)),
        ("es", "07/12/2026", date(2026, 12, 7)),
        ("es", "2026-12-07", date(2026, 12, 7)),
    ],
)
def test_a_typed_day_reads_as_the_pages_write_it(language, typed, day):
    with translation.override(language):
        assert forms.DateField().clean(typed) == day


def test_english_refuses_a_day_written_with_slashes_rather_than_guess_its_order():
    # Django's English read 07/12/2026 as 12 July; our readers write 7 December so.
    with translation.override("en"), pytest.raises(ValidationError):
        forms.DateField().clean("07/12/2026")


@pytest.mark.parametrize(
    ("language", "typed", "moment"),
    [
        ("en", "2026-12-07 09:55", datetime(2026, 12, 7, 9, 55)),  # noqa: DTZ001
        ("en", "7 Dec 2026, 09:55", datetime(2026, 12, 7, 9, 55)),  # noqa: DTZ001
        ("es", "07/12/2026 09:55", datetime(2026, 12, 7, 9, 55)),  # noqa: DTZ001
    ],
)
def test_a_typed_moment_reads_as_the_pages_write_it(language, typed, moment, settings):
    settings.USE_TZ = False  # the wall-clock reading, before any zone
    with translation.override(language):
        assert forms.DateTimeField().clean(typed) == moment


def test_english_numbers_are_written_and_read_as_before():
    # core.amounts reads English amounts as "1,234.50" (babel's en_001); Django's marks agree.
    with translation.override("en"):
        assert formats.get_format("DECIMAL_SEPARATOR") == "."
        assert formats.get_format("THOUSAND_SEPARATOR") == ","
        assert formats.get_format("NUMBER_GROUPING") == 3
        assert formats.number_format(Decimal("1234.5"), 2, force_grouping=True) == "1,234.50"
    with translation.override("es"):
        assert formats.number_format(Decimal("1234.5"), 2, force_grouping=True) == "1\xa0234,50"
