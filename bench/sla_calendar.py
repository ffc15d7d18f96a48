"""Due-time arithmetic: Creditdesk against businesstimedelta and pandas CustomBusinessHour.

    uv sync --group bench && uv run python bench/sla_calendar.py [--pairs 100000]

Calendar: Bogota, Monday to Friday 08:00-16:30 (seed 001), Colombian holidays. Inputs:
random starts (whole minutes, 2025-2026, any hour of any day) and random targets of 1 to
200 whole hours (pandas' offset counts whole hours), the same for everyone.

1. Creditdesk is checked against the minute-stepping oracle of the test-suite on a sample;
   one mismatch aborts the run.
2. Each peer computes every pair. Its answers are compared with Creditdesk's: an answer
   that differs only because the peer moves a due time that lands exactly on a closing
   time to the next opening is a difference of meaning, not an error, and stays in the
   timing; any other difference is a mismatch, recorded (with the oracle's verdict on a
   few of them) and left out of every timing.
3. Timing (time.perf_counter, best of --repeat) of one call per pair over the pairs no
   one mismatched, each library in its fastest honest form: Creditdesk with aware UTC
   datetimes (what the database returns); pandas with naive local Timestamps and one
   offset object cached per duration; businesstimedelta with its rules and one delta per
   duration built once.
4. The numpy batch form over the same columns, and the cost of 1-hour vs 200-hour targets.

The last line is `speedup_vs_fastest_peer: X` (fastest peer's microseconds per call over
Creditdesk's).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import businesstimedelta  # noqa: E402
import holidays  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sla.calendars import (  # noqa: E402
    Calendar,
    add_business_time,
    add_business_time_many,
    is_working_time,
)
from tests.sla.oracle import oracle_add  # noqa: E402

BOGOTA = ZoneInfo("America/Bogota")
OPENS, CLOSES = "08:00", "16:30"
CALENDAR = Calendar.build("America/Bogota", {d: [(OPENS, CLOSES)] for d in range(5)}, country="CO")
HOLIDAY_DATES = sorted(holidays.country_holidays("CO", years=range(2024, 2029)))


def make_pairs(count: int, seed: int) -> list[tuple[datetime, int]]:
    rng = random.Random(seed)
    first = datetime(2025, 1, 1, tzinfo=BOGOTA)
    span_minutes = 2 * 365 * 24 * 60
    return [
        (first + timedelta(minutes=rng.randrange(span_minutes)), rng.randint(1, 200))
        for _ in range(count)
    ]


def best_of(repeat: int, run) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)


def next_opening_after(moment: datetime) -> datetime:
    """The first working instant after `moment` (pandas' reading of a closing-time due)."""
    probe = moment
    while not is_working_time(probe, CALENDAR):
        probe += timedelta(minutes=1)
    return probe


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--oracle-sample", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260116)
    options = parser.parse_args()

    pairs = make_pairs(options.pairs, options.seed)
    starts_utc = [start.astimezone(UTC) for start, _hours in pairs]
    durations = [timedelta(hours=hours) for _start, hours in pairs]
    ours = [
        add_business_time(start, duration, CALENDAR)
        for start, duration in zip(starts_utc, durations, strict=True)
    ]
    ours_local = [due.astimezone(BOGOTA).replace(tzinfo=None) for due in ours]

    # 1. Creditdesk against the oracle.
    sample = random.Random(options.seed + 1).sample(range(len(pairs)), options.oracle_sample)
    wrong = [i for i in sample if oracle_add(starts_utc[i], durations[i], CALENDAR) != ours[i]]
    print(f"pairs: {len(pairs)}; calendar: Bogota Mon-Fri {OPENS}-{CLOSES}, CO holidays")
    print(f"creditdesk vs minute oracle: {len(sample)} sampled, {len(wrong)} mismatches")
    if wrong:
        raise SystemExit(f"Creditdesk disagrees with the oracle on pairs {wrong[:10]}")

    # 2. Peers' answers.
    naive_starts = [start.replace(tzinfo=None) for start, _hours in pairs]
    pandas_starts = [pd.Timestamp(start) for start in naive_starts]
    pandas_offsets = {
        hours: pd.offsets.CustomBusinessHour(
            n=hours, start=OPENS, end=CLOSES, holidays=HOLIDAY_DATES
        )
        for hours in range(1, 201)
    }
    rules = businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(
                start_time=datetime.strptime(OPENS, "%H:%M").time(),  # noqa: DTZ007
                end_time=datetime.strptime(CLOSES, "%H:%M").time(),  # noqa: DTZ007
                working_days=[0, 1, 2, 3, 4],
            ),
            businesstimedelta.HolidayRule(HOLIDAY_DATES),
        ]
    )
    btd_deltas = {
        hours: businesstimedelta.BusinessTimeDelta(rules, hours=hours) for hours in range(1, 201)
    }
    hours_list = [hours for _start, hours in pairs]

    peers = {
        "pandas CustomBusinessHour": lambda idx: [
            pandas_starts[i] + pandas_offsets[hours_list[i]] for i in idx
        ],
        "businesstimedelta": lambda idx: [naive_starts[i] + btd_deltas[hours_list[i]] for i in idx],
    }
    everyone = range(len(pairs))
    excluded: set[int] = set()
    for name, run in peers.items():
        answers = run(everyone)
        convention = 0
        mismatches = []
        for i, answer in enumerate(answers):
            value = answer.to_pydatetime() if hasattr(answer, "to_pydatetime") else answer
            value = value.replace(tzinfo=None)
            if value == ours_local[i]:
                continue
            expected_next = next_opening_after(ours[i]).astimezone(BOGOTA).replace(tzinfo=None)
            if value == expected_next and not is_working_time(ours[i], CALENDAR):
                convention += 1
                continue
            mismatches.append(i)
        excluded.update(mismatches)
        print(
            f"{name}: {convention} closing-time answers moved to the next opening "
            f"(meaning, kept), {len(mismatches)} mismatches (excluded)"
        )
        for i in mismatches[:3]:
            truth = oracle_add(starts_utc[i], durations[i], CALENDAR).astimezone(BOGOTA)
            print(
                f"    e.g. start {naive_starts[i]:%a %Y-%m-%d %H:%M} + {hours_list[i]} h: "
                f"{name} {answers[i]}, oracle {truth:%a %Y-%m-%d %H:%M}"
            )

    # 3. Timing over the pairs no one mismatched.
    kept = [i for i in everyone if i not in excluded]
    kept_starts = [starts_utc[i] for i in kept]
    kept_durations = [durations[i] for i in kept]
    cal = CALENDAR

    def creditdesk() -> None:
        for start, duration in zip(kept_starts, kept_durations, strict=True):
            add_business_time(start, duration, cal)

    per_call = {"creditdesk": best_of(options.repeat, creditdesk) / len(kept) * 1e6}
    for name, run in peers.items():
        per_call[name] = best_of(options.repeat, lambda run=run: run(kept)) / len(kept) * 1e6
    print(f"timed pairs: {len(kept)} (best of {options.repeat})")
    for name, micros in per_call.items():
        print(f"  {name:<28} {micros:10.2f} us/call")
    fastest_peer = min((m, n) for n, m in per_call.items() if n != "creditdesk")
    for name, micros in per_call.items():
        if name != "creditdesk":
            print(f"  creditdesk is {micros / per_call['creditdesk']:.1f}x faster than {name}")

    # 4. Batch form, and cost against duration.
    start_column = np.array([s.replace(tzinfo=None) for s in kept_starts], dtype="datetime64[us]")
    duration_column = np.array(kept_durations, dtype="timedelta64[us]")
    batch = add_business_time_many(start_column, duration_column, cal)
    expected = np.array(
        [
            add_business_time(s, d, cal).replace(tzinfo=None)
            for s, d in zip(kept_starts, kept_durations, strict=True)
        ],
        dtype="datetime64[us]",
    )
    if not np.array_equal(batch, expected):
        raise SystemExit("the batch form disagrees with the scalar form")
    batch_per_element = (
        best_of(options.repeat, lambda: add_business_time_many(start_column, duration_column, cal))
        / len(kept)
        * 1e6
    )
    print(f"  creditdesk numpy batch       {batch_per_element:10.3f} us/element")
    print(
        f"  batch is {per_call['creditdesk'] / batch_per_element:.0f}x faster per element than "
        f"creditdesk per call, {fastest_peer[0] / batch_per_element:.0f}x than {fastest_peer[1]}"
    )
    one_hour, two_hundred = timedelta(hours=1), timedelta(hours=200)

    def run_with(duration):
        def run() -> None:
            for start in kept_starts:
                add_business_time(start, duration, cal)

        return run

    cost_1 = best_of(options.repeat, run_with(one_hour)) / len(kept) * 1e6
    cost_200 = best_of(options.repeat, run_with(two_hundred)) / len(kept) * 1e6
    print(
        f"  creditdesk 1-hour target {cost_1:.2f} us, 200-hour target {cost_200:.2f} us "
        f"(ratio {cost_200 / cost_1:.2f})"
    )
    print(f"speedup_vs_fastest_peer: {fastest_peer[0] / per_call['creditdesk']:.1f}")


if __name__ == "__main__":
    main()
