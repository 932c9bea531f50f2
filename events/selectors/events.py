"""Events as partners and the public read them: the portal's list and page, the public pages
(upcoming, archive, filters, presentation files), and the events a search may show."""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from kitb_portal.search.documents import contains_any

from ..models import Event, EventStatus, Presentation, Session
from .common import PARTNER_VISIBLE_STATUSES, _agenda_prefetch, _organisers_prefetch, _visible_to, _with_counts, _with_my_registration

#: What the portal's event list searches (each with a trigram index).
SEARCH_FIELDS = ("title_en", "title_id", "title_ko")


def event_list_for(user, *, kind: str = "", topic: str = "", mode: str = "", q: str = "", include_past: bool = False):
    """Published events a user may register for (upcoming unless ``include_past``), newest last."""
    qs = Event.objects.filter(status=EventStatus.PUBLISHED)
    if include_past:
        qs = Event.objects.filter(status__in=[EventStatus.PUBLISHED, EventStatus.COMPLETED])
    else:
        qs = qs.filter(end__gte=timezone.now())
    if kind:
        qs = qs.filter(kind=kind)
    if topic:
        qs = qs.filter(topics__contains=[topic])
    if mode:
        qs = qs.filter(mode=mode)
    if q:
        qs = qs.filter(contains_any(SEARCH_FIELDS, q))
    qs = _with_counts(qs.select_related("venue"))
    return _with_my_registration(qs, user).order_by("start", "pk")


def event_get_for(user, pk: int, *, agenda: bool = True) -> Event:
    """An event (with its agenda and organisers unless ``agenda=False``), or Http404 when the user may not see it."""
    qs = _with_counts(_visible_to(user).select_related("venue", "room", "mou"))
    if agenda:
        qs = qs.prefetch_related(_agenda_prefetch(), _organisers_prefetch())
    try:
        return qs.get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def event_with_agenda(event: Event) -> Event:
    """``event`` with its sessions (rooms, speakers) and organisers loaded: three queries."""
    prefetch_related_objects([event], _agenda_prefetch(), _organisers_prefetch())
    return event


def public_event_list():
    """Upcoming public events (the page at /events/)."""
    qs = Event.objects.filter(status=EventStatus.PUBLISHED, is_public=True, end__gte=timezone.now())
    return _with_counts(qs.select_related("venue")).order_by("start", "pk")


def public_event_get(slug: str) -> Event:
    sessions = Session.objects.select_related("room").prefetch_related("speakers").order_by("start", "pk")
    qs = Event.objects.filter(is_public=True, status__in=PARTNER_VISIBLE_STATUSES).select_related("venue", "room")
    try:
        return _with_counts(qs).prefetch_related(Prefetch("sessions", queryset=sessions), _organisers_prefetch()).get(slug=slug)
    except Event.DoesNotExist as exc:
        raise Http404 from exc


def public_events_filtered(*, past: bool = False, kind: str = "", topic: str = "", month=None, language: str = ""):
    """Public events for /events/ (upcoming, soonest first) or /events/archive/ (past, latest first),
    filtered by kind, topic, month (``(start, end)`` datetimes: events starting in it) and language
    (a title in that language). Cancelled and draft events are never listed."""
    now = timezone.now()
    qs = Event.objects.filter(is_public=True)
    if past:
        qs = qs.filter(status__in=[EventStatus.PUBLISHED, EventStatus.COMPLETED], end__lt=now)
    else:
        qs = qs.filter(status=EventStatus.PUBLISHED, end__gte=now)
    if kind:
        qs = qs.filter(kind=kind)
    if topic:
        qs = qs.filter(topics__contains=[topic])
    if month:
        qs = qs.filter(start__gte=month[0], start__lt=month[1])
    if language == "id":
        qs = qs.exclude(title_id="")
    elif language == "ko":
        qs = qs.exclude(title_ko="")
    qs = _with_counts(qs.select_related("venue"))
    return qs.order_by("-start", "-pk") if past else qs.order_by("start", "pk")


def public_presentations(event: Event):
    """The published presentation files of a public event (none for an event that is not public)."""
    if not event.is_public:
        return Presentation.objects.none()
    return Presentation.objects.filter(event=event, is_published=True).select_related("session").order_by("session__start", "title", "pk")


def public_presentation_get(slug: str, pk: int):
    """A published presentation file of a public, visible event; Http404 for anything else."""
    try:
        return Presentation.objects.select_related("event").get(
            pk=pk, event__slug=slug, is_published=True, event__is_public=True, event__status__in=PARTNER_VISIBLE_STATUSES,
        )
    except (Presentation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def events_visible_to(user):
    """Events whose page ``user`` may open: all for staff allowed to view events; published, completed
    and cancelled ones for partners (as :func:`event_get_for`); none for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return Event.objects.none()
    if user.is_staff:
        return Event.objects.all() if user.has_perm("events.view_event") else Event.objects.none()
    return Event.objects.filter(status__in=PARTNER_VISIBLE_STATUSES)
