"""Registrations: a portal user's, a guest's (confirmed by e-mail within 24 hours), cancelling
(the waitlist moves up), check-in, feedback after the event, and the private calendar feed."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitb_portal.notifications.services import notify

from .. import emails, links, workflow
from ..models import (
    ACTIVE_REGISTRATION_STATUSES,
    CalendarFeed,
    Event,
    EventStatus,
    Feedback,
    Registration,
    RegistrationStatus,
    new_token,
)
from .common import _history, _lock_event
from .places import _assign_place, _check_open, _fill_from_waitlist, _save_new_registration

GUEST_CONFIRMATION_HOURS = 24


# --- registrations ------------------------------------------------------------------------------
@transaction.atomic
def registration_create(*, event_id: int, user, actor=None, attendance: str | None = None) -> Registration:
    """Register a portal user: confirmed while places remain, then waitlisted in order.

    At a hybrid event ``attendance`` ("on_site" or "online") chooses the pool; each pool has its
    own places and waitlist."""
    now = timezone.now()
    event = _lock_event(event_id)
    _check_open(event, now)
    if Registration.objects.filter(event=event, user=user, status__in=ACTIVE_REGISTRATION_STATUSES).exists():
        raise ValidationError(_("You are already registered for this event."), code="duplicate")
    organization = user.organization
    registration = Registration(
        event=event, user=user, name=user.full_name or user.email, email=user.email.lower(),
        organization=organization, organization_name=organization.name if organization else "",
        country=organization.country if organization else "", language=user.preferred_language,
        attendance=event.attendance_for(attendance),
    )
    _assign_place(event, registration, now)
    _history(registration, actor or user, "registered")
    _save_new_registration(registration)
    if registration.status == RegistrationStatus.CONFIRMED:
        emails.notify_confirmed(registration)
    else:
        emails.notify_waitlisted(registration)
    return registration


@transaction.atomic
def registration_request_guest(
    *, event_id: int, name: str, email: str, organization_name: str, country: str = "", language: str = "en",
    attendance: str | None = None,
) -> Registration:
    """A guest asks for a place at a public event: the place counts only once they confirm by e-mail.

    If the address already has an active registration, it is e-mailed its link again (at most once
    a day) instead; the caller shows the same "check your e-mail" page either way.
    """
    now = timezone.now()
    event = Event.objects.select_related("venue").get(pk=event_id)
    if not event.is_public:
        raise ValidationError(_("This event is not open to the public."))
    _check_open(event, now)
    email = email.strip().lower()
    language = language if language in ("id", "ko", "en") else "en"
    existing = (
        Registration.objects.filter(event=event, email__iexact=email, status__in=ACTIVE_REGISTRATION_STATUSES)
        .select_related("user", "event")
        .first()
    )
    if existing is not None:
        emails.notify_guest_link(existing, now)
        return existing
    registration = Registration(
        event=event, name=name.strip(), email=email, organization_name=organization_name.strip(), country=country,
        language=language, status=RegistrationStatus.PENDING, token=new_token(), attendance=event.attendance_for(attendance),
        expires_at=now + dt.timedelta(hours=GUEST_CONFIRMATION_HOURS),
    )
    _history(registration, None, "guest asked for a place")
    try:
        _save_new_registration(registration)
    except ValidationError:
        existing = Registration.objects.filter(event=event, email__iexact=email, status__in=ACTIVE_REGISTRATION_STATUSES).first()
        if existing is None:
            raise
        return existing
    notify(
        email=registration.email,
        language=registration.language,
        template="events/email/guest_confirm_request",
        context=emails.email_context(
            registration, confirm_url=links.guest_confirm_link(registration), hours=GUEST_CONFIRMATION_HOURS
        ),
        key=f"registration-guest-confirm:{registration.pk}",
        kind="event_registration",
    )
    return registration


def registration_confirm_guest(*, token: str) -> Registration:
    """The guest followed the e-mailed link: now the place counts (confirmed, or waitlisted).

    A place not confirmed within 24 hours lapses here too (the lapse is kept, then refused).
    """
    registration, error = _registration_confirm_guest(token)
    if error is not None:
        raise error
    return registration


LAPSED = workflow.LAPSED


@transaction.atomic
def _registration_confirm_guest(token: str) -> tuple[Registration | None, ValidationError | None]:
    now = timezone.now()
    try:
        event_id = Registration.objects.values_list("event_id", flat=True).get(token=token)
    except Registration.DoesNotExist:
        return None, ValidationError(_("This link is not valid."), code="invalid")
    event = _lock_event(event_id)
    registration = Registration.objects.select_for_update().get(token=token)
    registration.event = event
    try:
        if not workflow.check_status(registration, "registration.confirm_guest"):
            return registration, None  # already confirmed or waitlisted: following the link twice changes nothing
    except ValidationError as exc:  # lapsed or cancelled
        return registration, exc
    if registration.expires_at <= now:
        registration.status = RegistrationStatus.EXPIRED
        _history(registration, None, "lapsed (not confirmed in 24 h)")
        registration.save(update_fields=["status", "updated_at"])
        return registration, ValidationError(LAPSED, code="expired")
    try:
        _check_open(event, now)
    except ValidationError as exc:
        return registration, exc
    _assign_place(event, registration, now)
    _history(registration, None, "guest confirmed by e-mail")
    registration.save(update_fields=["status", "waitlist_position", "confirmed_at", "attendance", "updated_at"])
    if registration.status == RegistrationStatus.CONFIRMED:
        emails.notify_confirmed(registration)
    else:
        emails.notify_waitlisted(registration)
    return registration, None


@transaction.atomic
def registration_cancel(*, registration_id: int, actor=None) -> Registration:
    """Give up a place; the first person on the waitlist is promoted and told."""
    now = timezone.now()
    event_id = Registration.objects.values_list("event_id", flat=True).get(pk=registration_id)
    event = _lock_event(event_id)
    registration = Registration.objects.select_for_update().get(pk=registration_id)
    registration.event = event
    if not workflow.check_status(registration, "registration.cancel"):
        return registration  # already cancelled or lapsed
    if event.start <= now:
        raise workflow.refusal(registration, "registration.cancel")
    held_place = registration.holds_place
    registration.status = RegistrationStatus.CANCELLED
    registration.waitlist_position = None
    registration.cancelled_at = now
    _history(registration, actor, "cancelled")
    registration.save(update_fields=["status", "waitlist_position", "cancelled_at", "updated_at"])
    if held_place:
        _fill_from_waitlist(event, actor, now)
    return registration


@transaction.atomic
def registration_check_in(*, registration_id: int, actor) -> Registration:
    """Mark a confirmed person as arrived (attended). Checking in twice changes nothing."""
    registration = Registration.objects.select_for_update(of=("self",)).select_related("event").get(pk=registration_id)
    if workflow.is_done(registration, "registration.check_in"):
        return registration
    if registration.event.status == EventStatus.CANCELLED:
        raise ValidationError(_("This event has been cancelled."), code="cancelled")
    workflow.check_status(registration, "registration.check_in")  # a waitlisted or unconfirmed place is refused
    registration.status = RegistrationStatus.ATTENDED
    registration.checked_in_at = timezone.now()
    registration.checked_in_by = actor
    _history(registration, actor, "checked in")
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by", "updated_at"])
    return registration


def registration_mark_attended(*, registration_ids, actor) -> tuple[int, list[str]]:
    """Mark several registrations as attended (admin action). Returns (done, problems)."""
    done, problems = 0, []
    for registration_id in registration_ids:
        try:
            before = Registration.objects.values_list("status", flat=True).get(pk=registration_id)
            registration_check_in(registration_id=registration_id, actor=actor)
            done += before != RegistrationStatus.ATTENDED
        except ValidationError as exc:
            problems.extend(exc.messages)
    return done, problems


@transaction.atomic
def feedback_submit(*, registration_id: int, rating: int, comment: str = "", actor=None) -> Feedback:
    """An attendee's rating (1–5) and comment, after the event; sending again replaces it."""
    registration = Registration.objects.select_for_update(of=("self",)).select_related("event").get(pk=registration_id)
    if registration.status != RegistrationStatus.ATTENDED:
        raise ValidationError(_("Only people who attended can give feedback."), code="not_attended")
    if registration.event.end > timezone.now():
        raise ValidationError(_("Feedback opens when the event is over."), code="too_early")
    if not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    feedback, _created = Feedback.objects.update_or_create(
        registration=registration, defaults={"rating": int(rating), "comment": comment.strip()}
    )
    return feedback


# --- calendar feed ------------------------------------------------------------------------------
def calendar_feed_get_or_create(*, user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_reset(*, user) -> CalendarFeed:
    """A new secret token: the old feed URL stops working at once."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.token = new_token()
        feed.save(update_fields=["token", "updated_at"])
    return feed
