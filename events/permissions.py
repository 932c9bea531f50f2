"""Object rules for events and registrations (staff also need the model permissions)."""

from __future__ import annotations

from django.utils import timezone

from kitb_portal.accounts import roles

from .models import Attendance, EventMode, EventStatus, RegistrationStatus


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


def status_sees_meeting_link(status: str | None, attendance: str | None = None, mode: str | None = None) -> bool:
    """Whether a registration in ``status`` sees the meeting link: a confirmed place, or attended;
    at a hybrid event (``mode``), only a place online (``attendance``)."""
    if status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED):
        return False
    if mode == EventMode.HYBRID:
        return attendance == Attendance.ONLINE
    return mode != EventMode.ON_SITE


def can_see_meeting_link(registration) -> bool:
    """Only people holding a confirmed place (or who attended) see the meeting link; at a hybrid
    event only those who attend online."""
    return bool(
        registration is not None
        and status_sees_meeting_link(registration.status, registration.attendance, registration.event.mode)
    )


def can_see_check_in_code(registration) -> bool:
    """A confirmed (or attended) place, on site or online."""
    return bool(registration is not None and registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED))


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


# --- partners as co-workers -----------------------------------------------------------------------
def can_propose_events(user) -> bool:
    """A partner organisation's administrator, or a colleague they authorised (``EventProposer``)."""
    if not roles.is_partner_user(user):
        return False
    if user.is_org_admin:
        return True
    from .models import EventProposer

    return EventProposer.objects.filter(user=user).exists()


def can_authorise_proposers(user) -> bool:
    return roles.is_partner_org_admin(user)


def can_decide_proposals(user) -> bool:
    """KITB's events officer (staff with the right to add events)."""
    return bool(roles.is_active_staff(user) and user.has_perm("events.add_event"))


def is_coorganiser(user, event) -> bool:
    """A partner user whose organisation is among the event's organisers (``Event.organizers``).

    Asked once per user object and event: the answer is kept on the user (as Django keeps permissions
    in ``_perm_cache``), so a view's check and the service's check of one request share one query;
    a selector that read the event through its organisers records it with ``remember_coorganiser``."""
    if not roles.is_partner_user(user):
        return False
    known = user.__dict__.setdefault("_coorganised_event_ids", {})
    if event.pk not in known:
        known[event.pk] = event.organizers.filter(pk=user.organization_id).exists()
    return known[event.pk]


def remember_coorganiser(user, event) -> None:
    """``event`` was read as one the user's organisation organises: ``is_coorganiser`` need not ask again."""
    user.__dict__.setdefault("_coorganised_event_ids", {})[event.pk] = True


def can_manage_agenda(user, event) -> bool:
    """Co-organisers edit the agenda, sessions and speakers of an event that is not over or cancelled."""
    from .models import EventStatus

    return bool(event.status in (EventStatus.DRAFT, EventStatus.PUBLISHED) and is_coorganiser(user, event))


# --- delegations ---------------------------------------------------------------------------------
def can_register_delegation(user) -> bool:
    """A partner organisation's administrator registers delegations for their organisation."""
    return roles.is_partner_org_admin(user)


def can_manage_delegation(user, delegation) -> bool:
    """The delegation's own administrator (their organisation's administrators) or KITB's events officer."""
    if roles.is_partner_user(user):
        return bool(user.organization_id == delegation.organization_id and (
            user.is_org_admin or user.pk == delegation.administrator_id))
    return bool(roles.is_active_staff(user) and user.has_perm("events.change_delegation"))


def is_events_officer(user) -> bool:
    """Staff in KITB's events officer group (superusers stand in) who hold the passport permission."""
    return roles.is_events_officer(user) and user.has_perm("events.view_passport_data")


def can_see_passport(user, delegation) -> bool:
    """Passport data: the events officer, and the delegation's own administrator; nobody else."""
    if roles.is_partner_user(user):
        return bool(user.organization_id == delegation.organization_id and (
            user.pk == delegation.administrator_id or user.is_org_admin))
    return is_events_officer(user)
