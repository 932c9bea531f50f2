"""Delegations: a partner organisation's administrator (or KITB staff) registers a group for an event
in one go. Services, re-exported by ``events.services``.

Placement, under the event's row lock: the members fill places together — all confirmed, or all
waitlisted at the end of the queue with consecutive positions — unless the administrator allowed a
split (then as many as fit are confirmed, the rest waitlisted). Nothing is half-saved: every member
is checked first, and any error (field by field, ``members-<n>-<field>``) stores nothing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kitb_portal.notifications.services import notify

from .. import emails, permissions
from ..models import (
    ACTIVE_REGISTRATION_STATUSES,
    Delegation,
    DelegationMember,
    DelegationStatus,
    Registration,
    RegistrationStatus,
    new_token,
)
from .common import _history, _lock_event
from .places import _check_open, _fill_from_waitlist, _next_waitlist_position, _save_new_registration, free_places

User = get_user_model()

MEMBER_FIELDS = (
    "full_name", "position", "email", "passport_name", "passport_number", "nationality", "date_of_birth", "dietary",
    "allergies", "accessibility",
)
PASSPORT_FIELDS = ("passport_name", "passport_number", "nationality", "date_of_birth")


def _build_members(rows: list[dict], *, delegation: Delegation | None, existing=()) -> tuple[list[DelegationMember], dict]:
    """Check every member; return (members, errors keyed ``members-<n>-<field>``)."""
    errors: dict[str, list[str]] = {}
    members = []
    seen_emails = {m.email.lower(): m.pk for m in existing}
    seen_passports = {m.passport_number: m.pk for m in existing if m.passport_number}
    for index, row in enumerate(rows):
        unknown = set(row) - set(MEMBER_FIELDS) - {"id", "_instance"}
        if unknown:
            raise PermissionDenied(_("These details are not part of a member: %(f)s.") % {"f": ", ".join(sorted(unknown))})
        member = row.get("_instance") or DelegationMember(delegation=delegation)
        for name in MEMBER_FIELDS:
            if name in row:
                value = row[name]
                setattr(member, name, (value.strip() if isinstance(value, str) else value) if value is not None else (
                    [] if name == "dietary" else (None if name == "date_of_birth" else "")))
        member.email = (member.email or "").lower()
        try:
            member.full_clean(exclude=["delegation", "registration"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(f"members-{index}-{field}", []).extend(messages)
        email = member.email
        if email and seen_emails.get(email, member.pk) != member.pk or (email and email in [m.email for m in members]):
            errors.setdefault(f"members-{index}-email", []).append(_("This person is already in the delegation."))
        number = member.passport_number
        if number and (seen_passports.get(number, member.pk) != member.pk or number in [m.passport_number for m in members]):
            errors.setdefault(f"members-{index}-passport_number", []).append(_("This passport number is already in the delegation."))
        members.append(member)
    return members, errors


def _check_registered_elsewhere(event, members: list[DelegationMember], errors: dict, *, skip_registration_ids=()) -> None:
    emails_ = [m.email for m in members if m.email]
    taken = set(
        Registration.objects.filter(event=event, status__in=ACTIVE_REGISTRATION_STATUSES)
        .exclude(pk__in=list(skip_registration_ids))
        .annotate(e=Lower("email")).filter(e__in=emails_).values_list("e", flat=True)
    )
    for index, member in enumerate(members):
        if member.email in taken and not member.registration_id:
            errors.setdefault(f"members-{index}-email", []).append(_("This person is already registered for this event."))


def _new_registration(event, delegation: Delegation, member: DelegationMember) -> Registration:
    organization = delegation.organization
    return Registration(
        event=event, name=member.full_name, email=member.email, organization=organization,
        organization_name=organization.name, country=member.nationality or organization.country or "",
        language=delegation.language, attendance=delegation.attendance, token=new_token(),
    )


def _delegation_audience(delegation: Delegation) -> list:
    if delegation.administrator_id and delegation.administrator.is_active:
        return [delegation.administrator]
    return list(User.objects.filter(organization_id=delegation.organization_id, is_org_admin=True, is_active=True, is_staff=False))


def _notify_delegation(delegation: Delegation, *, reason: str) -> None:
    members = list(delegation.members.select_related("registration").order_by("pk"))
    version = delegation.history.count()
    for person in _delegation_audience(delegation):
        notify(
            recipient=person, template="events/email/delegation_confirmed",
            context={"delegation": delegation, "event": delegation.event, "members": members, "reason": reason,
                     "viewer_tz": person.time_zone,
                     "link": settings.SITE_URL + reverse("events:delegation_detail", args=[delegation.pk])},
            key=f"delegation:{delegation.pk}:{version}:{person.pk}", kind="event_delegation", mandatory=True,
            mandatory_reason=_("You registered this delegation, so its confirmation cannot be switched off."),
        )


def _place(event, registrations: list[Registration], *, split_allowed: bool, now) -> None:
    """Confirm all, waitlist all (consecutive), or split when allowed. The caller holds the event lock."""
    if not registrations:
        return
    attendance = registrations[0].attendance
    free = free_places(event, attendance)
    confirm = len(registrations) if free >= len(registrations) else (free if split_allowed else 0)
    position = None
    for index, registration in enumerate(registrations):
        if index < confirm:
            registration.status, registration.confirmed_at, registration.waitlist_position = RegistrationStatus.CONFIRMED, now, None
        else:
            if position is None:
                position = _next_waitlist_position(event, attendance)
            registration.status, registration.waitlist_position = RegistrationStatus.WAITLISTED, position
            position += 1


@transaction.atomic
def delegation_register(
    *, actor, event_id: int, members: list[dict], name: str = "", attendance: str | None = None,
    split_allowed: bool = False, organization=None, administrator=None,
) -> Delegation:
    """Register a delegation as one unit (see the module doc). Partners: their organisation's
    administrator; KITB staff (with ``events.add_delegation``) for any organisation."""
    now = timezone.now()
    if permissions.can_register_delegation(actor):
        organization, administrator = actor.organization, actor
    elif actor.is_staff and actor.has_perm("events.add_delegation"):
        if organization is None:
            raise ValidationError({"organization": _("Choose the organisation the delegation comes from.")})
    else:
        raise PermissionDenied(_("Only your organisation's administrator registers a delegation."))
    if not members:
        raise ValidationError(_("Add at least one member."))
    event = _lock_event(event_id)
    _check_open(event, now)
    delegation = Delegation(
        event=event, organization=organization, administrator=administrator, registered_by=actor,
        name=(name or "").strip() or _("%(org)s delegation") % {"org": organization.name},
        attendance=event.attendance_for(attendance), split_allowed=bool(split_allowed),
        language=(administrator.preferred_language if administrator else "en") or "en",
        editable_until=min(event.effective_registration_closes, event.start),
    )
    built, errors = _build_members(members, delegation=delegation)
    _check_registered_elsewhere(event, built, errors)
    if errors:
        raise ValidationError(errors)
    delegation.full_clean()
    _history(delegation, actor, "registered")
    delegation.save()
    registrations = [_new_registration(event, delegation, m) for m in built]
    _place(event, registrations, split_allowed=delegation.split_allowed, now=now)
    for member, registration in zip(built, registrations, strict=True):
        registration._history_user = actor
        registration._change_reason = "registered with a delegation"
        _save_new_registration(registration)
        member.delegation, member.registration = delegation, registration
        member.save()
    for registration in registrations:
        registration.event = event
        if registration.status == RegistrationStatus.CONFIRMED:
            emails.notify_confirmed(registration)
        else:
            emails.notify_waitlisted(registration)
    _notify_delegation(delegation, reason="registered")
    return delegation


@transaction.atomic
def delegation_update(*, actor, delegation_id: int, members: list[dict], remove_ids=()) -> Delegation:
    """Change members' details, remove members, add members, until the delegation's deadline.

    New members join the delegation's side of the queue: confirmed if the delegation is confirmed and
    places are left (else refused unless a split is allowed), waitlisted if the delegation waits."""
    now = timezone.now()
    event_id = Delegation.objects.values_list("event_id", flat=True).get(pk=delegation_id)
    event = _lock_event(event_id)
    delegation = Delegation.objects.select_for_update(of=("self",)).select_related("organization", "administrator").get(pk=delegation_id)
    if not permissions.can_manage_delegation(actor, delegation):
        raise PermissionDenied(_("You may not change this delegation."))
    if not delegation.is_editable:
        raise ValidationError(_("The deadline for changes to this delegation has passed."))
    existing = {m.pk: m for m in delegation.members.select_related("registration")}
    remove_ids = {int(i) for i in remove_ids}
    if remove_ids - set(existing):
        raise ValidationError(_("This person is not in the delegation."))
    kept = [m for pk, m in existing.items() if pk not in remove_ids]
    rows = []
    for row in members:
        row = dict(row)
        member_id = row.pop("id", None)
        if member_id:
            if int(member_id) not in existing or int(member_id) in remove_ids:
                raise ValidationError(_("This person is not in the delegation."))
            row["_instance"] = existing[int(member_id)]
        rows.append(row)
    built, errors = _build_members(rows, delegation=delegation, existing=kept)
    _check_registered_elsewhere(event, built, errors, skip_registration_ids=[m.registration_id for m in kept])
    if not built and not kept:
        errors.setdefault("__all__", []).append(_("A delegation needs at least one member."))
    new = [m for m in built if not m.pk]
    if new:
        try:
            _check_open(event, now)
        except ValidationError as exc:
            errors.setdefault("__all__", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    for pk in remove_ids:
        registration = existing[pk].registration
        registration.status, registration.waitlist_position, registration.cancelled_at = RegistrationStatus.CANCELLED, None, now
        _history(registration, actor, "removed from the delegation")
        registration.save(update_fields=["status", "waitlist_position", "cancelled_at", "updated_at"])
        existing[pk].delete()
    for member in built:
        if member.pk:
            member.save()
            registration = member.registration
            if (registration.name, registration.email) != (member.full_name, member.email):
                registration.name, registration.email = member.full_name, member.email
                _history(registration, actor, "member details changed")
                registration.save(update_fields=["name", "email", "updated_at"])
    if new:
        statuses = {m.registration.status for m in kept}
        registrations = [_new_registration(event, delegation, m) for m in new]
        if RegistrationStatus.WAITLISTED in statuses and not delegation.split_allowed:
            position = _next_waitlist_position(event, delegation.attendance)
            for registration in registrations:
                registration.status, registration.waitlist_position = RegistrationStatus.WAITLISTED, position
                position += 1
        else:
            _place(event, registrations, split_allowed=True, now=now)
            if not delegation.split_allowed and any(r.status == RegistrationStatus.WAITLISTED for r in registrations):
                raise ValidationError(_("Not enough places left for the new members; the delegation would be split. "
                                        "Allow a split, or remove someone first."))
        for member, registration in zip(new, registrations, strict=True):
            _save_new_registration(registration)
            member.registration = registration
            member.save()
            registration.event = event
            if registration.status == RegistrationStatus.CONFIRMED:
                emails.notify_confirmed(registration)
            else:
                emails.notify_waitlisted(registration)
    _history(delegation, actor, "changed")
    delegation.save()
    if remove_ids:
        _fill_from_waitlist(event, actor, now)
    _notify_delegation(delegation, reason="changed")
    return delegation


def passport_data_purge(*, now=None, days: int | None = None) -> int:
    """Delete the passport data of delegation members ``EVENTS_PASSPORT_RETENTION_DAYS`` after their
    event ended (beat runs it daily). Returns how many members were cleared; running twice clears nothing more."""
    now = now or timezone.now()
    days = settings.EVENTS_PASSPORT_RETENTION_DAYS if days is None else days
    cutoff = now - dt.timedelta(days=days)
    return DelegationMember.objects.filter(delegation__event__end__lt=cutoff, passport_purged_at__isnull=True).update(
        passport_name="", passport_number="", nationality="", date_of_birth=None, passport_purged_at=now, updated_at=now
    )


def delegation_counts(delegation: Delegation) -> dict:
    counts = {"confirmed": 0, "waitlisted": 0, "other": 0}
    for member in delegation.members.all():
        status = member.registration.status
        if status in (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED):
            counts["confirmed"] += 1
        elif status == RegistrationStatus.WAITLISTED:
            counts["waitlisted"] += 1
        else:
            counts["other"] += 1
    return counts


__all__ = [
    "DelegationStatus", "MEMBER_FIELDS", "PASSPORT_FIELDS", "delegation_counts", "delegation_register", "delegation_update",
    "passport_data_purge",
]
