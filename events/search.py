"""The events app's search sources (``settings.SEARCH_SOURCES``): events, agenda sessions, speakers and
(staff only) registrations.

Each starts from the selectors' scope of the pages: staff allowed to view events see all of them in
the admin; partners the events the portal shows them (:func:`selectors.events_visible_to`), and only
the sessions and speakers of those. Registrations are searched for staff only, never for partners.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from kitb_portal.search.core import Hit, Query, Source, ranked

from . import selectors
from .models import (
    Event,
    Registration,
    Session,
    Speaker,
)


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def _event_url(user, event_id: int) -> str:
    if user.is_staff:
        return reverse("admin:events_event_change", args=[event_id])
    return reverse("events:event_detail", args=[event_id])


def _may_search(user) -> bool:
    return user.is_authenticated and user.is_active and (user.has_perm("events.view_event") if user.is_staff else True)


class EventSource(Source):
    key = "events"
    label = _("Events")

    def available(self, user) -> bool:
        return _may_search(user)

    def search(self, user, query: Query, *, limit: int) -> list[Hit]:
        rows = ranked(
            selectors.events_visible_to(user), query, like=("title_ko",),
            exact=Q(slug=query.text.lower()), display=Event.objects.select_related("venue"), limit=limit,
        )
        return [
            Hit(
                title=event.title, url=_event_url(user, event.pk), rank=event.search_rank,
                detail=" · ".join(p for p in (
                    _when(event.start), str(event.get_kind_display()), event.venue.city if event.venue_id else "",
                    str(event.get_status_display()) if user.is_staff else "",
                ) if p),
            )
            for event in rows
        ]


class SessionSource(Source):
    key = "sessions"
    label = _("Agenda sessions")

    def available(self, user) -> bool:
        return _may_search(user)

    def search(self, user, query: Query, *, limit: int) -> list[Hit]:
        scoped = Session.objects.filter(event__in=selectors.events_visible_to(user))
        rows = ranked(
            scoped, query, like=("title",), display=Session.objects.select_related("event"),
            limit=limit,
        )
        return [
            Hit(title=session.title, url=_event_url(user, session.event_id), rank=session.search_rank,
                detail=f"{session.event.title} · {_when(session.start)}")
            for session in rows
        ]


class SpeakerSource(Source):
    key = "speakers"
    label = _("Speakers")

    def available(self, user) -> bool:
        if user.is_authenticated and user.is_active and user.is_staff:
            return user.has_perm("events.view_speaker")
        return _may_search(user)

    def search(self, user, query: Query, *, limit: int) -> list[Hit]:
        if user.is_staff:
            scoped = Speaker.objects.all()
            display = Speaker.objects.all()
        else:
            # A partner finds the speakers of the events they can open, and reaches them through one.
            sessions = Session.objects.filter(speakers=OuterRef("pk"), event__in=selectors.events_visible_to(user))
            scoped = Speaker.objects.filter(Exists(sessions))
            display = Speaker.objects.annotate(search_event_id=Subquery(sessions.order_by("-start").values("event_id")[:1]))
        rows = ranked(scoped, query, like=("name",), display=display, limit=limit)
        return [
            Hit(
                title=speaker.name, detail=speaker.organization_name, rank=speaker.search_rank,
                url=reverse("admin:events_speaker_change", args=[speaker.pk]) if user.is_staff
                else reverse("events:event_detail", args=[speaker.search_event_id]),
            )
            for speaker in rows
        ]


class RegistrationSource(Source):
    key = "registrations"
    label = _("Registrations")

    def available(self, user) -> bool:
        return bool(user.is_authenticated and user.is_staff and user.has_perm("events.view_registration"))

    def search(self, user, query: Query, *, limit: int) -> list[Hit]:
        rows = ranked(
            selectors.registrations_visible_to(user), query, like=("name", "email"),
            exact=Q(check_in_code=query.text.upper()), display=Registration.objects.select_related("event"), limit=limit,
        )
        return [
            Hit(
                title=f"{registration.name} <{registration.email}>", rank=registration.search_rank,
                url=reverse("admin:events_registration_change", args=[registration.pk]),
                detail=" · ".join(p for p in (registration.event.title, registration.organization_name,
                                              str(registration.get_status_display())) if p),
            )
            for registration in rows
        ]


events = EventSource()
sessions = SessionSource()
speakers = SpeakerSource()
registrations = RegistrationSource()
