from datetime import timedelta

from django import template

from core.formatting import format_duration, zone_label

register = template.Library()


@register.filter
def zone(name: str) -> str:
    """{{ customer.time_zone|zone }} -> "Bogotá (UTC-05:00)" in the active language."""
    return zone_label(name)


@register.filter
def hours_minutes(value: timedelta | None) -> str:
    """{{ level.used|hours_minutes }} -> "2 h 05 min"; empty stays empty."""
    return "" if value is None else format_duration(value)


@register.filter
def seconds_hm(value: int | None) -> str:
    """{{ level.used_seconds|seconds_hm }} -> "2 h 05 min" (the API's figures in seconds)."""
    return "" if value is None else format_duration(timedelta(seconds=value))
