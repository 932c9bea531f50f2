"""Events (conferences, seminars, workshops), their choices, the venue-overlap rule, and the agenda
(sessions). Two non-cancelled events never overlap in the same venue: an exclusion constraint
(btree_gist), whose error ``Event.validate_constraints`` turns into one naming the event in the way.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeBoundary, RangeOperators
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.history import HistoricalRecords
from kitb_portal.common.models import TimeStampedModel, choices_check
from kitb_portal.search.documents import ENGLISH, INDONESIAN, SIMPLE, document, document_index, search_field, trigram_index

from .common import LANGUAGES, TitleInThreeLanguages, _in_language
from .venues import Room, Speaker, Venue

OVERLAP_CODE = "event_overlap"


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


# What the search indexes (kitb_portal.search.documents): stored as each model's search_document.
EVENT_SEARCH_DOCUMENT = document(
    ("title_en", ENGLISH, "A"), ("title_id", INDONESIAN, "A"), ("title_ko", SIMPLE, "A"),
    ("description_en", ENGLISH, "C"), ("description_id", INDONESIAN, "C"), ("description_ko", SIMPLE, "C"),
)
SESSION_SEARCH_DOCUMENT = document(
    ("title", ENGLISH, "A"), ("title", INDONESIAN, "A"), ("description", ENGLISH, "C"), ("description", INDONESIAN, "C"),
)


# --- events -----------------------------------------------------------------------------------
class Event(TitleInThreeLanguages, TimeStampedModel):
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
            # the lists by status in order of start, and the staff dashboard's events per quarter and kind
            # from this index alone (it read 2,700 blocks of event rows for their kind: 11 -> 4 ms)
            models.Index(fields=["status", "start"], include=["kind", "id"], name="event_status_start_cover_idx"),
            # the admin list's order (start, id) and its year filter's MIN/MAX, without sorting every event
            models.Index(fields=["start", "id"], name="event_start_id_idx"),
            # the portal list's count of upcoming published events reads only this index
            models.Index(fields=["end"], condition=models.Q(status="published"), name="event_published_end_idx"),
            # and its pages in order, and its count of the upcoming ones of a kind, mode or topic, from
            # this index alone (a count of one kind read 4,000 event rows: 4.7 ms)
            models.Index(
                fields=["start", "id"], include=["end", "kind", "mode", "topics"], condition=models.Q(status="published"),
                name="event_published_start_idx",
            ),
            # the same for the public list (a fifth of the published events; its count read every
            # upcoming event's row for is_public: 10 ms at 8,000)
            models.Index(
                fields=["start", "id"], include=["end", "kind", "mode", "topics"],
                condition=models.Q(status="published", is_public=True),
                name="event_public_start_idx",
            ),
            document_index(name="event_search_idx"),
            trigram_index("title_ko", name="event_title_ko_trgm_idx"),
            # the admin's search (IndexedSearchMixin) and the registrations' search by event title
            trigram_index("title_en", name="event_title_en_trgm_idx"),
            trigram_index("title_id", name="event_title_id_trgm_idx"),
            trigram_index("slug", name="event_slug_trgm_idx"),
            # the topic filters of the portal's lists and the admin (topics @> ARRAY[topic])
            GinIndex(fields=["topics"], name="event_topics_gin_idx"),
            # the admin list's filters by kind, mode and public: their count (up to 10,001 matches) read
            # the whole table, wide rows and all (27-39 ms at 50,000 events); from these, about 1 ms
            models.Index(fields=["kind"], name="event_kind_idx"),
            models.Index(fields=["mode"], name="event_mode_idx"),
            models.Index(fields=["is_public"], name="event_is_public_idx"),
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
