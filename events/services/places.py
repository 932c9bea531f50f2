"""Places and the waitlist: counting the places a pool holds, confirming or waitlisting a new
registration, promoting from the waitlist, and whether an event takes registrations. Every
function here expects the caller to hold the event's row lock (``common._lock_event``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from .. import emails
from ..models import HOLDS_PLACE_STATUSES, Attendance, Event, EventStatus, Registration, RegistrationStatus, new_check_in_code
from .common import _constraint_name, _history


def _count_holding_places(event: Event, attendance: str | None = None) -> int:
    """Places held at ``event`` (in one pool of a hybrid event when ``attendance`` is given)."""
    qs = Registration.objects.filter(event=event, status__in=HOLDS_PLACE_STATUSES)
    if attendance is not None and event.is_hybrid:
        qs = qs.filter(attendance=attendance)
    return qs.count()


def _next_waitlist_position(event: Event, attendance: str) -> int:
    last = (
        Registration.objects.filter(event=event, attendance=attendance, waitlist_position__isnull=False)
        .aggregate(m=Max("waitlist_position"))["m"]
    )
    return (last or 0) + 1


def free_places(event: Event, attendance: str) -> int:
    """Places left in ``attendance``'s pool. The caller holds the event's row lock when it acts on it."""
    return max(event.capacity_for(attendance) - _count_holding_places(event, attendance), 0)


def _assign_place(event: Event, registration: Registration, now) -> None:
    """Confirm, or waitlist at the end of the queue of the registration's pool (on site or online:
    a hybrid event keeps two). The caller holds the event's row lock."""
    registration.attendance = event.attendance_for(registration.attendance)
    if free_places(event, registration.attendance) > 0:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.waitlist_position = None
    else:
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlist_position = _next_waitlist_position(event, registration.attendance)


def _save_new_registration(registration: Registration) -> None:
    """Insert, drawing a new check-in code on the (rare) clash; duplicates become a ValidationError."""
    for _attempt in range(8):
        try:
            with transaction.atomic():
                registration.save(force_insert=True)
            return
        except IntegrityError as exc:
            name = _constraint_name(exc)
            if name == "registration_unique_code":
                registration.check_in_code = new_check_in_code()
                registration.pk = None
                continue
            if name in ("registration_one_per_user", "registration_one_per_email"):
                raise ValidationError(_("You are already registered for this event."), code="duplicate") from exc
            raise
    raise RuntimeError("Could not draw a free check-in code.")  # pragma: no cover - 31^6 codes per event


def _check_open(event: Event, now) -> None:
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("This event has been cancelled; it takes no registrations."), code="cancelled")
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError(_("This event is not open for registration."), code="not_published")
    if event.registration_opens and now < event.registration_opens:
        raise ValidationError(_("Registration has not opened yet."), code="not_open_yet")
    if now >= event.effective_registration_closes:
        raise ValidationError(_("Registration for this event has closed."), code="closed")


def _fill_from_waitlist(event: Event, actor, now) -> list[Registration]:
    """Promote the first waitlisted people of each pool while places are free. The caller holds the event lock.

    A delegation waiting as one unit (``split_allowed`` off) is promoted whole or not at all; the
    queue stops at it, so nobody behind it jumps ahead.
    """
    if event.status != EventStatus.PUBLISHED or event.start <= now:
        return []
    pools = [Attendance.ON_SITE, Attendance.ONLINE] if event.is_hybrid else [event.attendance_for(None)]
    promoted: list[Registration] = []
    for attendance in pools:
        free = free_places(event, attendance)
        if free <= 0:
            continue
        waiting = Registration.objects.select_for_update(of=("self",)).filter(
            event=event, status=RegistrationStatus.WAITLISTED
        ).select_related("user", "delegation_member__delegation").order_by("waitlist_position")
        if event.is_hybrid:
            waiting = waiting.filter(attendance=attendance)
        queue = list(waiting[: free + 200])
        chosen: list[Registration] = []
        index = 0
        while index < len(queue) and len(chosen) < free:
            registration = queue[index]
            delegation = _whole_delegation(registration)
            if delegation is None:
                chosen.append(registration)
                index += 1
                continue
            unit = [r for r in queue if _whole_delegation(r) is not None and _whole_delegation(r).pk == delegation.pk]
            if len(chosen) + len(unit) > free:
                break
            chosen.extend(unit)
            index += len(unit)
        for registration in chosen:
            registration.status = RegistrationStatus.CONFIRMED
            registration.waitlist_position = None
            registration.confirmed_at = now
            registration.event = event
            _history(registration, actor, "promoted from the waitlist")
            registration.save(update_fields=["status", "waitlist_position", "confirmed_at", "updated_at"])
            emails.notify_confirmed(registration, promoted=True)
        promoted.extend(chosen)
    return promoted


def _whole_delegation(registration: Registration):
    """The delegation a waitlisted registration belongs to, if it must move as one unit."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        delegation = registration.delegation_member.delegation
    except (ObjectDoesNotExist, AttributeError):
        return None
    return None if delegation.split_allowed else delegation
