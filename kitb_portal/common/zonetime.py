"""Times in the partnership's two zones side by side, WIB and KST (``settings.EVENT_TIME_ZONES``),
plus the viewer's own zone when it is neither: the one place that formats a time for people in
Indonesia and Korea at once.

* :func:`range_in_zones` / :func:`range_text`: a start–end range (an event, a session) once per zone,
  then the viewer's (``viewer_tz``, a zone name such as a user's ``time_zone``; None: the active zone,
  which the middleware sets to the logged-in user's and e-mails to the recipient's);
* :func:`both_zones`: one moment in the two zones only (a site visit):
  ``3 March 2025, 09:00 WIB · 3 March 2025, 11:00 KST``.

Times are stored in UTC; these helpers only format, in the active language's date format.
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


def partnership_zones() -> list[str]:
    return list(getattr(settings, "EVENT_TIME_ZONES", ["Asia/Jakarta", "Asia/Seoul"]))


def zones_for(viewer_tz: str | None = None) -> list[str]:
    """The partnership's zones, then the viewer's when it is another (and a real zone)."""
    zones = partnership_zones()
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


def range_in_zones(start, end=None, viewer_tz: str | None = None, *, with_date: bool = True,
                   zones: list[str] | None = None) -> list[ZonedRange]:
    """``start``–``end`` formatted once per zone (WIB, KST, then the viewer's own if different;
    ``zones``: exactly these instead)."""
    parts = []
    date_fmt = get_format("DATE_FORMAT")  # the active language's, looked up once (lists format many events)

    def day(value) -> str:
        return dateformat.format(value, date_fmt)

    def hm(value) -> str:
        return f"{value:%H:%M}"  # the same as time_format(value, "H:i"), without the format lookup

    for zone in zones if zones is not None else zones_for(viewer_tz):
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


def both_zones(value) -> str:
    """``value`` (an aware datetime) once per zone of EVENT_TIME_ZONES, joined by " · "; "" for None."""
    if value is None:
        return ""
    return " · ".join(str(p) for p in range_in_zones(value, zones=partnership_zones()))
