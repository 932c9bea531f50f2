"""Every change of state of events and registrations.

Lock order, everywhere: the event row first (``select_for_update``), then its registrations. The
event lock is what keeps confirmed registrations within capacity when many people register at once.
Notifications go through ``notify()``, which writes outbox rows now and delivers after commit.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitb_portal.notifications.services import notify

from . import emails, links
from .models import (
    ACTIVE_REGISTRATION_STATUSES,
    HOLDS_PLACE_STATUSES,
    Attendance,
    CalendarFeed,
    Event,
    EventStatus,
    Feedback,
    Registration,
    RegistrationStatus,
    Room,
    Session,
    Speaker,
    Venue,
    new_check_in_code,
    new_token,
    overlap_error,
)
from .selectors import suggest_event_slug

logger = logging.getLogger(__name__)

GUEST_CONFIRMATION_HOURS = 24


# --- helpers ------------------------------------------------------------------------------------
def _history(instance, actor, reason: str) -> None:
    instance._history_user = actor if getattr(actor, "is_authenticated", False) else None
    instance._change_reason = reason


def _constraint_name(exc: IntegrityError) -> str:
    cause = getattr(exc, "__cause__", None)
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", "") or ""


def _require_kitb(actor) -> None:
    """Publishing, cancelling, moving and resizing events are KITB's: a partner (a co-organiser
    included) is refused. ``None`` is the system (sweeps, scripts)."""
    if actor is not None and getattr(actor, "is_authenticated", False) and not actor.is_staff:
        raise PermissionDenied(_("Only KITB staff publish, cancel, move or resize an event."))


def _lock_event(event_id: int) -> Event:
    return Event.objects.select_for_update(of=("self",)).select_related("venue", "room").get(pk=event_id)


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
    from .selectors import event_publish_warnings

    _require_kitb(actor)
    event = _lock_event(event_id)
    if event.status == EventStatus.PUBLISHED:
        return []
    if event.status != EventStatus.DRAFT:
        raise ValidationError(_("Only a draft can be published (this event is %(status)s).") % {"status": event.get_status_display()})
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
    _require_kitb(actor)
    event = _lock_event(event_id)
    if event.status == EventStatus.CANCELLED:
        return event
    if event.status == EventStatus.COMPLETED:
        raise ValidationError(_("A completed event cannot be cancelled."))
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
    if event.status == EventStatus.COMPLETED:
        return event
    if event.status != EventStatus.PUBLISHED or event.end > timezone.now():
        raise ValidationError(_("Only a published event that has ended can be completed."))
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


LAPSED = _("This registration lapsed because it was not confirmed within 24 hours.")


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
    if registration.status != RegistrationStatus.PENDING:
        if registration.status == RegistrationStatus.EXPIRED:
            return registration, ValidationError(LAPSED, code="expired")
        if registration.status == RegistrationStatus.CANCELLED:
            return registration, ValidationError(_("This registration was cancelled."), code="cancelled")
        return registration, None  # already confirmed or waitlisted: following the link twice changes nothing
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
    if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.EXPIRED):
        return registration
    if registration.status == RegistrationStatus.ATTENDED or event.start <= now:
        raise ValidationError(_("The event has started; the registration can no longer be cancelled."), code="started")
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
    if registration.status == RegistrationStatus.ATTENDED:
        return registration
    if registration.event.status == EventStatus.CANCELLED:
        raise ValidationError(_("This event has been cancelled."), code="cancelled")
    if registration.status == RegistrationStatus.WAITLISTED:
        raise ValidationError(_("%(name)s is on the waitlist, without a confirmed place.") % {"name": registration.name})
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ValidationError(
            _("%(name)s has no confirmed place (%(status)s).")
            % {"name": registration.name, "status": registration.get_status_display()}
        )
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


# The sweeps are services too; they live in sweeps.py; the co-workers' services in cowork.py.
from .cowork import (  # noqa: E402,F401
    agenda_session_delete,
    agenda_session_save,
    agenda_speaker_update,
    coorganiser_event_change,
    proposal_accept,
    proposal_decline,
    proposal_request_changes,
    proposal_submit,
    proposal_update,
    proposer_set,
)
from .delegations import (  # noqa: E402,F401
    MEMBER_FIELDS,
    delegation_counts,
    delegation_register,
    delegation_update,
    passport_data_purge,
)
from .documents import certificate_for, visa_letters_issue  # noqa: E402,F401
from .sweeps import event_followup_send, event_reminders_send, registration_expire_lapsed  # noqa: E402,F401


# --- presentation files (events/presentations.py) ------------------------------------------------
def presentation_add(*, actor, event_id: int, title: str, uploaded, session_id: int | None = None, language: str = "en",
                     is_published: bool = False):
    """Store a presentation PDF for an event (or one of its sessions). The file is checked as a PDF
    (``kitb_portal.common.pdf``: size, content, readable) and kept private."""
    from kitb_portal.common.pdf import check_pdf

    from .models import Event, Presentation

    if not (actor.is_staff and actor.has_perm("events.add_presentation")):
        raise PermissionDenied(_("You may not add presentation files."))
    checked = check_pdf(uploaded)
    event = Event.objects.get(pk=event_id)
    presentation = Presentation(
        event=event, session_id=session_id, title=(title or "").strip() or checked.display_name, language=language,
        original_name=checked.display_name, size=checked.size, sha256=checked.sha256, is_published=is_published,
        uploaded_by=actor,
    )
    presentation.full_clean(exclude=["file"])
    presentation.file.save(checked.display_name, uploaded, save=False)
    presentation.save()
    return presentation


def presentation_update(*, actor, presentation_id: int, title: str, language: str, is_published: bool):
    """Rename, re-label or (un)publish a presentation file; the file itself never changes."""
    from .models import Presentation

    if not (actor.is_staff and actor.has_perm("events.change_presentation")):
        raise PermissionDenied(_("You may not change presentation files."))
    if not (title or "").strip():
        raise ValidationError(_("A presentation file needs a title."))
    updated = Presentation.objects.filter(pk=presentation_id).update(
        title=title.strip(), language=language, is_published=is_published, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("This presentation file no longer exists."))
