"""Partners as co-workers: their organisation's event proposals, and the events it co-organises
with their registrations (no check-in codes, no tokens) and feedback."""

from __future__ import annotations

from django.db.models import Avg, Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from kitb_portal.accounts import roles

from .. import permissions
from ..models import Event, EventProposal, Feedback, Registration, RegistrationStatus
from .common import _agenda_prefetch, _organisers_prefetch, _with_counts, registration_count


def proposals_for(user):
    """The proposals of the user's organisation (partners); none for anyone else."""
    if not roles.is_partner_user(user):
        return EventProposal.objects.none()
    return (
        EventProposal.objects.filter(organization_id=user.organization_id)
        .select_related("proposed_by", "event")
        .order_by("-created_at", "-pk")
    )


def proposal_get_for(user, pk: int):
    try:
        return proposals_for(user).select_related("mou", "commitment", "decided_by").get(pk=pk)
    except (EventProposal.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def coorganised_events_for(user):
    """Events the user's organisation co-organises (every status), with their counts."""
    if not roles.is_partner_user(user):
        return Event.objects.none()
    return _with_counts(Event.objects.filter(organizers=user.organization_id).select_related("venue")).order_by("-start", "-pk")


def managed_event_get(user, pk: int, *, agenda: bool = True) -> Event:
    """An event the user's organisation co-organises, with counts (and agenda, organisers); else Http404."""
    qs = _with_counts(Event.objects.filter(organizers=user.organization_id).select_related("venue", "room"))
    qs = qs.annotate(
        attended_count=registration_count([RegistrationStatus.ATTENDED]),
        checked_in_count=Coalesce(
            Subquery(
                Registration.objects.filter(event=OuterRef("pk"), checked_in_at__isnull=False)
                .order_by().values("event").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
    )
    if agenda:
        qs = qs.prefetch_related(_agenda_prefetch(), _organisers_prefetch())
    if not roles.is_partner_user(user):
        raise Http404
    try:
        event = qs.get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    permissions.remember_coorganiser(user, event)
    return event


def managed_registrations(event: Event):
    """Registrations of a co-organised event for its co-organisers (no check-in codes, no tokens)."""
    return (
        Registration.objects.filter(event=event)
        .exclude(status=RegistrationStatus.EXPIRED)
        .only("pk", "event_id", "name", "email", "organization_name", "country", "language", "status",
              "waitlist_position", "checked_in_at", "created_at")
        .order_by("created_at", "pk")
    )


def managed_feedback(event: Event):
    return Feedback.objects.filter(registration__event=event).select_related("registration").order_by("-created_at", "-pk")


def managed_feedback_summary(event: Event) -> dict:
    return Feedback.objects.filter(registration__event=event).aggregate(n=Count("pk"), average=Avg("rating"))
