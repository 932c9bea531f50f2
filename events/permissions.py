"""Object rules for events and registrations (staff also need the model permissions)."""

from __future__ import annotations

from django.utils import timezone

from .models import EventStatus, RegistrationStatus


def can_view_event(user, event) -> bool:
    return bool(user.is_staff or event.status != EventStatus.DRAFT)


def can_register_event(user, event) -> bool:
    return bool(user.is_authenticated and user.is_active and event.registration_open_at(timezone.now()))


def can_cancel_registration(user, registration) -> bool:
    """Their own registration, while it is active and the event has not started."""
    return bool(
        registration.user_id == user.pk
        and registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING)
        and registration.event.start > timezone.now()
    )


def status_sees_meeting_link(status: str | None) -> bool:
    """Whether a registration in ``status`` sees the meeting link: a confirmed place, or attended."""
    return status in (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED)


def can_see_meeting_link(registration) -> bool:
    """Only people holding a confirmed place (or who attended) see the meeting link."""
    return bool(registration is not None and status_sees_meeting_link(registration.status))


def can_see_check_in_code(registration) -> bool:
    return can_see_meeting_link(registration)


def can_give_feedback(registration) -> bool:
    return bool(
        registration is not None
        and registration.status == RegistrationStatus.ATTENDED
        and registration.event.end <= timezone.now()
    )


def can_check_in(user) -> bool:
    """Staff at the door: staff accounts with the right to change registrations."""
    return bool(user.is_authenticated and user.is_staff and user.has_perm("events.change_registration"))


def can_view_summary(user) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.has_perm("events.view_event"))
