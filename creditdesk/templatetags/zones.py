from django import template

from core.formatting import zone_label

register = template.Library()


@register.filter
def zone(name: str) -> str:
    """{{ customer.time_zone|zone }} -> "Bogotá (UTC-05:00)" in the active language."""
    return zone_label(name)
