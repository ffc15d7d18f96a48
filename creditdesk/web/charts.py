"""Inline SVG charts drawn on the server, so they need no JavaScript."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from core.formatting import (
    credits_text,
    document_locale,
    format_date,
    format_share,
    format_target,
)
from core.languages import language_code


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


# --- Bar charts with a line and a reference level (the portal's) ----------------------------
#
# Geometry only: the builders place bars, a line and a horizontal reference (the intake
# minimum, the SLA target) in a plot box and label the ticks in the reader's language; the
# template (`portal/_chart.html`) draws them with its own translated title, axis names,
# legend and a visually hidden table of the same figures for screen readers.


@dataclass(frozen=True)
class Tick:
    at: float  # x or y in the SVG's own units
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int  # 0 or 1: which of the chart's two bar series (colour and legend)


@dataclass(frozen=True)
class Dot:
    x: float
    y: float


@dataclass(frozen=True)
class BarChart:
    """A chart over categories (months): up to two bars per category, an optional line
    through one value per category, an optional horizontal reference line. `rows` are the
    figures as text, per category, for the hidden table."""

    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    bars: list[Bar]
    line: str  # polyline points, "" without a line
    dots: list[Dot]
    reference_y: float | None
    reference_text: str  # the reference's value as read ("2,00", "90 %")
    rows: list[tuple[str, list[str]]]

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom

    @property
    def x_center(self) -> float:
        return (self.left + self.plot_right) / 2

    @property
    def y_center(self) -> float:
        return (self.top + self.plot_bottom) / 2

    @property
    def legend_y(self) -> int:
        """The baseline of the reference's label, in the margin above the plot."""
        return self.top - 12

    @property
    def empty(self) -> bool:
        return not self.rows


def nice_step(span: Decimal, ticks: int = 4) -> Decimal:
    """A round step (1, 2 or 5 times a power of ten) dividing `span` into about `ticks`."""
    if span <= 0:
        return Decimal(1)
    raw = span / ticks
    power = Decimal(10) ** raw.adjusted()
    for factor in (1, 2, 5, 10):
        step = power * factor
        if step >= raw:
            return step
    return power * 10


# The height of a bar whose value is zero: seen, not mistaken for a value.
ZERO_BAR_HEIGHT = 2.0


def bar_chart(
    *,
    categories: list[str],
    bars: list[tuple[Decimal | None, ...]],
    line: list[Decimal | None] | None = None,
    reference: Decimal | None = None,
    low: Decimal = Decimal(0),
    high: Decimal | None = None,
    value_text: Callable[[Decimal], str] = str,
    rows: list[tuple[str, list[str]]] | None = None,
    width: int = 440,
    height: int = 250,
) -> BarChart:
    """Bars per category (None: no bar), a line through `line`'s values and a horizontal
    line at `reference`, on a value axis from `low` (or below, for a negative value) to
    `high` (or the largest value, the reference included, rounded up to a nice step)."""
    # Room for the value axis's name and ticks on the left, the months and the axis's name
    # below, the reference's label above the plot (on the line itself it sat on a bar that
    # reached it: "Objetivo: 90 %" over a 100 % bar); the SVG scales, so these are in its
    # own units.
    left, top, right, bottom = 62, 32, 10, 46
    plot_width, plot_height = width - left - right, height - top - bottom
    values = [value for group in bars for value in group if value is not None]
    values += [value for value in (line or []) if value is not None]
    if reference is not None:
        values.append(reference)
    low = min([low, *values])
    top_value = high if high is not None else max([*values, low + 1])
    step = nice_step(top_value - low)
    if high is None:
        top_value = (top_value / step).to_integral_value(rounding="ROUND_CEILING") * step
    if low < 0:
        low = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    span = (top_value - low) or Decimal(1)

    def y(value: Decimal) -> float:
        return round(top + float((top_value - value) / span) * plot_height, 1)

    slot = plot_width / max(len(categories), 1)
    per = max(len(group) for group in bars) if bars else 1
    bar_width = min(slot * 0.7 / per, 40.0)
    drawn: list[Bar] = []
    for index, group in enumerate(bars):
        start = left + slot * index + (slot - bar_width * per) / 2
        for series, value in enumerate(group):
            if value is None:
                continue
            top_y, base_y = y(max(value, Decimal(0))), y(min(value, Decimal(0)))
            # A zero is data (0 % on time), unlike a month without a bar: a sliver on the axis.
            bar_height = max(base_y - top_y, ZERO_BAR_HEIGHT)
            drawn.append(
                Bar(
                    round(start + series * bar_width, 1),
                    round(base_y - bar_height, 1),
                    round(bar_width - 2, 1),
                    round(bar_height, 1),
                    series,
                )
            )
    dots = [
        Dot(round(left + slot * index + slot / 2, 1), y(value))
        for index, value in enumerate(line or [])
        if value is not None
    ]
    y_ticks = []
    value = low
    while value <= top_value:
        y_ticks.append(Tick(y(value), value_text(value)))
        value += step
    return BarChart(
        width=width,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        x_ticks=[
            Tick(round(left + slot * index + slot / 2, 1), label)
            for index, label in enumerate(categories)
        ],
        y_ticks=y_ticks,
        bars=drawn,
        line=" ".join(f"{dot.x},{dot.y}" for dot in dots),
        dots=dots,
        reference_y=y(reference) if reference is not None else None,
        reference_text=value_text(reference) if reference is not None else "",
        rows=rows or [],
    )


def month_labels(starts: list[date], language: str | None = None) -> list[str]:
    """ "jul", "ago" ... with the year on the first month and on every January ("dic 2025",
    "ene 2026"), in the reader's language."""
    locale = document_locale(language_code(language))
    labels = []
    for index, start in enumerate(starts):
        pattern = "MMM y" if index == 0 or start.month == 1 else "MMM"
        labels.append(format_date(start, locale=locale, pattern=pattern).rstrip("."))
    return labels


def month_names(starts: list[date], language: str | None = None) -> list[str]:
    """Months in full for the hidden table ("agosto de 2026", "August 2026")."""
    locale = document_locale(language_code(language))
    return [format_date(start, locale=locale, pattern="LLLL y") for start in starts]


def balance_burn_chart(
    *,
    month_starts: list[date],
    closing: list[Decimal],
    used: list[Decimal],
    minimum: Decimal | None,
    language: str | None = None,
) -> BarChart:
    """Credits used each month (bars) and the balance at each month's end (line), with the
    minimum available credits to open a request as the reference line."""
    language = language_code(language)

    def text(value: Decimal) -> str:
        return credits_text(value.quantize(Decimal("0.01")), language)

    labels = month_labels(month_starts, language)
    return bar_chart(
        categories=labels,
        bars=[(value,) for value in used],
        line=closing,
        reference=minimum,
        value_text=text,
        rows=[
            (name, [text(balance), text(spent)])
            for name, balance, spent in zip(
                month_names(month_starts, language), closing, used, strict=True
            )
        ],
    )


def compliance_chart(
    *,
    month_starts: list[date],
    response: list[Decimal | None],
    resolution: list[Decimal | None],
    target: Decimal,
    language: str | None = None,
) -> BarChart:
    """The share of first responses and of resolutions on time per month (0-1, None without
    decided targets: no bar), on a 0-100 % axis, with the target share as the reference."""
    language = language_code(language)
    locale = document_locale(language)

    def percent(value: Decimal) -> str:
        return format_target(value / 100, locale=locale)

    def share(value: Decimal | None) -> str:
        return format_share(value, locale=locale)

    labels = month_labels(month_starts, language)
    return bar_chart(
        categories=labels,
        bars=[
            (None if first is None else first * 100, None if last is None else last * 100)
            for first, last in zip(response, resolution, strict=True)
        ],
        reference=target * 100,
        high=Decimal(100),
        value_text=percent,
        rows=[
            (name, [share(first), share(last)])
            for name, first, last in zip(
                month_names(month_starts, language), response, resolution, strict=True
            )
        ],
    )
