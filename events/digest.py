"""The events section of the digest (``settings.DIGEST_SECTIONS``; composed by
``kitb_portal.notifications.digest``).

Staff who may view events: the published events of the next 30 days with their fill rate (places
taken of the capacity); new when published in the reader's window or when its registrations changed.
Partner users: the upcoming events they are registered for (new when their registration changed)
and those open for registration (new when published in the window).

Three queries whatever the number of readers: permissions, events with their counts, and the
readers' registrations for those events.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from functools import partial

from django.db.models import Count, Max, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kitb_portal.notifications.digest import (
    DigestGroup,
    DigestItem,
    DigestSection,
    after,
    lazy_date,
    lazy_text,
    shared,
    site_url,
    users_with_perm,
)

from .models import ACTIVE_REGISTRATION_STATUSES, HOLDS_PLACE_STATUSES, Event, EventStatus, Registration, RegistrationStatus

HORIZON_DAYS = 30


def _title(event):
    return lazy_text(lambda: event.title)


def _local_start(event):
    try:
        zone = zoneinfo.ZoneInfo(event.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("Asia/Jakarta")
    return event.start.astimezone(zone)


def section(recipients, since, now) -> dict:
    staff_ids = users_with_perm(recipients, "events.view_event")
    partners = [u for u in recipients if not u.is_staff]
    readers = [u for u in recipients if u.pk in staff_ids] + partners
    if not readers:
        return {}
    events = list(
        Event.objects.filter(status=EventStatus.PUBLISHED, start__gte=now, start__lte=now + dt.timedelta(days=HORIZON_DAYS))
        .select_related("venue")
        .annotate(
            taken=Count("registrations", filter=Q(registrations__status__in=HOLDS_PLACE_STATUSES)),
            last_registration_change=Max("registrations__updated_at"),
        )
        .order_by("start", "pk")
    )
    if not events:
        return {}
    by_id = {e.pk: e for e in events}
    mine: dict[int, dict[int, tuple[str, dt.datetime]]] = defaultdict(dict)  # user -> event -> (status, updated)
    if partners:
        rows = Registration.objects.filter(
            event_id__in=list(by_id), user__isnull=False, user__is_staff=False, status__in=ACTIVE_REGISTRATION_STATUSES,
        ).values_list("user_id", "event_id", "status", "updated_at")
        for user_id, event_id, status, updated in rows:
            mine[user_id][event_id] = (status, updated)

    def when(event):
        return lazy_date(_local_start(event), "DATETIME_FORMAT")

    def staff_section(reader_since):
        items = []
        for e in events:
            pct = round(100 * e.taken / e.capacity) if e.capacity else 0
            detail = format_lazy(_("{date} — {taken} of {capacity} places taken ({pct} %)"),
                                 date=when(e), taken=e.taken, capacity=e.capacity, pct=pct)
            new = after(e.published_at, reader_since) or after(e.last_registration_change, reader_since)
            items.append(DigestItem(_title(e), site_url("admin:events_event_change", e.pk), detail, new=new))
        return DigestSection("events", _("Events"), [DigestGroup.of(_("Events in the next 30 days"), items)],
                             url=site_url("admin:events_event_changelist"))

    open_events = [e for e in events if e.registration_open_at(now)]

    def open_items(reader_since):
        return [
            DigestItem(_title(e), site_url("events:event_detail", e.pk), when(e), new=after(e.published_at, reader_since))
            for e in open_events
        ]

    def registered_item(event_id, status, updated, reader_since):
        return DigestItem(_title(by_id[event_id]), site_url("events:event_detail", event_id),
                          format_lazy("{date} — {status}", date=when(by_id[event_id]), status=RegistrationStatus(status).label),
                          new=after(updated, reader_since))

    cache: dict = {}
    answer = {}
    for user in readers:
        reader_since = since[user.pk]
        if user.pk in staff_ids:
            answer[user.pk] = shared(cache, ("staff", reader_since), partial(staff_section, reader_since))
            continue
        opened = shared(cache, ("open", reader_since), partial(open_items, reader_since))
        registered = mine.get(user.pk, {})
        my_items = [  # the same line for everyone registered alike: one object, rendered once per language
            shared(cache, ("mine", event_id, status, after(updated, reader_since)), partial(registered_item, event_id, status, updated, reader_since))
            for event_id, (status, updated) in sorted(registered.items(), key=lambda kv: (by_id[kv[0]].start, kv[0]))
        ]
        available = [item for item, e in zip(opened, open_events, strict=True) if e.pk not in registered]
        if not registered:  # most readers: share the section object (the renderer renders it once)
            answer[user.pk] = shared(cache, ("partner-open", reader_since), lambda available=available: DigestSection(
                "events", _("Events"), [DigestGroup.of(_("Events open for registration"), available)],
                url=site_url("events:event_list")))
            continue
        answer[user.pk] = DigestSection(
            "events", _("Events"),
            [DigestGroup.of(_("Events you are registered for"), my_items), DigestGroup.of(_("Events open for registration"), available)],
            url=site_url("events:event_list"),
        )
    return answer
