"""Business-time arithmetic on aware datetimes. Pure: no database access.

What counts as working time. An instant is working time when the calendar's wall clock (its
IANA time zone) shows a time inside a window of an open day:

* weekly windows (`Window`), several per day allowed; a window whose end is not after its
  start closes the next day (a night shift 22:00-06:00); a window belongs to the day it
  opens on, so a holiday on Monday removes Monday's 22:00-06:00 shift but not Sunday's;
* holidays of `holiday_country`/`holiday_subdivision` from the `holidays` package and
  `closures` (days a provider adds without waiting for a package release) remove a day;
* `openings` replace a day's hours (an extra working Saturday, a short Christmas Eve);
  an opening also overrides a package holiday on that day;
* `always_open` is 24x7: every instant counts.

Durations are real elapsed time inside those windows, so a night shift that contains a
daylight-saving jump is one hour shorter or longer. Because the wall clock decides, the
repeated hour of a fall-back night counts twice when it lies inside a window.

`add_business_time(start, d)` is the earliest instant at which `d` of business time has
accumulated since `start`. A due time that lands exactly on a closing time is therefore
that closing time (12:00, Friday 16:30), never the next opening: that is what a customer
reads as "due at". A zero duration is due at `start`, even outside hours.

How it stays fast. Each calendar lazily builds a timeline: the open segments of a span of
years as integer microseconds in UTC, merged, plus a prefix sum of business time before
each segment. A point's "business position" is one bisection away, so adding or measuring
any duration, one hour or six months, costs two bisections: the cost never grows with the
duration (this replaces the usual "jump whole weeks" loop, which still grows with the
number of holidays crossed). The span grows when a query leaves it. The same arrays serve
the numpy batch form `add_business_time_many`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cached_property, lru_cache
from itertools import pairwise
from threading import Lock
from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_package
import numpy as np

from core.formatting import format_day, format_duration, format_moment, zone_label, zone_line
from core.languages import SPANISH, language_code
from sla.exceptions import (
    CalendarWithoutWorkingTime,
    ConflictingCalendarDates,
    DurationPastCalendar,
    InvalidWeekday,
    MomentOutsideCalendar,
    NaiveDatetime,
    NegativeDuration,
    OverlappingIntervals,
    UnknownCountry,
    UnknownSubdivision,
    UnknownTimeZone,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US_PER_SECOND = 1_000_000
ONE_US = timedelta(microseconds=1)
ZERO = timedelta(0)
US_PER_DAY = 86_400 * US_PER_SECOND
SECONDS_PER_WEEK = 7 * 86_400
WEEKDAY_NAMES_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
WEEKDAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _seconds(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


@dataclass(frozen=True)
class Window:
    """A weekly opening window, `weekday` 0 = Monday."""

    weekday: int
    starts_at: time
    ends_at: time

    @property
    def crosses_midnight(self) -> bool:
        return self.ends_at <= self.starts_at

    @property
    def length_seconds(self) -> int:
        length = _seconds(self.ends_at) - _seconds(self.starts_at)
        return length + 86_400 if self.crosses_midnight else length

    def __str__(self) -> str:
        return f"{WEEKDAY_NAMES_EN[self.weekday]} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


@dataclass(frozen=True)
class Opening:
    """An extra working window on one date; it replaces that date's weekly windows."""

    on: date
    starts_at: time
    ends_at: time
    name: str = ""

    def __str__(self) -> str:
        return f"{self.on} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


@dataclass(frozen=True)
class Closure:
    on: date
    name: str = ""


@dataclass(frozen=True)
class Calendar:
    """A validated, immutable business calendar. Build it with `Calendar.build(...)`."""

    time_zone: str
    windows: tuple[Window, ...] = ()
    holiday_country: str = ""
    holiday_subdivision: str = ""
    closures: tuple[Closure, ...] = ()
    openings: tuple[Opening, ...] = ()
    always_open: bool = False
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        # One canonical order, so equal content compares (and caches) equal however built.
        object.__setattr__(
            self, "windows", tuple(sorted(self.windows, key=lambda w: (w.weekday, w.starts_at)))
        )
        object.__setattr__(self, "closures", _one_closure_per_day(self.closures))
        object.__setattr__(
            self, "openings", tuple(sorted(self.openings, key=lambda o: (o.on, o.starts_at)))
        )
        validate(self)

    @classmethod
    def build(
        cls,
        time_zone: str,
        hours: Mapping[int, Sequence[tuple[str, str]]] | None = None,
        *,
        country: str = "",
        subdivision: str = "",
        closures: Iterable[date | tuple[date, str]] = (),
        openings: Iterable[tuple[date, str, str] | tuple[date, str, str, str]] = (),
        always_open: bool = False,
        name: str = "",
    ) -> Calendar:
        """Readable constructor: `hours={0: [("08:00", "12:00"), ("13:00", "17:00")], ...}`."""
        windows = tuple(
            Window(weekday, time.fromisoformat(start), time.fromisoformat(end))
            for weekday, spans in sorted((hours or {}).items())
            for start, end in spans
        )
        closure_rows = tuple(
            sorted(
                (Closure(*item) if isinstance(item, tuple) else Closure(item) for item in closures),
                key=lambda closure: closure.on,
            )
        )
        opening_rows = tuple(
            sorted(
                (
                    Opening(on, time.fromisoformat(s), time.fromisoformat(e), *named)
                    for on, s, e, *named in openings
                ),
                key=lambda opening: (opening.on, opening.starts_at),
            )
        )
        return cls(
            time_zone=time_zone,
            windows=windows,
            holiday_country=country.upper(),
            holiday_subdivision=subdivision.upper(),
            closures=closure_rows,
            openings=opening_rows,
            always_open=always_open,
            name=name,
        )

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @cached_property
    def weekly_seconds(self) -> int:
        """Working seconds of an ordinary week (no holidays, no clock change)."""
        return 7 * 86_400 if self.always_open else sum(w.length_seconds for w in self.windows)

    @cached_property
    def _timeline(self) -> _Timeline:
        return _shared_timeline(self)

    def windows_on(self, day: date) -> tuple[tuple[time, time], ...]:
        """The (start, end) windows that open on `day`, after holidays and exceptions."""
        openings = self._openings_by_date.get(day)
        if openings is not None:
            return openings
        if day in self._closure_names or day in holiday_names(self, day.year):
            return ()
        return self._weekly_by_day[day.weekday()]

    def closed_reason(self, day: date) -> tuple[str, str] | None:
        """Why a day has no windows: ("holiday"|"closure"|"weekend", name), or None if open."""
        if day in self._openings_by_date:
            return None
        if day in self._closure_names:
            return "closure", self._closure_names[day]
        name = holiday_names(self, day.year).get(day)
        if name is not None:
            return "holiday", name
        if not self._weekly_by_day[day.weekday()]:
            return "weekend", ""
        return None

    @cached_property
    def _weekly_by_day(self) -> tuple[tuple[tuple[time, time], ...], ...]:
        return tuple(
            tuple(sorted((w.starts_at, w.ends_at) for w in self.windows if w.weekday == weekday))
            for weekday in range(7)
        )

    @cached_property
    def _openings_by_date(self) -> dict[date, tuple[tuple[time, time], ...]]:
        grouped: dict[date, list[tuple[time, time]]] = {}
        for opening in self.openings:
            grouped.setdefault(opening.on, []).append((opening.starts_at, opening.ends_at))
        return {day: tuple(sorted(spans)) for day, spans in grouped.items()}

    @cached_property
    def _closure_names(self) -> dict[date, str]:
        return {closure.on: closure.name for closure in self.closures}


def _one_closure_per_day(closures: Iterable[Closure]) -> tuple[Closure, ...]:
    """Closures in date order, one per day: a day listed twice is one closure carrying both
    names (a version stores one closure row per day)."""
    names: dict[date, list[str]] = {}
    for closure in sorted(closures, key=lambda c: c.on):
        day = names.setdefault(closure.on, [])
        if closure.name and closure.name not in day:
            day.append(closure.name)
    return tuple(Closure(on, " / ".join(day)) for on, day in names.items())


# --- validation: the one place that decides whether a calendar is usable -------------------


def check_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise UnknownTimeZone(field="time_zone", value=value) from error


def supported_holiday_countries() -> dict[str, list[str]]:
    """Every country the holidays package knows, with its subdivisions. Listing them imports
    every country's rules (about 280 modules, 0.4 s); the package keeps the list per process,
    and gunicorn's master lists them before it forks (`creditdesk.warmup`), so a worker's
    first intake does not."""
    return holidays_package.list_supported_countries()


def check_country(country: str, subdivision: str = "") -> None:
    if not country:
        if subdivision:
            raise UnknownSubdivision(field="holiday_subdivision", country="-", value=subdivision)
        return
    supported = supported_holiday_countries()
    if country not in supported:
        raise UnknownCountry(field="holiday_country", value=country)
    if subdivision and subdivision not in supported[country]:
        raise UnknownSubdivision(field="holiday_subdivision", country=country, value=subdivision)


def _check_no_overlap(spans: list[tuple[int, int, str]], period: int | None) -> None:
    """`spans` are (start, end, label) seconds; `period` makes the check cyclic (a week)."""
    ordered = sorted(spans)
    pairs = list(pairwise(ordered))
    if period is not None and len(ordered) > 1:
        first = ordered[0]
        pairs.append((ordered[-1], (first[0] + period, first[1] + period, first[2])))
    for (start_a, end_a, label_a), (start_b, _end_b, label_b) in pairs:
        del start_a
        if start_b < end_a:
            raise OverlappingIntervals(field="intervals", first=label_a, second=label_b)


def validate(calendar: Calendar) -> None:
    """Raise the first `SlaError` that makes `calendar` unusable; the field is named."""
    check_time_zone(calendar.time_zone)
    check_country(calendar.holiday_country, calendar.holiday_subdivision)
    if calendar.always_open:
        return
    if not calendar.windows:
        raise CalendarWithoutWorkingTime(field="intervals")
    weekly = []
    for window in calendar.windows:
        if not 0 <= window.weekday <= 6:
            raise InvalidWeekday(field="intervals", value=window.weekday)
        start = window.weekday * 86_400 + _seconds(window.starts_at)
        weekly.append((start, start + window.length_seconds, str(window)))
    _check_no_overlap(weekly, SECONDS_PER_WEEK)
    by_day: dict[date, list[tuple[int, int, str]]] = {}
    for opening in calendar.openings:
        start = _seconds(opening.starts_at)
        end = _seconds(opening.ends_at)
        end = end + 86_400 if end <= start else end
        by_day.setdefault(opening.on, []).append((start, end, str(opening)))
    for spans in by_day.values():
        _check_no_overlap(spans, None)
    closed = {closure.on for closure in calendar.closures} & set(by_day)
    if closed:
        raise ConflictingCalendarDates(field="dates", value=min(closed).isoformat())


ALWAYS_OPEN = Calendar(time_zone="UTC", always_open=True, name="24x7")


@lru_cache(maxsize=512)
def _holidays_of(country: str, subdivision: str, year: int) -> dict[date, str]:
    found = holidays_package.country_holidays(country, subdiv=subdivision or None, years=year)
    return dict(found.items())


def holiday_names(calendar: Calendar, year: int) -> dict[date, str]:
    if not calendar.holiday_country:
        return {}
    return _holidays_of(calendar.holiday_country, calendar.holiday_subdivision, year)


# --- conversions ---------------------------------------------------------------------------


def to_us(value: datetime, field_name: str = "start") -> int:
    """Microseconds since the Unix epoch of an aware datetime; naive ones are refused."""
    try:
        return (value - EPOCH) // ONE_US
    except TypeError:
        # Only a naive datetime (or one whose tzinfo gives no offset) fails to subtract.
        raise NaiveDatetime(field=field_name, value=value.isoformat()) from None


def from_us(value: int, zone: tzinfo = UTC) -> datetime:
    moment = EPOCH + ONE_US * value
    return moment if zone is UTC else moment.astimezone(zone)


# --- the timeline ---------------------------------------------------------------------------


_timelines: dict[Calendar, _Timeline] = {}
_timelines_lock = Lock()


def _shared_timeline(calendar: Calendar) -> _Timeline:
    # Equal calendars rebuilt from the database share one timeline instead of each building
    # years of segments again.
    with _timelines_lock:
        timeline = _timelines.get(calendar)
        if timeline is None:
            if len(_timelines) > 256:
                _timelines.clear()
            timeline = _timelines[calendar] = _Timeline(calendar)
        return timeline


def _local_midnight_us(zone: ZoneInfo, day: date) -> int:
    """An instant no later than the first one whose wall clock shows `day`."""
    midnight = datetime.combine(day, time())
    return min(to_us(midnight.replace(tzinfo=zone, fold=fold)) for fold in (0, 1))


@dataclass(frozen=True, slots=True)
class _Segments:
    """Open segments [starts[k], ends[k]) in UTC microseconds, merged and sorted.

    `cum[k]` is the business time before segment k and `cum[-1]` the total. Only instants
    in [safe_start, safe_end) are answered: beyond, segments may be missing.
    """

    starts: list[int]
    ends: list[int]
    cum: list[int]
    safe_start: int
    safe_end: int
    first_year: int
    last_year: int

    def covers(self, low: int, high: int) -> bool:
        return self.safe_start <= low and high < self.safe_end

    def position(self, moment: int) -> int:
        """Business time from the first segment to `moment`."""
        index = bisect_right(self.starts, moment) - 1
        if index >= 0 and moment < self.ends[index]:
            return self.cum[index] + moment - self.starts[index]
        return self.cum[index + 1]


_EMPTY = _Segments([], [], [0], 0, 0, 0, 0)


class _Timeline:
    """The growing `_Segments` of one calendar.

    Readers take `self.segments` once and use that snapshot; a rebuild swaps in a new
    snapshot under the lock, so readers never see half-built arrays and never wait.
    """

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self.zone = calendar.zone
        self.lock = Lock()
        self.segments = _EMPTY
        self._numpy: tuple[_Segments, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    def ensure(self, low: int, high: int) -> _Segments:
        """Segments covering [low, high], building more years when needed."""
        segments = self.segments
        if segments.covers(low, high):
            return segments
        with self.lock:
            segments = self.segments
            if segments.covers(low, high):
                return segments
            first_year = from_us(low).year - 1
            last_year = from_us(min(high, _LATEST_US)).year + 2
            if segments.first_year:
                first_year = min(first_year, segments.first_year)
                last_year = max(last_year, segments.last_year)
                if high >= segments.safe_end:
                    # Grow geometrically so a walk towards a far target rebuilds rarely.
                    span = segments.last_year - segments.first_year
                    last_year = max(last_year, segments.last_year + span)
            self.segments = segments = self._build(max(first_year, 2), min(last_year, _LAST_YEAR))
            return segments

    def _build(self, first_year: int, last_year: int) -> _Segments:
        zone = self.zone
        first_day = date(first_year, 1, 1)
        last_day = date(last_year, 1, 1)
        offsets = _offset_segments(
            zone, first_day - timedelta(days=2), last_day + timedelta(days=3)
        )
        offset_starts = [start for start, _offset in offsets]
        smallest = min(offset for _start, offset in offsets)
        largest = max(offset for _start, offset in offsets)
        pieces: list[tuple[int, int]] = []
        # Start a day early: that day's night shift may end inside the span.
        day = first_day - timedelta(days=1)
        while day < last_day:
            for starts_at, ends_at in self.calendar.windows_on(day):
                end_day = day + timedelta(days=1) if ends_at <= starts_at else day
                _wall_range_to_utc(
                    _wall_us(day, starts_at),
                    _wall_us(end_day, ends_at),
                    offsets,
                    offset_starts,
                    smallest,
                    largest,
                    pieces,
                )
            day += timedelta(days=1)
        pieces.sort()
        starts: list[int] = []
        ends: list[int] = []
        for start, end in pieces:
            if ends and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        cum = [0]
        for start, end in zip(starts, ends, strict=True):
            cum.append(cum[-1] + end - start)
        return _Segments(
            starts,
            ends,
            cum,
            safe_start=_local_midnight_us(zone, first_day),
            safe_end=_local_midnight_us(zone, last_day),
            first_year=first_year,
            last_year=last_year,
        )

    def add(self, start: int, duration: int) -> int:
        # The hot path of every due time: two bisections, no loop over days or weeks.
        segments = self.segments
        while True:
            if segments.safe_start <= start < segments.safe_end:
                starts, cum = segments.starts, segments.cum
                index = bisect_right(starts, start) - 1
                if index >= 0 and start < segments.ends[index]:
                    target = cum[index] + start - starts[index] + duration
                else:
                    target = cum[index + 1] + duration
                if target <= cum[-1]:
                    index = bisect_left(cum, target, 1) - 1
                    result = starts[index] + target - cum[index]
                    if result < segments.safe_end:
                        return result
                segments = self.grown(start, segments, duration, "duration")
            else:
                segments = self.ensure(start, start)

    def grown(self, start: int, segments: _Segments, duration: int, field: str) -> _Segments:
        """The segments past `segments`' end, for a target beyond it; none past the last year
        a calendar measures: a duration that ends later is refused, where growing would
        rebuild the same last year for ever."""
        if segments.last_year >= _LAST_YEAR:
            _refuse_past_calendar(duration, field)
        return self.ensure(start, segments.safe_end)

    def between(self, first: int, second: int) -> int:
        segments = self.ensure(min(first, second), max(first, second))
        return segments.position(second) - segments.position(first)

    def arrays(self, segments: _Segments) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cached = self._numpy
        if cached is None or cached[0] is not segments:
            arrays = (
                np.asarray(segments.starts, dtype=np.int64),
                np.asarray(segments.ends, dtype=np.int64),
                np.asarray(segments.cum, dtype=np.int64),
            )
            self._numpy = cached = (segments, arrays)
        return cached[1]


_LAST_YEAR = 9990  # far from datetime's limit
# The instants a calendar measures: from the year 3 (its segments start at the year 2's
# first local midnight) to a week before the year 9990 (its segments end at that year's
# first local midnight, which in the easternmost zone comes 14 hours before UTC's).
_EARLIEST_US = (datetime(3, 1, 1, tzinfo=UTC) - EPOCH) // ONE_US
_LATEST_US = (datetime(_LAST_YEAR - 1, 12, 25, tzinfo=UTC) - EPOCH) // ONE_US


def _refuse_past_calendar(duration: int, field: str) -> NoReturn:
    raise DurationPastCalendar(field=field, value=str(timedelta(microseconds=duration)))


def _check_measured(moment: int, field: str) -> None:
    """Refuses a moment outside what a calendar measures, where the arithmetic would rebuild
    its first or last year for ever."""
    if not _EARLIEST_US <= moment < _LATEST_US:
        raise MomentOutsideCalendar(field=field, value=str(np.datetime64(moment, "us")))


def _wall_us(day: date, at: time) -> int:
    """Wall-clock microseconds: the local date and time read as if they were UTC."""
    days = day.toordinal() - 719_163  # date(1970, 1, 1).toordinal()
    return (days * 86_400 + _seconds(at)) * US_PER_SECOND


def _offset_segments(zone: ZoneInfo, first: date, last: date) -> list[tuple[int, int]]:
    """[(utc_start_us, utc_offset_us)] covering first..last, one row per offset change."""
    day_start = to_us(datetime.combine(first, time(), tzinfo=UTC))
    stop = to_us(datetime.combine(last, time(), tzinfo=UTC))
    offset = _offset_at(zone, day_start)
    segments = [(-(2**62), offset)]
    step = 6 * 3600 * US_PER_SECOND
    moment = day_start
    while moment < stop:
        following = moment + step
        next_offset = _offset_at(zone, following)
        if next_offset != offset:
            # Offsets change at most once per six hours: find the exact second by bisection.
            low, high = moment, following
            while high - low > US_PER_SECOND:
                middle = (low + high) // 2 // US_PER_SECOND * US_PER_SECOND
                if _offset_at(zone, middle) == offset:
                    low = middle
                else:
                    high = middle
            segments.append((high, next_offset))
            offset = next_offset
        moment = following
    return segments


def _offset_at(zone: ZoneInfo, moment: int) -> int:
    return round(from_us(moment, zone).utcoffset().total_seconds()) * US_PER_SECOND


def _wall_range_to_utc(
    wall_start: int,
    wall_end: int,
    offsets: list[tuple[int, int]],
    offset_starts: list[int],
    smallest: int,
    largest: int,
    out: list[tuple[int, int]],
) -> None:
    """Append the UTC instants whose wall time lies in [wall_start, wall_end).

    Within a stretch of constant offset o, wall = utc + o, so the stretch contributes
    [wall_start - o, wall_end - o) clipped to the stretch. Around a clock change the result
    is a gap (spring forward) or a repeated hour (fall back), exactly as the wall clock shows.
    """
    index = max(bisect_right(offset_starts, wall_start - largest) - 1, 0)
    limit = wall_end - smallest
    while index < len(offsets) and offsets[index][0] < limit:
        stretch_start, offset = offsets[index]
        stretch_end = offsets[index + 1][0] if index + 1 < len(offsets) else 2**62
        low = max(stretch_start, wall_start - offset)
        high = min(stretch_end, wall_end - offset)
        if low < high:
            out.append((low, high))
        index += 1


# --- public arithmetic ---------------------------------------------------------------------


def add_business_time(start: datetime, duration: timedelta, calendar: Calendar) -> datetime:
    """Earliest instant at which `duration` of business time has passed since `start`.

    Returned in `start`'s time zone. Lands on a closing time rather than the next opening.
    """
    start_us = to_us(start)
    if duration <= ZERO:
        if duration < ZERO:
            raise NegativeDuration(field="duration", value=str(duration))
        return start
    _check_measured(start_us, "start")
    amount = duration // ONE_US
    if amount >= _LATEST_US - start_us:  # business time passes no faster than the clock
        _refuse_past_calendar(amount, "duration")
    if calendar.always_open:
        return start + duration
    moment = EPOCH + ONE_US * calendar._timeline.add(start_us, amount)
    zone = start.tzinfo
    return moment if zone is UTC else moment.astimezone(zone)


def business_time_between(first: datetime, second: datetime, calendar: Calendar) -> timedelta:
    """Business time in [first, second); negative when `second` is before `first`."""
    first_us = to_us(first, "first")
    second_us = to_us(second, "second")
    _check_measured(first_us, "first")
    _check_measured(second_us, "second")
    if calendar.always_open:
        return timedelta(microseconds=second_us - first_us)
    return timedelta(microseconds=calendar._timeline.between(first_us, second_us))


def is_working_time(moment: datetime, calendar: Calendar) -> bool:
    if calendar.always_open:
        to_us(moment, "moment")
        return True
    moment_us = to_us(moment, "moment")
    segments = calendar._timeline.ensure(moment_us, moment_us)
    index = bisect_right(segments.starts, moment_us) - 1
    return index >= 0 and moment_us < segments.ends[index]


def next_working_moment(moment: datetime, calendar: Calendar) -> datetime:
    """`moment` when the calendar is open then; otherwise the instant it opens next."""
    if is_working_time(moment, calendar):
        return moment
    tick = timedelta(microseconds=1)
    return add_business_time(moment, tick, calendar) - tick


def add_business_time_many(starts: np.ndarray, durations: np.ndarray, calendar: Calendar):
    """Vectorised `add_business_time` over numpy columns.

    `starts`: datetime64 (read as UTC) or int64 microseconds since the epoch; `durations`:
    timedelta64 or int64 microseconds, none negative. Returns datetime64[us] in UTC.
    """
    start_us = _as_int64_us(np.asarray(starts), "datetime64[us]")
    amount = _as_int64_us(np.asarray(durations), "timedelta64[us]")
    if amount.size and amount.min() < 0:
        raise NegativeDuration(field="durations", value=str(int(amount.min())))
    outside = (start_us < _EARLIEST_US) | (start_us >= _LATEST_US)
    if outside.any():  # the first such start, NaT too
        _check_measured(int(start_us[outside].reshape(-1)[0]), "starts")
    past = amount >= _LATEST_US - start_us  # business time passes no faster than the clock
    if past.any():
        _refuse_past_calendar(int(np.broadcast_to(amount, past.shape)[past].max()), "durations")
    if calendar.always_open or start_us.size == 0:
        return (start_us + amount).astype("datetime64[us]")
    timeline = calendar._timeline
    segments = timeline.ensure(int(start_us.min()), int(start_us.max()))
    while True:
        segment_starts, segment_ends, cum = timeline.arrays(segments)
        index = np.searchsorted(segment_starts, start_us, side="right") - 1
        clipped = np.maximum(index, 0)
        inside = (index >= 0) & (start_us < segment_ends[clipped])
        position = np.where(
            inside, cum[clipped] + start_us - segment_starts[clipped], cum[index + 1]
        )
        target = position + amount
        if int(target.max()) <= int(cum[-1]):
            segment = np.maximum(np.searchsorted(cum, target, side="left") - 1, 0)
            result = segment_starts[segment] + target - cum[segment]
            result = np.where(amount == 0, start_us, result)
            if int(result.max()) < segments.safe_end:
                return result.astype("datetime64[us]")
        segments = timeline.grown(int(start_us.min()), segments, int(amount.max()), "durations")


def _as_int64_us(values: np.ndarray, unit: str) -> np.ndarray:
    if values.dtype.kind in "mM":
        return values.astype(unit).view(np.int64)
    return values.astype(np.int64, copy=False)


# --- explanation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SkippedDay:
    on: date
    reason: str  # "holiday" | "closure" | "weekend"
    name: str = ""


@dataclass(frozen=True)
class Step:
    """A stretch between `starts_at` and `ends_at` (in the explanation's zone) that either
    counted ("work") or was skipped ("skip": nights, and the closed days listed in `skipped`,
    which are days of the calendar's own zone)."""

    kind: str
    starts_at: datetime
    ends_at: datetime
    business_time: timedelta
    skipped: tuple[SkippedDay, ...] = ()

    def line(self, language: str = "es") -> str:
        spanish = language_code(language) == SPANISH
        span = (
            f"{format_moment(self.starts_at, language)} → {format_moment(self.ends_at, language)}"
        )
        if self.kind == "work":
            counted = format_duration(self.business_time)
            return f"{span}: {counted} hábiles" if spanish else f"{span}: {counted} of working time"
        if not self.skipped:
            return f"{span}: fuera de horario" if spanish else f"{span}: outside working hours"
        days = ", ".join(_skipped_text(day, language) for day in self.skipped)
        return f"{span}: se omite {days}" if spanish else f"{span}: skipped {days}"


@dataclass(frozen=True)
class Explanation:
    """`start`, `due_at` and the steps' instants are in the zone they are shown in;
    `hours_zone` is the calendar's when that is another and the calendar has opening hours,
    so the reader knows whose working hours and holidays were counted."""

    start: datetime
    duration: timedelta
    due_at: datetime
    steps: tuple[Step, ...]
    hours_zone: tzinfo | None = None

    def lines(self, language: str = "es") -> list[str]:
        spanish = language_code(language) == SPANISH
        start = format_moment(self.start, language)
        target = format_duration(self.duration)
        head = (
            f"Inicio {start}, objetivo {target} hábiles"
            if spanish
            else f"Start {start}, target {target} of working time"
        )
        due = format_moment(self.due_at, language)
        tail = f"Vence {due}" if spanish else f"Due {due}"
        zone = zone_line(self.start.tzinfo, language, at=self.start)
        steps = [step.line(language) for step in self.steps]
        return [zone, *self.hours_zone_lines(language), head, *steps, tail]

    def hours_zone_lines(self, language: str = "es") -> list[str]:
        """The line naming the calendar's zone for its hours, when it is not the shown one."""
        if self.hours_zone is None:
            return []
        label = zone_label(self.hours_zone, language, at=self.start)
        if language_code(language) == SPANISH:
            return [f"Horario hábil y festivos en la zona del calendario: {label}"]
        return [f"Working hours and holidays in the calendar's zone: {label}"]


def _skipped_text(day: SkippedDay, language: str) -> str:
    spanish = language_code(language) == SPANISH
    weekday = (WEEKDAY_NAMES_ES if spanish else WEEKDAY_NAMES_EN)[day.on.weekday()]
    if day.reason == "weekend":
        what = "día no laborable" if spanish else "non-working day"
    elif day.reason == "holiday":
        what = f"festivo {day.name}" if spanish else f"holiday {day.name}"
    else:
        what = f"cierre {day.name}".strip() if spanish else f"closure {day.name}".strip()
    return f"{weekday} {format_day(day.on, language)} ({what})"


def explain_due(
    start: datetime, duration: timedelta, calendar: Calendar, zone: tzinfo | None = None
) -> Explanation:
    """The due time of `add_business_time` with the windows used and what was skipped, its
    instants in `zone` (the reader's; the calendar's by default). The days skipped stay the
    calendar's: a holiday is a day where the calendar is."""
    due = add_business_time(start, duration, calendar)
    zone = zone or calendar.zone
    local_start, local_due = start.astimezone(zone), due.astimezone(zone)
    if calendar.always_open or due == start:
        steps = (Step("work", local_start, local_due, due - start),) if due > start else ()
        return Explanation(local_start, duration, local_due, steps)
    start_us, due_us = to_us(start), to_us(due)
    timeline = calendar._timeline.ensure(start_us, due_us)
    first = max(bisect_right(timeline.starts, start_us) - 1, 0)
    last = bisect_left(timeline.starts, due_us)
    segments = [
        (max(segment_start, start_us), min(segment_end, due_us))
        for segment_start, segment_end in zip(
            timeline.starts[first:last], timeline.ends[first:last], strict=True
        )
        if segment_end > start_us
    ]
    steps: list[Step] = []
    cursor = start_us
    for segment_start, segment_end in segments:
        if segment_start > cursor:
            steps.append(_skip_step(cursor, segment_start, calendar, zone))
        steps.append(
            Step(
                "work",
                from_us(segment_start, zone),
                from_us(segment_end, zone),
                timedelta(microseconds=segment_end - segment_start),
            )
        )
        cursor = segment_end
    hours_zone = None if _zone_name(zone) == _zone_name(calendar.zone) else calendar.zone
    return Explanation(local_start, duration, local_due, tuple(steps), hours_zone)


def _zone_name(zone: tzinfo) -> str:
    return getattr(zone, "key", None) or str(zone)


def _skip_step(gap_start: int, gap_end: int, calendar: Calendar, shown: tzinfo) -> Step:
    zone = calendar.zone
    local_start, local_end = from_us(gap_start, zone), from_us(gap_end, zone)
    skipped = []
    day = local_start.date()
    while day <= local_end.date():
        reason = calendar.closed_reason(day)
        if reason is not None:
            skipped.append(SkippedDay(day, *reason))
        day += timedelta(days=1)
    return Step(
        "skip", local_start.astimezone(shown), local_end.astimezone(shown), ZERO, tuple(skipped)
    )
