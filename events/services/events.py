"""Events, their venues, speakers and agenda: create and edit (a time change tells everyone
registered), publish, cancel, complete (a linked commitment is recorded as fulfilled)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitb_portal.notifications.services import notify

from .. import emails, workflow
from ..models import ACTIVE_REGISTRATION_STATUSES, Event, EventStatus, Registration, Room, Session, Speaker, Venue, overlap_error
from ..selectors import event_publish_warnings, suggest_event_slug
from .common import _constraint_name, _history, _lock_event, _require_kitb
from .places import _fill_from_waitlist

logger = logging.getLogger(__name__)


# --- venues, speakers, agenda -------------------------------------------------------------------
@transaction.atomic
def venue_get_or_create(*, actor, name: str, city: str, rooms=(), **fields) -> Venue:
    """A venue by (name, city), created with ``fields`` and ``rooms`` [(name, capacity)] if new."""
    venue = Venue.objects.filter(name=name, city=city).first()
    if venue is None:
        venue = Venue(name=name, city=city, **fields)
        venue.full_clean()
        _history(venue, actor, "created")
        venue.save()
    for room_name, capacity in rooms:
        Room.objects.get_or_create(venue=venue, name=room_name, defaults={"capacity": capacity})
    return venue


def speaker_get_or_create(*, name: str, organization_name: str = "", bio: str = "") -> Speaker:
    speaker, _created = Speaker.objects.get_or_create(
        name=name, organization_name=organization_name, defaults={"bio": bio}
    )
    return speaker


@transaction.atomic
def session_create(*, event_id: int, actor, title: str, start, end, room=None, speakers=(), description: str = "") -> Session:
    """Add an agenda session; it must lie inside the event's time."""
    event = _lock_event(event_id)
    session = Session(event=event, title=title, start=start, end=end, room=room, description=description)
    session.full_clean()
    session.save()
    if speakers:
        session.speakers.set(speakers)
    return session


# --- events -------------------------------------------------------------------------------------
@transaction.atomic
def event_save(*, event: Event, actor) -> Event:
    """Create or update an event (the admin form and ``event_create`` both come here).

    A published event whose time changes gets a new calendar revision and everyone registered is
    told; a larger capacity promotes people from the waitlist.
    """
    _require_kitb(actor)
    now = timezone.now()
    previous = None
    if event.pk:
        previous = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
    else:
        event.created_by = actor if getattr(actor, "is_authenticated", False) else None
    if not event.slug:
        event.slug = suggest_event_slug(event)
    time_changed = previous is not None and (previous.start != event.start or previous.end != event.end)
    if time_changed:
        event.sequence = previous.sequence + 1
    event.full_clean()
    _history(event, actor, "time changed" if time_changed else ("created" if previous is None else "edited"))
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError as exc:
        if _constraint_name(exc) == "event_no_venue_overlap":
            raise ValidationError({"start": overlap_error(event).messages}) from exc
        raise
    if time_changed and event.status == EventStatus.PUBLISHED:
        Registration.objects.filter(event=event).update(reminded_7d_at=None, reminded_1d_at=None)
        emails.notify_rescheduled(event, previous)
    if previous is not None and (
        event.capacity > previous.capacity or (event.online_capacity or 0) > (previous.online_capacity or 0)
    ):
        _fill_from_waitlist(event, actor, now)
    return event


def event_create(*, actor, organizers=(), **fields) -> Event:
    """Create an event from keyword fields (demo data, tests, scripts)."""
    with transaction.atomic():
        event = event_save(event=Event(**fields), actor=actor)
        if organizers:
            event.organizers.set(organizers)
    return event


def event_reschedule(*, event_id: int, actor, start, end) -> Event:
    _require_kitb(actor)
    event = Event.objects.get(pk=event_id)
    event.start, event.end = start, end
    if event.registration_closes and event.registration_closes > end:
        event.registration_closes = start
    return event_save(event=event, actor=actor)


@transaction.atomic
def event_publish(*, event_id: int, actor) -> list[str]:
    """Publish a draft. Returns the (non-blocking) warnings staff were shown."""
    workflow.require(actor, "event.publish")
    event = _lock_event(event_id)
    if not workflow.check_status(event, "event.publish"):
        return []  # already published
    if event.end <= timezone.now():
        raise ValidationError(_("This event is already over; it cannot be published."))
    event.status = EventStatus.PUBLISHED
    event.published_at = timezone.now()
    event.full_clean()
    _history(event, actor, "published")
    event.save(update_fields=["status", "published_at", "updated_at"])
    return event_publish_warnings(event)


@transaction.atomic
def event_cancel(*, event_id: int, actor, reason: str = "") -> Event:
    """Cancel an event; everyone registered (confirmed, waitlisted or awaiting confirmation) is told."""
    workflow.require(actor, "event.cancel")
    event = _lock_event(event_id)
    if not workflow.check_status(event, "event.cancel"):
        return event  # already cancelled
    event.status = EventStatus.CANCELLED
    event.cancelled_at = timezone.now()
    event.cancellation_reason = reason
    event.sequence += 1
    _history(event, actor, "cancelled")
    event.save(update_fields=["status", "cancelled_at", "cancellation_reason", "sequence", "updated_at"])
    registrations = Registration.objects.filter(event=event, status__in=ACTIVE_REGISTRATION_STATUSES).select_related("user")
    for registration in registrations:
        registration.event = event
        notify(
            **emails.recipient_kwargs(registration),
            template="events/email/event_cancelled",
            context=emails.email_context(registration, reason=reason),
            key=f"event-cancelled:{event.pk}:{registration.pk}",
            kind="event_change",
        )
    return event


@transaction.atomic
def event_complete(*, event_id: int, actor=None) -> Event:
    """Mark a published event that has ended as completed; a linked commitment is recorded as fulfilled."""
    event = _lock_event(event_id)
    if not workflow.check_status(event, "event.complete"):
        return event  # already completed
    if event.end > timezone.now():
        raise workflow.refusal(event, "event.complete")
    event.status = EventStatus.COMPLETED
    _history(event, actor, "completed")
    event.save(update_fields=["status", "updated_at"])
    if event.commitment_id:
        _record_commitment_fulfilled(event, actor)
    return event


def _record_commitment_fulfilled(event: Event, actor) -> None:
    """Record in partnerships that the event fulfilled its commitment (``commitment_complete``).

    An already closed commitment, or an actor without the partnerships right, leaves the link only.
    """
    from partnerships import services as partnership_services

    note = f"Event “{event.title_en}” held {timezone.localtime(event.start):%Y-%m-%d} (event #{event.pk})."
    try:
        with transaction.atomic():
            partnership_services.commitment_complete(
                actor=actor, commitment_id=event.commitment_id, note=note, closed_on=timezone.localtime(event.end).date()
            )
    except (ValidationError, PermissionDenied) as exc:
        logger.info("commitment %s not marked fulfilled by event %s: %s", event.commitment_id, event.pk, exc)
