"""Registrations (a portal user's or a guest's place at an event), feedback after the event, and
the private calendar-feed tokens. One active registration per person per event (partial unique on
user and on lower(email)); confirmed registrations never exceed capacity, because the services
that confirm take a row lock on the event first.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.history import HistoricalRecords
from kitb_portal.common.models import TimeStampedModel, choices_check
from kitb_portal.search.documents import SIMPLE, document, document_index, search_field, trigram_index

from .common import LANGUAGES
from .events import Attendance, Event

# Check-in codes: six characters without look-alikes (0/O, 1/I/L).
CHECK_IN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECK_IN_CODE_LENGTH = 6


def new_check_in_code() -> str:
    return "".join(secrets.choice(CHECK_IN_ALPHABET) for _i in range(CHECK_IN_CODE_LENGTH))


def new_token() -> str:
    return secrets.token_urlsafe(32)


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting e-mail confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    EXPIRED = "expired", _("Lapsed (not confirmed)")


ACTIVE_REGISTRATION_STATUSES = ["pending", "confirmed", "waitlisted", "attended"]
HOLDS_PLACE_STATUSES = ["confirmed", "attended"]

# What the search indexes (kitb_portal.search.documents): stored as the registration's search_document.
REGISTRATION_SEARCH_DOCUMENT = document(
    ("name", SIMPLE, "A"), ("email", SIMPLE, "B"), ("organization_name", SIMPLE, "B"), ("check_in_code", SIMPLE, "A"),
)


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
            # the rest of the admin's search fields (IndexedSearchMixin)
            trigram_index("organization_name", name="registration_org_name_trgm_idx"),
            trigram_index("check_in_code", name="registration_code_trgm_idx"),
            # The admin's country filter "Other" (outside COUNTRY_CHOICES of admin_tools.filters, which
            # tests/events/test_admin_indexes.py holds equal): the few such rows, newest first, without
            # reading the 500,000 others for the count and the page (64 ms each at scale 100).
            models.Index(fields=["-created_at", "-id"], name="registration_other_country_idx",
                         condition=~models.Q(country__in=["ID", "KR"])),
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
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="feedback_newest_first"),  # the changelist's order
            trigram_index("comment", name="feedback_comment_trgm_idx"),  # the admin's search (IndexedSearchMixin)
        ]
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
