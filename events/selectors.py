"""Every non-trivial read of events and registrations, scoped by who asks.

Partners see published (and completed or cancelled) events and only their own registrations;
anything else is a 404, the same answer as for something that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Avg, Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import (
    ACTIVE_REGISTRATION_STATUSES,
    HOLDS_PLACE_STATUSES,
    CalendarFeed,
    Event,
    EventStatus,
    Feedback,
    Registration,
    RegistrationStatus,
    Session,
)

PARTNER_VISIBLE_STATUSES = [EventStatus.PUBLISHED, EventStatus.COMPLETED, EventStatus.CANCELLED]


def _registration_count(statuses) -> Coalesce:
    """How many of the event's registrations are in ``statuses``: a correlated subquery, so a page of
    20 events counts 20 events' registrations (index on event, status) instead of grouping them all."""
    counted = (
        Registration.objects.filter(event=OuterRef("pk"), status__in=statuses)
        .order_by().values("event").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _with_counts(qs):
    return qs.annotate(
        confirmed_count=_registration_count(HOLDS_PLACE_STATUSES),
        waitlisted_count=_registration_count([RegistrationStatus.WAITLISTED]),
    )


def _with_my_registration(qs, user):
    mine = Registration.objects.filter(event=OuterRef("pk"), user=user, status__in=ACTIVE_REGISTRATION_STATUSES).order_by()
    return qs.annotate(my_registration_status=Subquery(mine.values("status")[:1]))


def _visible_to(user):
    qs = Event.objects.all()
    if not user.is_staff:
        qs = qs.filter(status__in=PARTNER_VISIBLE_STATUSES)
    return qs


# --- events -------------------------------------------------------------------------------------
def event_list_for(user, *, kind: str = "", topic: str = "", mode: str = "", q: str = "", include_past: bool = False):
    """Published events a user may register for (upcoming unless ``include_past``), newest last."""
    qs = Event.objects.filter(status=EventStatus.PUBLISHED)
    if include_past:
        qs = Event.objects.filter(status__in=[EventStatus.PUBLISHED, EventStatus.COMPLETED])
    else:
        qs = qs.filter(end__gte=timezone.now())
    if kind:
        qs = qs.filter(kind=kind)
    if topic:
        qs = qs.filter(topics__contains=[topic])
    if mode:
        qs = qs.filter(mode=mode)
    if q:
        qs = qs.filter(Q(title_en__icontains=q) | Q(title_id__icontains=q) | Q(title_ko__icontains=q))
    qs = _with_counts(qs.select_related("venue"))
    return _with_my_registration(qs, user).order_by("start", "pk")


def _agenda_prefetch() -> Prefetch:
    sessions = Session.objects.select_related("room").prefetch_related("speakers").order_by("start", "pk")
    return Prefetch("sessions", queryset=sessions)


def _organisers_prefetch() -> Prefetch:
    from kitb_portal.accounts.models import Organization

    return Prefetch("organizers", queryset=Organization.objects.order_by("-is_host", "name"))


def event_get_for(user, pk: int, *, agenda: bool = True) -> Event:
    """An event (with its agenda and organisers unless ``agenda=False``), or Http404 when the user may not see it."""
    qs = _with_counts(_visible_to(user).select_related("venue", "room", "mou"))
    if agenda:
        qs = qs.prefetch_related(_agenda_prefetch(), _organisers_prefetch())
    try:
        return qs.get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def event_with_agenda(event: Event) -> Event:
    """``event`` with its sessions (rooms, speakers) and organisers loaded: three queries."""
    prefetch_related_objects([event], _agenda_prefetch(), _organisers_prefetch())
    return event


def public_event_list():
    """Upcoming public events (the page at /events/)."""
    qs = Event.objects.filter(status=EventStatus.PUBLISHED, is_public=True, end__gte=timezone.now())
    return _with_counts(qs.select_related("venue")).order_by("start", "pk")


def public_event_get(slug: str) -> Event:
    sessions = Session.objects.select_related("room").prefetch_related("speakers").order_by("start", "pk")
    qs = Event.objects.filter(is_public=True, status__in=PARTNER_VISIBLE_STATUSES).select_related("venue", "room")
    try:
        return _with_counts(qs).prefetch_related(Prefetch("sessions", queryset=sessions), _organisers_prefetch()).get(slug=slug)
    except Event.DoesNotExist as exc:
        raise Http404 from exc


# --- registrations ------------------------------------------------------------------------------
def registration_list_for(user):
    """The user's own registrations (never a colleague's), soonest event first."""
    return (
        Registration.objects.filter(user=user)
        .exclude(status=RegistrationStatus.EXPIRED)
        .select_related("event", "event__venue")
        .order_by("-event__start", "-pk")
    )


def registration_get_for(user, pk: int) -> Registration:
    try:
        return Registration.objects.select_related("event", "event__venue").get(pk=pk, user=user)
    except (Registration.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def registration_current_for(user, event: Event) -> Registration | None:
    """The user's active registration for ``event`` (or, failing that, the latest one)."""
    registrations = list(Registration.objects.filter(user=user, event=event).order_by("-created_at", "-pk")[:5])
    for registration in registrations:
        registration.event = event  # the caller's copy (with its counts): no second query for it
    for registration in registrations:
        if registration.status in ACTIVE_REGISTRATION_STATUSES:
            return registration
    return registrations[0] if registrations else None


def registration_get_by_token(token: str) -> Registration:
    """A guest's registration by the secret token of their links; Http404 for anything else."""
    if not token or len(token) > 64:
        raise Http404
    try:
        return Registration.objects.select_related("event", "event__venue", "event__room").get(token=token)
    except Registration.DoesNotExist as exc:
        raise Http404 from exc


def waitlist_place(registration: Registration) -> int | None:
    """1 for the first on the waitlist."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=RegistrationStatus.WAITLISTED, waitlist_position__lt=registration.waitlist_position
    ).count()
    return ahead + 1


# --- calendar feed ------------------------------------------------------------------------------
def feed_get_by_token(token: str) -> CalendarFeed:
    if not token or len(token) > 64:
        raise Http404
    try:
        return CalendarFeed.objects.select_related("user").get(token=token, user__is_active=True)
    except CalendarFeed.DoesNotExist as exc:
        raise Http404 from exc


def feed_events_for(user):
    """Events the user holds or awaits a place at, from 60 days back (cancelled ones too, so
    calendar clients remove them)."""
    since = timezone.now() - dt.timedelta(days=60)
    registered = Registration.objects.filter(
        event=OuterRef("pk"), user=user,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.ATTENDED],
    )
    return (
        Event.objects.filter(Exists(registered), end__gte=since)
        .exclude(status=EventStatus.DRAFT)
        .select_related("venue", "room")
        .annotate(
            my_registration_status=Subquery(registered.values("status")[:1]),
            my_registration_attendance=Subquery(registered.values("attendance")[:1]),
        )
        .order_by("start", "pk")
    )


# --- staff --------------------------------------------------------------------------------------
def event_admin_queryset(qs):
    """The admin changelist: counts annotated, venue joined (a fixed number of queries)."""
    return _with_counts(qs.select_related("venue", "mou"))


def event_calendar(start: dt.datetime, end: dt.datetime):
    """Events overlapping [start, end) for the admin calendar views."""
    return (
        _with_counts(Event.objects.filter(start__lt=end, end__gt=start).select_related("venue"))
        .order_by("start", "pk")
    )


def event_publish_warnings(event: Event) -> list[str]:
    """Problems staff should see before publishing; none of them blocks publishing."""
    warnings: list[str] = []
    # Speakers in two sessions at once (in this event or any other non-cancelled one).
    sessions = list(event.sessions.prefetch_related("speakers"))
    speaker_ids = {s.pk for session in sessions for s in session.speakers.all()}
    if speaker_ids:
        others = list(
            Session.objects.filter(speakers__in=speaker_ids)
            .exclude(event__status=EventStatus.CANCELLED)
            .select_related("event")
            .prefetch_related("speakers")
            .distinct()
        )
        seen = set()
        for session in sessions:
            for other in others:
                if other.pk == session.pk or not (other.start < session.end and other.end > session.start):
                    continue
                for speaker in session.speakers.all():
                    if speaker in other.speakers.all():
                        pair = tuple(sorted((session.pk, other.pk))) + (speaker.pk,)
                        if pair in seen:
                            continue
                        seen.add(pair)
                        warnings.append(
                            _("%(speaker)s speaks in “%(a)s” and in “%(b)s” (%(event)s) at the same time.")
                            % {"speaker": speaker.name, "a": session.title, "b": other.title, "event": other.event.title}
                        )
    # Rooms smaller than the event's capacity.
    if event.room_id and event.room.capacity < event.capacity:
        warnings.append(
            _("Room “%(room)s” holds %(room_capacity)s people; the event takes %(capacity)s.")
            % {"room": event.room.name, "room_capacity": event.room.capacity, "capacity": event.capacity}
        )
    elif not event.room_id and event.venue_id and event.venue.capacity < event.capacity:
        warnings.append(
            _("Venue “%(venue)s” holds %(venue_capacity)s people; the event takes %(capacity)s.")
            % {"venue": event.venue.name, "venue_capacity": event.venue.capacity, "capacity": event.capacity}
        )
    for session in sessions:
        if session.room_id and session.room.capacity < event.capacity:
            warnings.append(
                _("Session “%(session)s” is in room “%(room)s”, which holds %(room_capacity)s of the %(capacity)s places.")
                % {"session": session.title, "room": session.room.name, "room_capacity": session.room.capacity,
                   "capacity": event.capacity}
            )
    # Outside the MoU's term.
    if event.mou_id:
        mou = event.mou
        start_day = timezone.localtime(event.start).date()
        end_day = timezone.localtime(event.end).date()
        if mou.effective_date and start_day < mou.effective_date:
            warnings.append(
                _("The event starts before MoU %(ref)s takes effect (%(date)s).") % {"ref": mou.reference, "date": mou.effective_date}
            )
        if mou.expiry_date and end_day > mou.expiry_date:
            warnings.append(
                _("The event ends after MoU %(ref)s expires (%(date)s).") % {"ref": mou.reference, "date": mou.expiry_date}
            )
        if mou.status in ("terminated", "expired"):
            warnings.append(_("MoU %(ref)s is %(status)s.") % {"ref": mou.reference, "status": mou.get_status_display()})
    if event.has_online_part and not event.meeting_link:
        warnings.append(_("The event is online or hybrid but has no meeting link yet."))
    return warnings


def event_summary(event: Event) -> dict:
    """Registered, waitlisted, attended; by organisation and by country; feedback results."""
    by_status = dict(
        Registration.objects.filter(event=event).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    active = Registration.objects.filter(event=event, status__in=[*HOLDS_PLACE_STATUSES, RegistrationStatus.WAITLISTED])
    by_org = list(
        active.values("organization_name")
        .annotate(
            registered=Count("pk", filter=Q(status__in=HOLDS_PLACE_STATUSES)),
            waitlisted=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
            attended=Count("pk", filter=Q(status=RegistrationStatus.ATTENDED)),
        )
        .order_by("-registered", "organization_name")
    )
    by_country = list(
        active.values("country")
        .annotate(
            registered=Count("pk", filter=Q(status__in=HOLDS_PLACE_STATUSES)),
            waitlisted=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
            attended=Count("pk", filter=Q(status=RegistrationStatus.ATTENDED)),
        )
        .order_by("-registered", "country")
    )
    feedback = Feedback.objects.filter(registration__event=event)
    stats = feedback.aggregate(count=Count("pk"), average=Avg("rating"))
    ratings = Counter(dict(feedback.values_list("rating").annotate(n=Count("pk")).values_list("rating", "n")))
    comments = list(
        feedback.exclude(comment="").select_related("registration").order_by("-created_at").values(
            "rating", "comment", "registration__name", "registration__organization_name"
        )[:200]
    )
    confirmed = by_status.get(RegistrationStatus.CONFIRMED, 0)
    attended = by_status.get(RegistrationStatus.ATTENDED, 0)
    return {
        "registered": confirmed + attended,
        "confirmed": confirmed,
        "waitlisted": by_status.get(RegistrationStatus.WAITLISTED, 0),
        "attended": attended,
        "pending": by_status.get(RegistrationStatus.PENDING, 0),
        "cancelled": by_status.get(RegistrationStatus.CANCELLED, 0),
        "expired": by_status.get(RegistrationStatus.EXPIRED, 0),
        "capacity": event.capacity,
        "by_organization": by_org,
        "by_country": by_country,
        "feedback_count": stats["count"],
        "feedback_average": stats["average"],
        "ratings": [(r, ratings.get(r, 0)) for r in range(5, 0, -1)],
        "comments": comments,
    }


def checkin_counts(event: Event) -> dict:
    counts = Registration.objects.filter(event=event).aggregate(
        attended=Count("pk", filter=Q(status=RegistrationStatus.ATTENDED)),
        expected=Count("pk", filter=Q(status__in=HOLDS_PLACE_STATUSES)),
    )
    return counts


def checkin_search(event: Event, q: str, limit: int = 20):
    """By check-in code (exact) or by name, e-mail or organisation; places first."""
    q = (q or "").strip()
    if not q:
        return Registration.objects.none()
    qs = Registration.objects.filter(event=event).exclude(status__in=[RegistrationStatus.EXPIRED])
    code = q.upper().replace(" ", "")
    matches = qs.filter(
        Q(check_in_code=code) | Q(name__icontains=q) | Q(email__icontains=q) | Q(organization_name__icontains=q)
    )
    return matches.order_by("name", "pk")[:limit]


def checkin_registration_get(event: Event, pk: int) -> Registration:
    try:
        return Registration.objects.get(event=event, pk=pk)
    except Registration.DoesNotExist as exc:
        raise Http404 from exc


def feedback_for(registration: Registration) -> Feedback | None:
    return Feedback.objects.filter(registration=registration).first()


def registrations_for_export(event_ids=None, *, viewer=None):
    qs = Registration.objects.select_related("event", "organization", "user").order_by("event__start", "event_id", "name")
    if event_ids is not None:
        qs = qs.filter(event_id__in=event_ids)
    return qs


def staff_event_get(pk) -> Event:
    try:
        return Event.objects.select_related("venue", "room", "mou").get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def suggest_event_slug(event: Event) -> str:
    """A free slug from the English title and the start date (``innovation-seminar-2025-03-04``)."""
    base = slugify(event.title_en or "")[:60].strip("-") or "event"
    if event.start:
        base = f"{base}-{event.start.astimezone(dt.UTC):%Y-%m-%d}"
    slug, n = base, 2
    while Event.objects.filter(slug=slug).exclude(pk=event.pk).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


# --- search (events/search.py) ------------------------------------------------------------------
def events_visible_to(user):
    """Events whose page ``user`` may open: all for staff allowed to view events; published, completed
    and cancelled ones for partners (as :func:`event_get_for`); none for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return Event.objects.none()
    if user.is_staff:
        return Event.objects.all() if user.has_perm("events.view_event") else Event.objects.none()
    return Event.objects.filter(status__in=PARTNER_VISIBLE_STATUSES)


def registrations_visible_to(user):
    """Registrations as the admin lists them: staff allowed to view registrations only (partners see
    their own on their own page, never in a search)."""
    if user.is_authenticated and user.is_active and user.is_staff and user.has_perm("events.view_registration"):
        return Registration.objects.all()
    return Registration.objects.none()


# --- public pages: filters, archive, feeds ---------------------------------------------------------
def public_events_filtered(*, past: bool = False, kind: str = "", topic: str = "", month=None, language: str = ""):
    """Public events for /events/ (upcoming, soonest first) or /events/archive/ (past, latest first),
    filtered by kind, topic, month (``(start, end)`` datetimes: events starting in it) and language
    (a title in that language). Cancelled and draft events are never listed."""
    now = timezone.now()
    qs = Event.objects.filter(is_public=True)
    if past:
        qs = qs.filter(status__in=[EventStatus.PUBLISHED, EventStatus.COMPLETED], end__lt=now)
    else:
        qs = qs.filter(status=EventStatus.PUBLISHED, end__gte=now)
    if kind:
        qs = qs.filter(kind=kind)
    if topic:
        qs = qs.filter(topics__contains=[topic])
    if month:
        qs = qs.filter(start__gte=month[0], start__lt=month[1])
    if language == "id":
        qs = qs.exclude(title_id="")
    elif language == "ko":
        qs = qs.exclude(title_ko="")
    qs = _with_counts(qs.select_related("venue"))
    return qs.order_by("-start", "-pk") if past else qs.order_by("start", "pk")


def public_presentations(event: Event):
    """The published presentation files of a public event (none for an event that is not public)."""
    from .models import Presentation

    if not event.is_public:
        return Presentation.objects.none()
    return Presentation.objects.filter(event=event, is_published=True).select_related("session").order_by("session__start", "title", "pk")


def public_presentation_get(slug: str, pk: int):
    """A published presentation file of a public, visible event; Http404 for anything else."""
    from .models import Presentation

    try:
        return Presentation.objects.select_related("event").get(
            pk=pk, event__slug=slug, is_published=True, event__is_public=True, event__status__in=PARTNER_VISIBLE_STATUSES,
        )
    except (Presentation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- partners as co-workers: proposals and co-organised events --------------------------------------
def proposals_for(user):
    """The proposals of the user's organisation (partners); none for anyone else."""
    from .models import EventProposal

    if not (user.is_authenticated and user.organization_id) or user.is_staff:
        return EventProposal.objects.none()
    return (
        EventProposal.objects.filter(organization_id=user.organization_id)
        .select_related("proposed_by", "event")
        .order_by("-created_at", "-pk")
    )


def proposal_get_for(user, pk: int):
    from .models import EventProposal

    try:
        return proposals_for(user).select_related("mou", "commitment", "decided_by").get(pk=pk)
    except (EventProposal.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def coorganised_events_for(user):
    """Events the user's organisation co-organises (every status), with their counts."""
    if not (user.is_authenticated and user.organization_id) or user.is_staff:
        return Event.objects.none()
    return _with_counts(Event.objects.filter(organizers=user.organization_id).select_related("venue")).order_by("-start", "-pk")


def managed_event_get(user, pk: int, *, agenda: bool = True) -> Event:
    """An event the user's organisation co-organises, with counts (and agenda, organisers); else Http404."""
    qs = _with_counts(Event.objects.filter(organizers=user.organization_id).select_related("venue", "room"))
    qs = qs.annotate(
        attended_count=_registration_count([RegistrationStatus.ATTENDED]),
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
    if not (user.is_authenticated and user.is_active and not user.is_staff and user.organization_id):
        raise Http404
    try:
        return qs.get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


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



def place_pools(event: Event) -> list[dict]:
    """Per pool (a hybrid event: on site and online), places taken of its capacity: one query."""
    from .models import Attendance

    if not event.is_hybrid:
        return []
    counts = Registration.objects.filter(event=event, status__in=HOLDS_PLACE_STATUSES).aggregate(
        on_site=Count("pk", filter=Q(attendance=Attendance.ON_SITE)),
        online=Count("pk", filter=Q(attendance=Attendance.ONLINE)),
    )
    pools = []
    for attendance, label in Attendance.choices:
        capacity = event.capacity_for(attendance)
        pools.append({"attendance": attendance, "label": label, "taken": counts[attendance], "capacity": capacity,
                      "full": counts[attendance] >= capacity})
    return pools


# --- delegations ------------------------------------------------------------------------------------
def delegations_for(user):
    """The delegations of the user's organisation (partners only)."""
    from .models import Delegation

    if not (user.is_authenticated and user.is_active and user.organization_id) or user.is_staff:
        return Delegation.objects.none()
    return Delegation.objects.filter(organization_id=user.organization_id).select_related("event").order_by("-created_at", "-pk")


def delegation_get_for(user, pk: int):
    """A delegation of the user's organisation, members and their places loaded; else Http404."""
    from .models import Delegation, DelegationMember

    members = Prefetch(
        "members",
        queryset=DelegationMember.objects.select_related("registration").prefetch_related("registration__issued_documents")
        .order_by("pk"),
    )
    try:
        return delegations_for(user).select_related("event__venue", "organization", "administrator").prefetch_related(
            members).get(pk=pk)
    except (Delegation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- letters and certificates ---------------------------------------------------------------------------
def document_by_code(code: str):
    """An issued letter or certificate by its verification code; Http404 for anything else."""
    from .models import IssuedDocument

    if not code or len(code) > 32:
        raise Http404
    try:
        return IssuedDocument.objects.select_related("registration__event__venue").get(code=code)
    except IssuedDocument.DoesNotExist as exc:
        raise Http404 from exc


def letter_get_for(user, *, delegation_id: int, member_id: int):
    """The visa letter of a member of the user's organisation's delegation; Http404 otherwise (and
    for anyone who may not see passport data)."""
    from . import permissions
    from .models import DelegationMember, DocumentKind, IssuedDocument

    delegation = delegation_get_for(user, delegation_id)
    if not permissions.can_see_passport(user, delegation):
        raise Http404
    try:
        member = DelegationMember.objects.get(pk=member_id, delegation=delegation)
        return IssuedDocument.objects.select_related(
            "registration__event__venue", "registration__delegation_member__delegation__organization"
        ).get(kind=DocumentKind.VISA_LETTER, registration_id=member.registration_id)
    except (DelegationMember.DoesNotExist, IssuedDocument.DoesNotExist) as exc:
        raise Http404 from exc


# --- API ----------------------------------------------------------------------------------------
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
