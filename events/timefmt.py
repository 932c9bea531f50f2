"""Event times in WIB and KST side by side (and the viewer's zone when it is neither).

Times are stored in UTC; these helpers only format. ``viewer_tz`` is a zone name (a user's
``time_zone``); when it is None the currently active zone is used (the middleware activates the
logged-in user's zone, e-mails pass the recipient's).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.formats import get_format

ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Seoul": "KST"}


@dataclass(frozen=True)
class ZonedRange:
    zone: str  # IANA name
    label: str  # WIB, KST, or the zone's name
    text: str  # e.g. "3 March 2025, 09:00–17:00"

    def __str__(self) -> str:
        return f"{self.text} {self.label}"


def _zone_name(tz) -> str | None:
    return getattr(tz, "key", None) or (str(tz) if tz else None)


def zones_for(viewer_tz: str | None = None) -> list[str]:
    zones = list(getattr(settings, "EVENT_TIME_ZONES", ["Asia/Jakarta", "Asia/Seoul"]))
    viewer = viewer_tz or _zone_name(timezone.get_current_timezone())
    if viewer and viewer not in zones:
        try:
            zoneinfo.ZoneInfo(viewer)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zones
        zones.append(viewer)
    return zones


def zone_label(zone: str) -> str:
    return ZONE_LABELS.get(zone, zone.rsplit("/", 1)[-1].replace("_", " "))


def range_in_zones(start, end=None, viewer_tz: str | None = None, *, with_date: bool = True) -> list[ZonedRange]:
    """``start``–``end`` formatted once per zone (WIB, KST, then the viewer's own if different)."""
    parts = []
    date_fmt = get_format("DATE_FORMAT")  # the active language's, looked up once (lists format many events)

    def day(value) -> str:
        return dateformat.format(value, date_fmt)

    def hm(value) -> str:
        return f"{value:%H:%M}"  # the same as time_format(value, "H:i"), without the format lookup

    for zone in zones_for(viewer_tz):
        tz = zoneinfo.ZoneInfo(zone)
        s = start.astimezone(tz)
        e = end.astimezone(tz) if end else None
        if e is None:
            text = f"{day(s)}, {hm(s)}" if with_date else hm(s)
        elif s.date() == e.date() or not with_date:
            prefix = f"{day(s)}, " if with_date else ""
            text = f"{prefix}{hm(s)}–{hm(e)}"
        else:
            text = f"{day(s)}, {hm(s)} – {day(e)}, {hm(e)}"
        parts.append(ZonedRange(zone=zone, label=zone_label(zone), text=text))
    return parts


def range_text(start, end=None, viewer_tz: str | None = None, *, with_date: bool = True) -> str:
    """One line: ``3 March 2025, 09:00–17:00 WIB · 3 March 2025, 11:00–19:00 KST``."""
    return " · ".join(str(p) for p in range_in_zones(start, end, viewer_tz, with_date=with_date))
