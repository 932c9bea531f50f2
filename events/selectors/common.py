"""What the selectors of the events app share: who sees which events, and the annotations and
prefetches the lists and pages reuse (registration counts, the user's own registration, agenda,
organisers)."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from ..models import ACTIVE_REGISTRATION_STATUSES, HOLDS_PLACE_STATUSES, Event, EventStatus, Registration, RegistrationStatus, Session

PARTNER_VISIBLE_STATUSES = [EventStatus.PUBLISHED, EventStatus.COMPLETED, EventStatus.CANCELLED]


def registration_count(statuses) -> Coalesce:
    """How many of the event's registrations are in ``statuses``: a correlated subquery, so a page of
    20 events counts 20 events' registrations (index on event, status) instead of grouping them all."""
    counted = (
        Registration.objects.filter(event=OuterRef("pk"), status__in=statuses)
        .order_by().values("event").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _with_counts(qs):
    return qs.annotate(
        confirmed_count=registration_count(HOLDS_PLACE_STATUSES),
        waitlisted_count=registration_count([RegistrationStatus.WAITLISTED]),
    )


def _with_my_registration(qs, user):
    mine = Registration.objects.filter(event=OuterRef("pk"), user=user, status__in=ACTIVE_REGISTRATION_STATUSES).order_by()
    return qs.annotate(my_registration_status=Subquery(mine.values("status")[:1]))


def _visible_to(user):
    qs = Event.objects.all()
    if not user.is_staff:
        qs = qs.filter(status__in=PARTNER_VISIBLE_STATUSES)
    return qs


def _agenda_prefetch() -> Prefetch:
    sessions = Session.objects.select_related("room").prefetch_related("speakers").order_by("start", "pk")
    return Prefetch("sessions", queryset=sessions)


def _organisers_prefetch() -> Prefetch:
    from kitb_portal.accounts.models import Organization

    return Prefetch("organizers", queryset=Organization.objects.order_by("-is_host", "name"))
