"""A moment in WIB and KST side by side (the partnership's two time zones, ``settings.EVENT_TIME_ZONES``).

Apps that must not import ``events`` (whose ``timefmt`` formats event ranges) format single moments
here: ``both_zones(dt)`` → ``3 March 2025, 09:00 WIB · 3 March 2025, 11:00 KST``, in the active
language's date format.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.utils import dateformat
from django.utils.formats import get_format

ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Seoul": "KST"}


def zone_label(zone: str) -> str:
    return ZONE_LABELS.get(zone, zone.rsplit("/", 1)[-1].replace("_", " "))


def both_zones(value) -> str:
    """``value`` (an aware datetime) once per zone of EVENT_TIME_ZONES, joined by " · "; "" for None."""
    if value is None:
        return ""
    date_fmt = get_format("DATE_FORMAT")
    parts = []
    for zone in getattr(settings, "EVENT_TIME_ZONES", ["Asia/Jakarta", "Asia/Seoul"]):
        local = value.astimezone(zoneinfo.ZoneInfo(zone))
        parts.append(f"{dateformat.format(local, date_fmt)}, {local:%H:%M} {zone_label(zone)}")
    return " · ".join(parts)
