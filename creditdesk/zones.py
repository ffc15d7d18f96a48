"""A time zone as people read it: "Bogotá (UTC-05:00)", not "America/Bogota".

Pages, mails and PDFs that say which clock their times follow use `zone_label`, in the
reader's language (the city's name from CLDR through babel)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location
from django.utils import timezone, translation


def zone_label(
    zone: str | ZoneInfo, language: str | None = None, *, at: datetime | None = None
) -> str:
    name = zone.key if isinstance(zone, ZoneInfo) else str(zone)
    language = (language or translation.get_language() or "es")[:2]
    if name == "UTC":
        return "UTC"
    city = get_timezone_location(name, locale=language, return_city=True).split("/")[-1]
    offset = (at or timezone.now()).astimezone(ZoneInfo(name)).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{city} (UTC{sign}{hours:02d}:{rest:02d})"
