"""Registrations as their holders read them (a partner's own, a guest's by token), the waitlist
place, feedback, the places of a hybrid event's pools, the private calendar feed, and the
registrations a search may show (staff only)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone

from ..models import (
    ACTIVE_REGISTRATION_STATUSES,
    HOLDS_PLACE_STATUSES,
    Attendance,
    CalendarFeed,
    Event,
    EventStatus,
    Feedback,
    Registration,
    RegistrationStatus,
)


def registration_list_for(user):
    """The user's own registrations (never a colleague's), soonest event first."""
    return (
        Registration.objects.filter(user=user)
        .exclude(status=RegistrationStatus.EXPIRED)
        .select_related("event", "event__venue")
        .order_by("-event__start", "-pk")
    )


def registration_get_for(user, pk: int) -> Registration:
    try:
        return Registration.objects.select_related("event", "event__venue").get(pk=pk, user=user)
    except (Registration.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def registration_current_for(user, event: Event) -> Registration | None:
    """The user's active registration for ``event`` (or, failing that, the latest one)."""
    registrations = list(Registration.objects.filter(user=user, event=event).order_by("-created_at", "-pk")[:5])
    for registration in registrations:
        registration.event = event  # the caller's copy (with its counts): no second query for it
    for registration in registrations:
        if registration.status in ACTIVE_REGISTRATION_STATUSES:
            return registration
    return registrations[0] if registrations else None


def registration_get_by_token(token: str) -> Registration:
    """A guest's registration by the secret token of their links; Http404 for anything else."""
    if not token or len(token) > 64:
        raise Http404
    try:
        return Registration.objects.select_related("event", "event__venue", "event__room").get(token=token)
    except Registration.DoesNotExist as exc:
        raise Http404 from exc


def waitlist_place(registration: Registration) -> int | None:
    """1 for the first on the waitlist."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=RegistrationStatus.WAITLISTED, waitlist_position__lt=registration.waitlist_position
    ).count()
    return ahead + 1


def feedback_for(registration: Registration) -> Feedback | None:
    return Feedback.objects.filter(registration=registration).first()


def place_pools(event: Event) -> list[dict]:
    """Per pool (a hybrid event: on site and online), places taken of its capacity: one query."""
    if not event.is_hybrid:
        return []
    counts = Registration.objects.filter(event=event, status__in=HOLDS_PLACE_STATUSES).aggregate(
        on_site=Count("pk", filter=Q(attendance=Attendance.ON_SITE)),
        online=Count("pk", filter=Q(attendance=Attendance.ONLINE)),
    )
    pools = []
    for attendance, label in Attendance.choices:
        capacity = event.capacity_for(attendance)
        pools.append({"attendance": attendance, "label": label, "taken": counts[attendance], "capacity": capacity,
                      "full": counts[attendance] >= capacity})
    return pools


def registrations_visible_to(user):
    """Registrations as the admin lists them: staff allowed to view registrations only (partners see
    their own on their own page, never in a search)."""
    if user.is_authenticated and user.is_active and user.is_staff and user.has_perm("events.view_registration"):
        return Registration.objects.all()
    return Registration.objects.none()


# --- calendar feed ------------------------------------------------------------------------------
def feed_get_by_token(token: str) -> CalendarFeed:
    if not token or len(token) > 64:
        raise Http404
    try:
        return CalendarFeed.objects.select_related("user").get(token=token, user__is_active=True)
    except CalendarFeed.DoesNotExist as exc:
        raise Http404 from exc


def feed_events_for(user):
    """Events the user holds or awaits a place at, from 60 days back (cancelled ones too, so
    calendar clients remove them)."""
    since = timezone.now() - dt.timedelta(days=60)
    registered = Registration.objects.filter(
        event=OuterRef("pk"), user=user,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.ATTENDED],
    )
    return (
        Event.objects.filter(Exists(registered), end__gte=since)
        .exclude(status=EventStatus.DRAFT)
        .select_related("venue", "room")
        .annotate(
            my_registration_status=Subquery(registered.values("status")[:1]),
            my_registration_attendance=Subquery(registered.values("attendance")[:1]),
        )
        .order_by("start", "pk")
    )
