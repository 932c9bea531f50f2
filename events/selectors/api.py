"""What the REST API lists: events, agenda sessions and registrations, scoped as the portal scopes them."""

from __future__ import annotations

from ..models import Event, Registration, Session
from .common import PARTNER_VISIBLE_STATUSES, _with_counts, _with_my_registration


def _api_visible_events(user):
    """Events the API shows ``user``: staff with view_event every one (drafts too); anyone else the
    published, completed and cancelled ones (the portal's rule)."""
    if not user.is_authenticated or not user.is_active:
        return Event.objects.none()
    if user.is_staff:
        return Event.objects.all() if user.has_perm("events.view_event") else Event.objects.none()
    return Event.objects.filter(status__in=PARTNER_VISIBLE_STATUSES)


def event_api_list_for(user):
    """Events for the API's list and detail: counts and the user's own registration status included."""
    qs = _with_counts(_api_visible_events(user).select_related("venue", "room"))
    return _with_my_registration(qs, user).order_by("start", "pk")


def session_api_list_for(user):
    """Agenda items of the events the user may see, with room and speakers (three queries)."""
    return (
        Session.objects.filter(event__in=_api_visible_events(user))
        .select_related("room")
        .prefetch_related("speakers")
        .order_by("start", "pk")
    )


def registration_api_list_for(user):
    """Staff with view_registration: every registration; anyone else: their own (never a colleague's)."""
    if not user.is_authenticated or not user.is_active:
        return Registration.objects.none()
    if user.is_staff and user.has_perm("events.view_registration"):
        qs = Registration.objects.all()
    else:
        qs = Registration.objects.filter(user=user)
    return qs.select_related("event").order_by("-created_at", "-pk")
