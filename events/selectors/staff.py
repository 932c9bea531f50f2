"""What KITB staff read: the admin changelist and calendar, the warnings before publishing, an
event's summary, check-in, the registrations' export, and a free slug for a new event."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Avg, Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..models import HOLDS_PLACE_STATUSES, Event, EventStatus, Feedback, Registration, RegistrationStatus, Session
from .common import _with_counts


def event_admin_queryset(qs):
    """The admin changelist: counts annotated, venue joined (a fixed number of queries)."""
    return _with_counts(qs.select_related("venue", "mou"))


def event_calendar(start: dt.datetime, end: dt.datetime):
    """Events overlapping [start, end) for the admin calendar views."""
    return (
        _with_counts(Event.objects.filter(start__lt=end, end__gt=start).select_related("venue"))
        .order_by("start", "pk")
    )


def event_publish_warnings(event: Event) -> list[str]:
    """Problems staff should see before publishing; none of them blocks publishing."""
    warnings: list[str] = []
    # Speakers in two sessions at once (in this event or any other non-cancelled one).
    sessions = list(event.sessions.prefetch_related("speakers"))
    speaker_ids = {s.pk for session in sessions for s in session.speakers.all()}
    if speaker_ids:
        others = list(
            Session.objects.filter(speakers__in=speaker_ids)
            .exclude(event__status=EventStatus.CANCELLED)
            .select_related("event")
            .prefetch_related("speakers")
            .distinct()
        )
        seen = set()
        for session in sessions:
            for other in others:
                if other.pk == session.pk or not (other.start < session.end and other.end > session.start):
                    continue
                for speaker in session.speakers.all():
                    if speaker in other.speakers.all():
                        pair = tuple(sorted((session.pk, other.pk))) + (speaker.pk,)
                        if pair in seen:
                            continue
                        seen.add(pair)
                        warnings.append(
                            _("%(speaker)s speaks in “%(a)s” and in “%(b)s” (%(event)s) at the same time.")
                            % {"speaker": speaker.name, "a": session.title, "b": other.title, "event": other.event.title}
                        )
    # Rooms smaller than the event's capacity.
    if event.room_id and event.room.capacity < event.capacity:
        warnings.append(
            _("Room “%(room)s” holds %(room_capacity)s people; the event takes %(capacity)s.")
            % {"room": event.room.name, "room_capacity": event.room.capacity, "capacity": event.capacity}
        )
    elif not event.room_id and event.venue_id and event.venue.capacity < event.capacity:
        warnings.append(
            _("Venue “%(venue)s” holds %(venue_capacity)s people; the event takes %(capacity)s.")
            % {"venue": event.venue.name, "venue_capacity": event.venue.capacity, "capacity": event.capacity}
        )
    for session in sessions:
        if session.room_id and session.room.capacity < event.capacity:
            warnings.append(
                _("Session “%(session)s” is in room “%(room)s”, which holds %(room_capacity)s of the %(capacity)s places.")
                % {"session": session.title, "room": session.room.name, "room_capacity": session.room.capacity,
                   "capacity": event.capacity}
            )
    # Outside the MoU's term.
    if event.mou_id:
        mou = event.mou
        start_day = timezone.localtime(event.start).date()
        end_day = timezone.localtime(event.end).date()
        if mou.effective_date and start_day < mou.effective_date:
            warnings.append(
                _("The event starts before MoU %(ref)s takes effect (%(date)s).") % {"ref": mou.reference, "date": mou.effective_date}
            )
        if mou.expiry_date and end_day > mou.expiry_date:
            warnings.append(
                _("The event ends after MoU %(ref)s expires (%(date)s).") % {"ref": mou.reference, "date": mou.expiry_date}
            )
        if mou.status in ("terminated", "expired"):
            warnings.append(_("MoU %(ref)s is %(status)s.") % {"ref": mou.reference, "status": mou.get_status_display()})
    if event.has_online_part and not event.meeting_link:
        warnings.append(_("The event is online or hybrid but has no meeting link yet."))
    return warnings


def event_summary(event: Event) -> dict:
    """Registered, waitlisted, attended; by organisation and by country; feedback results."""
    by_status = dict(
        Registration.objects.filter(event=event).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    active = Registration.objects.filter(event=event, status__in=[*HOLDS_PLACE_STATUSES, RegistrationStatus.WAITLISTED])

    def counts_by(field: str) -> list[dict]:
        return list(
            active.values(field)
            .annotate(
                registered=Count("pk", filter=Q(status__in=HOLDS_PLACE_STATUSES)),
                waitlisted=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
                attended=Count("pk", filter=Q(status=RegistrationStatus.ATTENDED)),
            )
            .order_by("-registered", field)
        )

    by_org = counts_by("organization_name")
    by_country = counts_by("country")
    feedback = Feedback.objects.filter(registration__event=event)
    stats = feedback.aggregate(count=Count("pk"), average=Avg("rating"))
    ratings = Counter(dict(feedback.values_list("rating").annotate(n=Count("pk")).values_list("rating", "n")))
    comments = list(
        feedback.exclude(comment="").select_related("registration").order_by("-created_at").values(
            "rating", "comment", "registration__name", "registration__organization_name"
        )[:200]
    )
    confirmed = by_status.get(RegistrationStatus.CONFIRMED, 0)
    attended = by_status.get(RegistrationStatus.ATTENDED, 0)
    return {
        "registered": confirmed + attended,
        "confirmed": confirmed,
        "waitlisted": by_status.get(RegistrationStatus.WAITLISTED, 0),
        "attended": attended,
        "pending": by_status.get(RegistrationStatus.PENDING, 0),
        "cancelled": by_status.get(RegistrationStatus.CANCELLED, 0),
        "expired": by_status.get(RegistrationStatus.EXPIRED, 0),
        "capacity": event.capacity,
        "by_organization": by_org,
        "by_country": by_country,
        "feedback_count": stats["count"],
        "feedback_average": stats["average"],
        "ratings": [(r, ratings.get(r, 0)) for r in range(5, 0, -1)],
        "comments": comments,
    }


def checkin_counts(event: Event) -> dict:
    counts = Registration.objects.filter(event=event).aggregate(
        attended=Count("pk", filter=Q(status=RegistrationStatus.ATTENDED)),
        expected=Count("pk", filter=Q(status__in=HOLDS_PLACE_STATUSES)),
    )
    return counts


def checkin_search(event: Event, q: str, limit: int = 20):
    """By check-in code (exact) or by name, e-mail or organisation; places first."""
    q = (q or "").strip()
    if not q:
        return Registration.objects.none()
    qs = Registration.objects.filter(event=event).exclude(status__in=[RegistrationStatus.EXPIRED])
    code = q.upper().replace(" ", "")
    matches = qs.filter(
        Q(check_in_code=code) | Q(name__icontains=q) | Q(email__icontains=q) | Q(organization_name__icontains=q)
    )
    return matches.order_by("name", "pk")[:limit]


def checkin_registration_get(event: Event, pk: int) -> Registration:
    try:
        return Registration.objects.get(event=event, pk=pk)
    except Registration.DoesNotExist as exc:
        raise Http404 from exc


def registrations_for_export(event_ids=None, *, viewer=None):
    qs = Registration.objects.select_related("event", "organization", "user").order_by("event__start", "event_id", "name")
    if event_ids is not None:
        qs = qs.filter(event_id__in=event_ids)
    return qs


def staff_event_get(pk) -> Event:
    try:
        return Event.objects.select_related("venue", "room", "mou").get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def suggest_event_slug(event: Event) -> str:
    """A free slug from the English title and the start date (``innovation-seminar-2025-03-04``)."""
    base = slugify(event.title_en or "")[:60].strip("-") or "event"
    if event.start:
        base = f"{base}-{event.start.astimezone(dt.UTC):%Y-%m-%d}"
    slug, n = base, 2
    while Event.objects.filter(slug=slug).exclude(pk=event.pk).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug
