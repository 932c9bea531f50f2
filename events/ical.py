"""iCalendar (RFC 5545) for events: one event's .ics and a user's calendar feed.

Summaries and descriptions are in the reader's language: ``language`` (the feed owner's, a guest's
registration language) when given, else the request's active language.
"""

from __future__ import annotations

import functools
import zoneinfo
from email.utils import parseaddr
from urllib.parse import urlparse

import icalendar
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation

from .models import Event, EventStatus

PRODID = "-//KITB Partnership Portal//Events//EN"


def ics_download(body: bytes, filename: str) -> HttpResponse:
    """An iCalendar body as the download ``filename``."""
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _uid(event: Event) -> str:
    host = urlparse(settings.SITE_URL).hostname or "kitb.example"
    return f"event-{event.pk}@{host}"


def _organizer() -> icalendar.vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = icalendar.vCalAddress(f"mailto:{address or 'portal@kitb.example'}")
    organizer.params["cn"] = icalendar.vText(name or "KITB Partnership Portal")
    return organizer


def _location(event: Event) -> str:
    if not event.venue_id:
        return ""
    venue = event.venue
    parts = [venue.name]
    if event.room_id:
        parts.insert(0, event.room.name)
    parts += [venue.address, venue.city, venue.country]
    return ", ".join(p for p in parts if p)


@functools.lru_cache(maxsize=64)
def _vtimezone(tzid: str) -> icalendar.Timezone | None:
    """The VTIMEZONE of ``tzid`` over icalendar's default span (1970-2038), built once per process:
    ``Timezone.from_tzid`` walks the zone second by second (~25 ms and a million ``utcoffset`` calls)
    and its result depends only on the zone name and the span. None for a zone icalendar cannot
    resolve (left out, as ``add_missing_timezones`` does). The component is shared: callers only
    serialise it."""
    try:
        return icalendar.Timezone.from_tzid(tzid)
    except ValueError:
        return None


def add_missing_timezones(cal: icalendar.Calendar) -> None:
    """``Calendar.add_missing_timezones`` with each zone's VTIMEZONE built once per process."""
    position = len(cal.timezones)
    for tzid in sorted(cal.get_missing_tzids()):
        component = _vtimezone(tzid)
        if component is not None:
            cal.subcomponents.insert(position, component)
            position += 1


def vevent(event: Event, *, url: str, include_meeting_link: bool) -> icalendar.Event:
    tz = zoneinfo.ZoneInfo(event.time_zone)
    item = icalendar.Event()
    item.add("uid", _uid(event))
    item.add("dtstamp", (event.updated_at or timezone.now()).astimezone(zoneinfo.ZoneInfo("UTC")))
    item.add("sequence", event.sequence)
    item.add("summary", event.title)
    item.add("dtstart", event.start.astimezone(tz))
    item.add("dtend", event.end.astimezone(tz))
    location = _location(event)
    if location:
        item.add("location", location)
    elif include_meeting_link and event.meeting_link:
        item.add("location", event.meeting_link)
    item.add("url", url)
    description = event.description
    if include_meeting_link and event.meeting_link:
        description = f"{description}\n\n{event.meeting_link}".strip()
    if description:
        item.add("description", description)
    item.add("organizer", _organizer())
    item.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    return item


def calendar(events_with_urls, *, name, include_meeting_link: bool, method: str | None = None,
             language: str | None = None) -> bytes:
    """``events_with_urls``: iterable of (event, url), or (event, url, include_meeting_link) to decide
    per event (the private feed: only a confirmed or attended place shows the link). Returns the
    VCALENDAR as bytes, its texts (``name`` may be a lazy translation) in ``language`` when given."""
    if language:
        with translation.override(language):
            return calendar(events_with_urls, name=name, include_meeting_link=include_meeting_link, method=method)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", str(name))
    for event, url, *own in events_with_urls:
        cal.add_component(vevent(event, url=url, include_meeting_link=own[0] if own else include_meeting_link))
    add_missing_timezones(cal)
    return cal.to_ical()


def event_ics(event: Event, *, url: str, include_meeting_link: bool, language: str | None = None) -> bytes:
    with translation.override(language or translation.get_language()):
        return calendar([(event, url)], name=event.title, include_meeting_link=include_meeting_link, method="PUBLISH")
