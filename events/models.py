"""Venues, events (conferences, seminars, workshops), agenda, speakers, registrations, feedback.

Invariants the database keeps (the forms only make the messages friendly):

* two non-cancelled events never overlap in the same venue (exclusion constraint, btree_gist);
* one active registration per person per event (partial unique on user and on lower(email));
* end after start, registration closes before the event ends, ratings 1–5, statuses valid.

Confirmed registrations never exceed capacity: ``services.registration_create`` and the other
services that confirm take a row lock on the event first.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kitb_portal.accounts.models import TIME_ZONE_CHOICES
from kitb_portal.common.models import TimeStampedModel, choices_check
from kitb_portal.search.documents import ENGLISH, INDONESIAN, SIMPLE, document, document_index, search_field, trigram_index

# Check-in codes: six characters without look-alikes (0/O, 1/I/L).
CHECK_IN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECK_IN_CODE_LENGTH = 6
OVERLAP_CODE = "event_overlap"


def new_check_in_code() -> str:
    return "".join(secrets.choice(CHECK_IN_ALPHABET) for _i in range(CHECK_IN_CODE_LENGTH))


def new_token() -> str:
    return secrets.token_urlsafe(32)


class TsTzRange(models.Func):
    """``tstzrange(start, end, '[)')``: the half-open time an event occupies."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


# --- choices ----------------------------------------------------------------------------------
class EventKind(models.TextChoices):
    CONFERENCE = "conference", _("Conference")
    SEMINAR = "seminar", _("Seminar")
    WORKSHOP = "workshop", _("Workshop")


class Topic(models.TextChoices):
    INNOVATION = "innovation", _("Innovation")
    STARTUPS = "startups", _("Startups")
    ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship")
    INVESTMENT = "investment", _("Investment")
    MSME = "msme", _("MSME (UMKM)")
    INTERNATIONALISATION = "internationalisation", _("Internationalisation")


class EventMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class Attendance(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    ONLINE = "online", _("Online")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting e-mail confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    EXPIRED = "expired", _("Lapsed (not confirmed)")


ACTIVE_REGISTRATION_STATUSES = ["pending", "confirmed", "waitlisted", "attended"]
HOLDS_PLACE_STATUSES = ["confirmed", "attended"]

LANGUAGES = ("id", "ko", "en")

# What the search indexes (kitb_portal.search.documents): stored as each model's search_document.
EVENT_SEARCH_DOCUMENT = document(
    ("title_en", ENGLISH, "A"), ("title_id", INDONESIAN, "A"), ("title_ko", SIMPLE, "A"),
    ("description_en", ENGLISH, "C"), ("description_id", INDONESIAN, "C"), ("description_ko", SIMPLE, "C"),
)
SESSION_SEARCH_DOCUMENT = document(
    ("title", ENGLISH, "A"), ("title", INDONESIAN, "A"), ("description", ENGLISH, "C"), ("description", INDONESIAN, "C"),
)
SPEAKER_SEARCH_DOCUMENT = document(("name", SIMPLE, "A"), ("organization_name", SIMPLE, "B"), ("bio", ENGLISH, "D"))
REGISTRATION_SEARCH_DOCUMENT = document(
    ("name", SIMPLE, "A"), ("email", SIMPLE, "B"), ("organization_name", SIMPLE, "B"), ("check_in_code", SIMPLE, "A"),
)


def _in_language(values: dict[str, str]) -> str:
    """The value in the active language, falling back to English, then the others."""
    lang = (get_language() or "en")[:2]
    return values.get(lang) or values.get("en") or values.get("id") or values.get("ko") or ""


# --- venues -----------------------------------------------------------------------------------
class Venue(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 two-letter code, e.g. ID or KR."))
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Asia/Jakarta")
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("People the venue holds."))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["country", "city", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "city"], name="venue_unique_name_city"),
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="venue_capacity_positive"),
            models.CheckConstraint(condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="venue_country_iso2"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"


class Room(TimeStampedModel):
    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"))

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["venue", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="room_unique_name_per_venue"),
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.venue.name})"


class Speaker(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    organization_name = models.CharField(_("organisation"), max_length=200, blank=True)
    bio = models.TextField(_("short bio (English)"), blank=True, max_length=1500)
    bio_id = models.TextField(_("short bio (Indonesian)"), blank=True, default="", max_length=1500)
    bio_ko = models.TextField(_("short bio (Korean)"), blank=True, default="", max_length=1500)

    @property
    def localized_bio(self) -> str:
        return _in_language({"id": self.bio_id, "ko": self.bio_ko, "en": self.bio})
    search_document = search_field(SPEAKER_SEARCH_DOCUMENT)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "organization_name"], name="speaker_unique_name_org")]
        indexes = [
            document_index(name="speaker_search_idx"),
            trigram_index("name", name="speaker_name_trgm_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization_name})" if self.organization_name else self.name


# --- events -----------------------------------------------------------------------------------
class Event(TimeStampedModel):
    Kind = EventKind
    Mode = EventMode
    Status = EventStatus
    Topic = Topic

    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices, default=EventKind.SEMINAR)
    title_id = models.CharField(_("title (Indonesian)"), max_length=200, blank=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_ko = models.TextField(_("description (Korean)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    slug = models.SlugField(_("web address"), max_length=80, unique=True, help_text=_("Used in the public page's address."))
    topics = ArrayField(
        models.CharField(max_length=24, choices=Topic.choices), verbose_name=_("topics"), default=list, blank=True
    )
    organizers = models.ManyToManyField(
        "accounts.Organization", verbose_name=_("organising organisations"), related_name="organized_events", blank=True
    )
    mode = models.CharField(_("mode"), max_length=8, choices=EventMode.choices, default=EventMode.ON_SITE)
    meeting_link = models.URLField(
        _("meeting link"), blank=True, max_length=500, help_text=_("Shown only to people with a confirmed place.")
    )
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="events", null=True, blank=True
    )
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="events", null=True, blank=True
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    capacity = models.PositiveIntegerField(
        _("capacity"), help_text=_("Confirmed places (on site, for a hybrid event); past it people are waitlisted.")
    )
    online_capacity = models.PositiveIntegerField(
        _("online capacity"), null=True, blank=True,
        help_text=_("Hybrid events: the online places, with a waitlist of their own. Empty: as many as on site."),
    )
    registration_opens = models.DateTimeField(
        _("registration opens"), null=True, blank=True, help_text=_("Empty: as soon as the event is published.")
    )
    registration_closes = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: when the event starts.")
    )
    status = models.CharField(_("status"), max_length=16, choices=EventStatus.choices, default=EventStatus.DRAFT, db_index=True)
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Guests without an account may register on the public page.")
    )
    sequence = models.PositiveIntegerField(_("calendar revision"), default=0, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancellation_reason = models.TextField(_("cancellation reason"), blank=True)
    mou = models.ForeignKey(
        "partnerships.MoU", verbose_name=_("MoU"), on_delete=models.PROTECT, null=True, blank=True, related_name="events",
        help_text=_("The MoU this event is held under."),
    )
    commitment = models.ForeignKey(
        "partnerships.Commitment", verbose_name=_("commitment it fulfils"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="events",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )

    search_document = search_field(EVENT_SEARCH_DOCUMENT)

    history = HistoricalRecords(excluded_fields=["updated_at", "search_document"], m2m_fields=[organizers])

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["status", "start"], name="event_status_start_idx"),
            # the admin list's order (start, id) and its year filter's MIN/MAX, without sorting every event
            models.Index(fields=["start", "id"], name="event_start_id_idx"),
            # the portal list's count of upcoming published events reads only this index
            models.Index(fields=["end"], condition=models.Q(status="published"), name="event_published_end_idx"),
            document_index(name="event_search_idx"),
            trigram_index("title_ko", name="event_title_ko_trgm_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=choices_check("kind", EventKind), name="event_kind_valid"),
            models.CheckConstraint(condition=choices_check("mode", EventMode), name="event_mode_valid"),
            models.CheckConstraint(condition=choices_check("status", EventStatus), name="event_status_valid"),
            models.CheckConstraint(
                condition=models.Q(topics__contained_by=[v for v, _l in Topic.choices]), name="event_topics_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="event_end_after_start",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(registration_closes__isnull=True) | models.Q(registration_closes__lte=models.F("end")),
                name="event_registration_closes_before_end",
                violation_error_message=_("Registration must close before the event ends."),
            ),
            models.CheckConstraint(
                condition=models.Q(registration_opens__isnull=True)
                | models.Q(registration_closes__isnull=True)
                | models.Q(registration_opens__lt=models.F("registration_closes")),
                name="event_registration_opens_before_closes",
                violation_error_message=_("Registration must open before it closes."),
            ),
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=models.Q(online_capacity__isnull=True) | models.Q(online_capacity__gt=0),
                name="event_online_capacity_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(mode="online") | models.Q(venue__isnull=False), name="event_onsite_has_venue",
                violation_error_message=_("An on-site or hybrid event needs a venue."),
            ),
            models.CheckConstraint(
                condition=models.Q(room__isnull=True) | models.Q(venue__isnull=False), name="event_room_needs_venue"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | models.Q(cancelled_at__isnull=False), name="event_cancelled_has_time"
            ),
            models.CheckConstraint(condition=~models.Q(slug=""), name="event_slug_not_empty"),
            ExclusionConstraint(
                name="event_no_venue_overlap",
                expressions=[
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("venue", RangeOperators.EQUAL),
                ],
                condition=~models.Q(status="cancelled"),
                violation_error_code=OVERLAP_CODE,
                violation_error_message=_("Another event is booked at this venue at that time."),
            ),
        ]

    def __str__(self) -> str:
        return self.title_en

    # --- text in the viewer's language ----------------------------------------------------------
    @property
    def title(self) -> str:
        return _in_language({"id": self.title_id, "ko": self.title_ko, "en": self.title_en})

    @property
    def description(self) -> str:
        return _in_language({"id": self.description_id, "ko": self.description_ko, "en": self.description_en})

    def get_topics_display(self) -> list[str]:
        labels = dict(Topic.choices)
        return [str(labels.get(t, t)) for t in self.topics]

    # --- time ---------------------------------------------------------------------------------------
    @property
    def time_zone(self) -> str:
        """The zone the event is held in (its venue's; online events: WIB)."""
        return self.venue.time_zone if self.venue_id else "Asia/Jakarta"

    @property
    def effective_registration_closes(self):
        return self.registration_closes or self.start

    def registration_open_at(self, when=None) -> bool:
        when = when or timezone.now()
        if self.status != EventStatus.PUBLISHED:
            return False
        if self.registration_opens and when < self.registration_opens:
            return False
        return when < self.effective_registration_closes

    @property
    def is_past(self) -> bool:
        return self.end <= timezone.now()

    @property
    def has_online_part(self) -> bool:
        return self.mode in (EventMode.ONLINE, EventMode.HYBRID)

    @property
    def is_hybrid(self) -> bool:
        return self.mode == EventMode.HYBRID

    def attendance_for(self, requested: str | None) -> str:
        """How a registrant attends: their choice at a hybrid event, else the event's only way."""
        if self.mode == EventMode.ONLINE:
            return Attendance.ONLINE
        if self.mode == EventMode.HYBRID and requested == Attendance.ONLINE:
            return Attendance.ONLINE
        return Attendance.ON_SITE

    @property
    def total_capacity(self) -> int:
        """Every place: a hybrid event's on-site and online places together."""
        if self.mode == EventMode.HYBRID:
            return self.capacity + (self.online_capacity or self.capacity)
        return self.capacity

    def capacity_for(self, attendance: str) -> int:
        """The places of one pool: a hybrid event's online places are counted apart from its on-site ones."""
        if self.mode == EventMode.HYBRID and attendance == Attendance.ONLINE:
            return self.online_capacity or self.capacity
        return self.capacity

    # --- validation ---------------------------------------------------------------------------------
    def clean(self):
        errors = {}
        if self.room_id and self.venue_id and self.room.venue_id != self.venue_id:
            errors["room"] = _("This room belongs to another venue.")
        if self.mode in (EventMode.ONLINE, EventMode.HYBRID) and not self.meeting_link and self.status == EventStatus.PUBLISHED:
            errors["meeting_link"] = _("An online or hybrid event needs a meeting link before it is published.")
        if self.commitment_id:
            if not self.mou_id:
                self.mou_id = self.commitment.mou_id
            elif self.commitment.mou_id != self.mou_id:
                errors["commitment"] = _("This commitment belongs to another MoU.")
        if self.start and self.end and self.registration_closes and self.registration_closes > self.end:
            errors["registration_closes"] = _("Registration must close before the event ends.")
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        """As Django's, but the overlap error names the event in the way.

        ``status`` is never left out: the overlap constraint's condition reads it, and the instance
        always has one (the admin form shows it read-only).
        """
        if exclude:
            exclude = set(exclude) - {"status"}
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            error_dict = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
            non_field = error_dict.get(NON_FIELD_ERRORS, [])
            if any(getattr(e, "code", None) == OVERLAP_CODE for e in non_field):
                named = overlap_error(self)
                error_dict[NON_FIELD_ERRORS] = [e for e in non_field if getattr(e, "code", None) != OVERLAP_CODE] + (
                    named.error_list
                )
                if not error_dict[NON_FIELD_ERRORS]:
                    del error_dict[NON_FIELD_ERRORS]
            raise ValidationError(error_dict) from exc


def overlapping_events(*, venue_id, start, end, exclude_pk=None):
    """Non-cancelled events at ``venue_id`` whose time overlaps [start, end)."""
    if not (venue_id and start and end):
        return Event.objects.none()
    qs = Event.objects.filter(venue_id=venue_id, start__lt=end, end__gt=start).exclude(status=EventStatus.CANCELLED)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("start")


def overlap_error(event: Event) -> ValidationError:
    """A ValidationError naming the events that occupy ``event``'s venue at its time."""
    from django.utils.formats import date_format
    from django.utils.text import format_lazy

    others = list(overlapping_events(venue_id=event.venue_id, start=event.start, end=event.end, exclude_pk=event.pk)[:3])
    if not others:
        return ValidationError(_("Another event is booked at this venue at that time."), code=OVERLAP_CODE)
    names = "; ".join(
        f"“{o.title}” ({date_format(timezone.localtime(o.start), 'SHORT_DATETIME_FORMAT')} – "
        f"{date_format(timezone.localtime(o.end), 'SHORT_DATETIME_FORMAT')})"
        for o in others
    )
    return ValidationError(
        format_lazy("{}: {}", _("The venue is already booked at that time by"), names), code=OVERLAP_CODE
    )


class Session(TimeStampedModel):
    """One item of an event's agenda; lies inside its event's time."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title (English)"), max_length=200)
    title_id = models.CharField(_("title (Indonesian)"), max_length=200, blank=True, default="")
    title_ko = models.CharField(_("title (Korean)"), max_length=200, blank=True, default="")
    description = models.TextField(_("description"), blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    language = models.CharField(
        _("language spoken"), max_length=2, choices=[("id", _("Indonesian")), ("ko", _("Korean")), ("en", _("English"))],
        default="en", blank=True, help_text=_("Empty: English."),
    )
    interpretation = models.BooleanField(_("interpretation offered"), default=False)
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, null=True, blank=True, related_name="sessions")
    speakers = models.ManyToManyField(Speaker, verbose_name=_("speakers"), related_name="sessions", blank=True)
    search_document = search_field(SESSION_SEARCH_DOCUMENT)

    class Meta:
        verbose_name = _("agenda session")
        verbose_name_plural = _("agenda")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["event", "start"], name="session_event_start_idx"),
            document_index(name="session_search_idx"),
            trigram_index("title", name="session_title_trgm_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="session_end_after_start",
                violation_error_message=_("A session must end after it starts."),
            ),
            models.CheckConstraint(condition=models.Q(language__in=LANGUAGES), name="session_language_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def localized_title(self) -> str:
        return _in_language({"id": self.title_id, "ko": self.title_ko, "en": self.title})

    def clean(self):
        errors = {}
        if not self.language:
            self.language = "en"
        try:
            event = self.event  # in an admin inline, the (maybe unsaved) event being edited
        except Event.DoesNotExist:
            event = None
        if event is not None and self.start and self.end and event.start and event.end:
            if self.start < event.start or self.end > event.end:
                errors["start"] = _("A session must lie inside its event's time.")
            if self.room_id and event.venue_id and self.room.venue_id != event.venue_id:
                errors["room"] = _("This room belongs to another venue.")
        if errors:
            raise ValidationError(errors)


# --- registrations ----------------------------------------------------------------------------
class Registration(TimeStampedModel):
    """A person's place at an event: a portal user, or a guest (name, e-mail, organisation)."""

    Status = RegistrationStatus

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="event_registrations",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organisation"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="event_registrations",
    )
    organization_name = models.CharField(_("organisation"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    language = models.CharField(_("language"), max_length=2, default="en")
    attendance = models.CharField(
        _("attends"), max_length=8, choices=Attendance.choices, default=Attendance.ON_SITE,
        help_text=_("On site or online (hybrid events: each has its own places and waitlist)."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.CONFIRMED, db_index=True
    )
    waitlist_position = models.PositiveIntegerField(_("waitlist position"), null=True, blank=True, editable=False)
    check_in_code = models.CharField(_("check-in code"), max_length=12, default=new_check_in_code, editable=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked in by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )
    token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("unconfirmed place lapses at"), null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    reminded_7d_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_1d_at = models.DateTimeField(null=True, blank=True, editable=False)
    thanked_at = models.DateTimeField(null=True, blank=True, editable=False)

    search_document = search_field(REGISTRATION_SEARCH_DOCUMENT)

    history = HistoricalRecords(excluded_fields=["updated_at", "token", "search_document"])

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "id"]
        indexes = [
            models.Index(fields=["event", "status"], name="registration_event_status_idx"),
            document_index(name="registration_search_idx"),
            trigram_index("name", name="registration_name_trgm_idx"),
            trigram_index("email", name="registration_email_trgm_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=choices_check("status", RegistrationStatus), name="registration_status_valid"),
            models.CheckConstraint(
                condition=models.Q(language__in=LANGUAGES), name="registration_language_valid"
            ),
            models.CheckConstraint(condition=~models.Q(email=""), name="registration_email_not_empty"),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(token__isnull=False), name="registration_user_or_guest"
            ),
            models.CheckConstraint(
                condition=(models.Q(status="waitlisted") & models.Q(waitlist_position__isnull=False))
                | (~models.Q(status="waitlisted") & models.Q(waitlist_position__isnull=True)),
                name="registration_waitlist_has_position",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="pending") | models.Q(expires_at__isnull=False), name="registration_pending_expires"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="attended") | models.Q(checked_in_at__isnull=False),
                name="registration_attended_checked_in",
            ),
            models.UniqueConstraint(
                fields=["event", "user"], condition=models.Q(user__isnull=False, status__in=ACTIVE_REGISTRATION_STATUSES),
                name="registration_one_per_user",
                violation_error_message=_("This person is already registered for this event."),
            ),
            models.UniqueConstraint(
                "event", Lower("email"), condition=models.Q(status__in=ACTIVE_REGISTRATION_STATUSES),
                name="registration_one_per_email",
                violation_error_message=_("This e-mail address is already registered for this event."),
            ),
            models.UniqueConstraint(fields=["event", "check_in_code"], name="registration_unique_code"),
            models.UniqueConstraint(
                fields=["event", "attendance", "waitlist_position"], condition=models.Q(waitlist_position__isnull=False),
                name="registration_unique_waitlist_position",
            ),
            models.CheckConstraint(condition=choices_check("attendance", Attendance), name="registration_attendance_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.event}"

    @property
    def is_guest(self) -> bool:
        return self.user_id is None

    @property
    def holds_place(self) -> bool:
        return self.status in HOLDS_PLACE_STATUSES

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_REGISTRATION_STATUSES

    @property
    def attends_online(self) -> bool:
        return self.attendance == Attendance.ONLINE


class Feedback(TimeStampedModel):
    """An attendee's rating (1–5) and comment after the event."""

    registration = models.OneToOneField(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(_("rating"), help_text=_("1 (poor) to 5 (excellent)."))
    comment = models.TextField(_("comment"), blank=True, max_length=3000)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="feedback_newest_first")]  # the changelist's order
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.rating}/5"


class CalendarFeed(TimeStampedModel):
    """A user's private calendar-feed token; resetting it replaces the token (the old URL stops working)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="event_calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [models.CheckConstraint(condition=models.Q(token__regex=r"^[A-Za-z0-9_-]{32,64}$"), name="calendarfeed_token_shape")]

    def __str__(self) -> str:
        return str(self.user)


# --- co-organised events: proposals from partner organisations ----------------------------------
class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class EventProposal(TimeStampedModel):
    """A partner organisation proposes an event it would co-organise; KITB's events officer accepts it
    (it becomes a draft event with the organisation as co-organiser), asks for changes, or declines."""

    Status = ProposalStatus

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="event_proposals"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="event_proposals",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices, default=EventKind.SEMINAR)
    title_id = models.CharField(_("title (Indonesian)"), max_length=200, blank=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_ko = models.TextField(_("description (Korean)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    preferred_start = models.DateTimeField(_("preferred start"))
    preferred_end = models.DateTimeField(_("preferred end"))
    mode = models.CharField(_("format"), max_length=8, choices=EventMode.choices, default=EventMode.ON_SITE)
    expected_audience = models.PositiveIntegerField(_("expected audience"), help_text=_("How many people you expect."))
    audience_description = models.CharField(_("who the audience is"), max_length=300, blank=True)
    mou = models.ForeignKey(
        "partnerships.MoU", verbose_name=_("MoU"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="event_proposals",
    )
    commitment = models.ForeignKey(
        "partnerships.Commitment", verbose_name=_("commitment it serves"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="event_proposals",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED, db_index=True
    )
    decision_message = models.TextField(_("message with the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    event = models.OneToOneField(
        Event, verbose_name=_("event"), on_delete=models.SET_NULL, null=True, blank=True, related_name="proposal"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("event proposal")
        verbose_name_plural = _("event proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=choices_check("status", ProposalStatus), name="eventproposal_status_valid"),
            models.CheckConstraint(condition=choices_check("kind", EventKind), name="eventproposal_kind_valid"),
            models.CheckConstraint(condition=choices_check("mode", EventMode), name="eventproposal_mode_valid"),
            models.CheckConstraint(
                condition=models.Q(preferred_end__gt=models.F("preferred_start")), name="eventproposal_end_after_start",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(condition=models.Q(expected_audience__gt=0), name="eventproposal_audience_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | models.Q(event__isnull=False), name="eventproposal_accepted_has_event"
            ),
            models.CheckConstraint(
                condition=models.Q(status="submitted") | ~models.Q(decision_message=""),
                name="eventproposal_decision_has_message",
            ),
        ]

    def __str__(self) -> str:
        return self.title_en

    @property
    def title(self) -> str:
        return _in_language({"id": self.title_id, "ko": self.title_ko, "en": self.title_en})

    @property
    def description(self) -> str:
        return _in_language({"id": self.description_id, "ko": self.description_ko, "en": self.description_en})

    @property
    def is_editable(self) -> bool:
        return self.status in (ProposalStatus.SUBMITTED, ProposalStatus.CHANGES_REQUESTED)

    def clean(self):
        errors = {}
        if self.preferred_start and self.preferred_end and self.preferred_end <= self.preferred_start:
            errors["preferred_end"] = _("The event must end after it starts.")
        if self.commitment_id:
            if not self.mou_id:
                self.mou_id = self.commitment.mou_id
            elif self.commitment.mou_id != self.mou_id:
                errors["commitment"] = _("This commitment belongs to another MoU.")
        if errors:
            raise ValidationError(errors)


class EventProposer(TimeStampedModel):
    """A partner user their organisation administrator authorised to propose and co-organise events."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="event_proposer"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("authorised by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("authorised event proposer")
        verbose_name_plural = _("authorised event proposers")

    def __str__(self) -> str:
        return str(self.user)


# --- delegations ------------------------------------------------------------------------------------
PASSPORT_NUMBER_RE = r"^[A-Z0-9]{6,9}$"


class Dietary(models.TextChoices):
    HALAL = "halal", _("Halal")
    VEGETARIAN = "vegetarian", _("Vegetarian")


class DelegationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")


class Delegation(TimeStampedModel):
    """A partner organisation's group at an event, registered in one go: its members fill places
    together (all confirmed or all waitlisted), or split only if the administrator allows it."""

    Status = DelegationStatus

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="delegations")
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="event_delegations"
    )
    administrator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("delegation administrator"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="event_delegations",
        help_text=_("The organisation administrator who registered it (empty: registered by KITB staff)."),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. Chungbuk Technopark delegation"))
    attendance = models.CharField(_("attends"), max_length=8, choices=Attendance.choices, default=Attendance.ON_SITE)
    split_allowed = models.BooleanField(
        _("may be split"), default=False,
        help_text=_("If the places left are too few, confirm as many as fit and waitlist the rest (otherwise all wait together)."),
    )
    language = models.CharField(_("language"), max_length=2, default="en")
    editable_until = models.DateTimeField(_("editable until"))
    status = models.CharField(_("status"), max_length=12, choices=DelegationStatus.choices, default=DelegationStatus.ACTIVE)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["event", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=choices_check("status", DelegationStatus), name="delegation_status_valid"),
            models.CheckConstraint(condition=choices_check("attendance", Attendance), name="delegation_attendance_valid"),
            models.CheckConstraint(condition=models.Q(language__in=LANGUAGES), name="delegation_language_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.event}"

    @property
    def is_editable(self) -> bool:
        return self.status == DelegationStatus.ACTIVE and timezone.now() < self.editable_until


class DelegationMember(TimeStampedModel):
    """One person of a delegation; their place is ``registration``. Passport data are seen only by the
    events officer and the delegation's administrator, appear in no export but the visa list, are not
    kept in the history, and are deleted ``EVENTS_PASSPORT_RETENTION_DAYS`` after the event."""

    delegation = models.ForeignKey(Delegation, verbose_name=_("delegation"), on_delete=models.CASCADE, related_name="members")
    registration = models.OneToOneField(
        Registration, verbose_name=_("registration"), on_delete=models.PROTECT, related_name="delegation_member"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"))
    passport_name = models.CharField(_("name as in the passport"), max_length=200, blank=True)
    passport_number = models.CharField(_("passport number"), max_length=9, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True, help_text=_("ISO 3166 two-letter code, e.g. KR."))
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    passport_purged_at = models.DateTimeField(_("passport data deleted at"), null=True, blank=True, editable=False)
    dietary = ArrayField(
        models.CharField(max_length=16, choices=Dietary.choices), verbose_name=_("dietary needs"), default=list, blank=True
    )
    allergies = models.CharField(_("allergies"), max_length=300, blank=True)
    accessibility = models.CharField(_("accessibility needs"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delegation member")
        verbose_name_plural = _("delegation members")
        ordering = ["delegation", "id"]
        permissions = [("view_passport_data", "Can see delegation members' passport data and the visa list")]
        constraints = [
            models.UniqueConstraint("delegation", Lower("email"), name="delegationmember_unique_email",
                                    violation_error_message=_("This person is already in the delegation.")),
            models.UniqueConstraint(
                fields=["delegation", "passport_number"], condition=~models.Q(passport_number=""),
                name="delegationmember_unique_passport",
                violation_error_message=_("This passport number is already in the delegation."),
            ),
            models.CheckConstraint(
                condition=models.Q(passport_number="") | models.Q(passport_number__regex=PASSPORT_NUMBER_RE),
                name="delegationmember_passport_format",
            ),
            models.CheckConstraint(
                condition=models.Q(nationality="") | models.Q(nationality__regex=r"^[A-Z]{2}$"),
                name="delegationmember_nationality_iso2",
            ),
            models.CheckConstraint(
                condition=models.Q(dietary__contained_by=[v for v, _l in Dietary.choices]), name="delegationmember_dietary_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self):
        errors = {}
        if self.passport_number:
            import re

            self.passport_number = self.passport_number.strip().upper().replace(" ", "")
            if not re.match(PASSPORT_NUMBER_RE, self.passport_number):
                errors["passport_number"] = _("A passport number is 6 to 9 letters and digits, e.g. M12345678.")
        if self.nationality:
            self.nationality = self.nationality.strip().upper()
        if self.date_of_birth and self.date_of_birth >= timezone.localdate():
            errors["date_of_birth"] = _("The date of birth must be in the past.")
        if errors:
            raise ValidationError(errors)


# --- letters and certificates -----------------------------------------------------------------------
def new_verification_code() -> str:
    """A code that cannot be guessed (128 bits), in the public verification URL."""
    return secrets.token_urlsafe(16)


class DocumentKind(models.TextChoices):
    VISA_LETTER = "visa_letter", _("Visa invitation letter")
    CERTIFICATE = "certificate", _("Certificate of attendance")


class IssuedDocument(TimeStampedModel):
    """A letter or certificate KITB issued; its code proves it genuine at a public URL (name, event,
    dates; nothing else). The PDF is drawn from this record each time it is downloaded."""

    Kind = DocumentKind

    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    code = models.CharField(_("verification code"), max_length=32, unique=True, default=new_verification_code, editable=False)
    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.PROTECT, related_name="issued_documents"
    )
    holder_name = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language"), max_length=2, default="en")
    signer_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("issued letter or certificate")
        verbose_name_plural = _("issued letters and certificates")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=choices_check("kind", DocumentKind), name="issueddocument_kind_valid"),
            models.UniqueConstraint(fields=["kind", "registration"], name="issueddocument_one_per_registration"),
            models.CheckConstraint(condition=models.Q(language__in=LANGUAGES), name="issueddocument_language_valid"),
            models.CheckConstraint(
                condition=~models.Q(kind="visa_letter") | ~models.Q(signer_name=""), name="issueddocument_letter_signed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.holder_name}"


from .presentations import Presentation  # noqa: E402,F401  (the model lives beside its storage)
