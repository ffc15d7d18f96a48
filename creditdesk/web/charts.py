"""Inline SVG charts drawn on the server, so they need no JavaScript."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    points: str
    zero_y: float | None
    low: Decimal
    high: Decimal
    start: datetime | None
    end: datetime | None

    @property
    def empty(self) -> bool:
        return not self.points


def step_chart(
    series: list[tuple[datetime, Decimal]], *, width: int = 640, height: int = 180, pad: int = 8
) -> LineChart:
    """A step line through (time, value) pairs: a balance holds until the next entry."""
    if not series:
        return LineChart(width, height, "", None, Decimal(0), Decimal(0), None, None)
    values = [value for _, value in series]
    low, high = min([*values, Decimal(0)]), max([*values, Decimal(0)])
    span_value = (high - low) or Decimal(1)
    start, end = series[0][0], series[-1][0]
    span_time = (end - start).total_seconds() or 1.0

    def x(at: datetime) -> float:
        return round(pad + (at - start).total_seconds() / span_time * (width - 2 * pad), 1)

    def y(value: Decimal) -> float:
        return round(pad + float((high - value) / span_value) * (height - 2 * pad), 1)

    coordinates: list[str] = []
    previous: Decimal | None = None
    for at, value in series:
        if previous is not None:
            coordinates.append(f"{x(at)},{y(previous)}")
        coordinates.append(f"{x(at)},{y(value)}")
        previous = value
    return LineChart(width, height, " ".join(coordinates), y(Decimal(0)), low, high, start, end)
