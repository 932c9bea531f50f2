"""Delegations: a partner organisation's group at an event and its members (with passport data,
seen by few and deleted after the event)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.history import HistoricalRecords
from kitb_portal.common.models import TimeStampedModel, choices_check

from .common import LANGUAGES
from .events import Attendance, Event
from .registrations import Registration

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
