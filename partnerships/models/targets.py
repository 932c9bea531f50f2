"""An MoU's measurable targets per period, and what the daily sweep last measured for them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.history import HistoricalRecords
from kitb_portal.common.models import TimeStampedModel, choices_check

from .mous import MoU, MoUParty


class TargetKind(models.TextChoices):
    """What a target measures. Every kind but ``manual`` is counted from linked records by the
    review pack's sections (``REVIEW_SECTIONS``); ``manual`` is judged by hand."""

    EVENTS_HELD = "events_held", _("Joint events held")
    PARTNER_ATTENDEES = "partner_attendees", _("Attendees from the partner's country")
    COMPANIES_REFERRED = "companies_referred", _("Companies referred")
    APPLICATIONS_APPROVED = "applications_approved", _("Applications approved")
    INVESTMENT_PLANNED = "investment_planned", _("Investment planned (USD)")
    INVESTMENT_REALISED = "investment_realised", _("Investment realised (USD)")
    JOBS = "jobs", _("Jobs planned by approved companies")
    LAND_ALLOCATED = "land_allocated", _("Land allocated (ha)")
    COMMITMENTS_ON_TIME = "commitments_on_time", _("Commitments fulfilled on time")
    MANUAL = "manual", _("Other target (judged by hand)")


class TargetPeriod(models.TextChoices):
    CALENDAR_YEAR = "calendar", _("Calendar year")
    ANNIVERSARY_YEAR = "anniversary", _("MoU anniversary year")


class TargetStatus(models.TextChoices):
    MET = "met", _("Met")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")
    NOT_MEASURABLE = "not_measurable", _("Not measurable")


class MoUTarget(TimeStampedModel):
    """A measurable target of an MoU for one period (a calendar year or an anniversary year).

    ``last_status`` / ``last_actual`` are what the daily sweep last measured (the digest reads them);
    the review pack always measures afresh.
    """

    Kind = TargetKind
    Period = TargetPeriod

    mou = models.ForeignKey(MoU, verbose_name=_("MoU"), on_delete=models.CASCADE, related_name="targets")
    period_kind = models.CharField(_("period"), max_length=12, choices=TargetPeriod.choices, default=TargetPeriod.CALENDAR_YEAR)
    year = models.PositiveSmallIntegerField(
        _("year"), help_text=_("The calendar year, or the year in which the anniversary period starts."),
    )
    kind = models.CharField(_("kind of target"), max_length=24, choices=TargetKind.choices)
    event_kind = models.CharField(
        _("kind of event"), max_length=16, blank=True,
        help_text=_("For joint events: conference, seminar or workshop; empty counts every kind."),
    )
    country = models.CharField(
        _("attendees' country"), max_length=2, blank=True,
        help_text=_("For attendees: ISO 3166 two-letter code; empty means the partner's country (KR)."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True,
                                   help_text=_("Required for a target judged by hand."))
    target_value = models.DecimalField(_("number aimed at"), max_digits=18, decimal_places=2)
    owner_party = models.ForeignKey(
        MoUParty, verbose_name=_("owned by"), on_delete=models.PROTECT, null=True, blank=True, related_name="targets",
    )
    manual_actual = models.DecimalField(_("achieved (judged by hand)"), max_digits=18, decimal_places=2, null=True, blank=True)
    last_status = models.CharField(_("last measured status"), max_length=16, choices=TargetStatus.choices, blank=True, editable=False)
    last_actual = models.DecimalField(_("last measured value"), max_digits=20, decimal_places=2, null=True, blank=True, editable=False)
    evaluated_on = models.DateField(_("last measured on"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at", "last_status", "last_actual", "evaluated_on"])

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["mou", "year", "period_kind", "kind", "id"]
        constraints = [
            models.CheckConstraint(condition=choices_check("kind", TargetKind), name="moutarget_kind_valid"),
            models.CheckConstraint(condition=choices_check("period_kind", TargetPeriod), name="moutarget_period_valid"),
            models.CheckConstraint(
                condition=models.Q(last_status="") | models.Q(last_status__in=TargetStatus.values), name="moutarget_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(target_value__gte=0), name="moutarget_value_nonneg"),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="moutarget_year_range"),
            models.CheckConstraint(condition=models.Q(country="") | models.Q(country__regex=r"^[A-Z]{2}$"), name="moutarget_country_iso2"),
            models.CheckConstraint(
                condition=models.Q(event_kind__in=["", "conference", "seminar", "workshop"]), name="moutarget_event_kind_valid"
            ),
            models.CheckConstraint(condition=~models.Q(kind="manual") | ~models.Q(description=""), name="moutarget_manual_described"),
        ]
        indexes = [models.Index(fields=["year", "period_kind"], name="moutarget_period_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {self.target_value}"

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == TargetKind.MANUAL and not (self.description or "").strip():
            errors["description"] = _("Describe the target: it is judged by hand.")
        if self.event_kind and self.kind != TargetKind.EVENTS_HELD:
            errors["event_kind"] = _("The kind of event applies only to a joint-events target.")
        if self.country and self.kind != TargetKind.PARTNER_ATTENDEES:
            errors["country"] = _("The country applies only to an attendees target.")
        if self.country:
            self.country = self.country.upper()
        if self.manual_actual is not None and self.kind != TargetKind.MANUAL:
            errors["manual_actual"] = _("Only a target judged by hand takes its achieved value by hand.")
        if self.owner_party_id and self.mou_id and self.owner_party.mou_id != self.mou_id:
            errors["owner_party"] = _("The owner must be a party to this MoU.")
        if errors:
            raise ValidationError(errors)

    @property
    def measure_key(self) -> str:
        """The key of the measure the review sections compute for this target."""
        if self.kind == TargetKind.EVENTS_HELD and self.event_kind:
            return f"events_held:{self.event_kind}"
        if self.kind == TargetKind.PARTNER_ATTENDEES:
            return f"attendees:{self.country or 'KR'}"
        return self.kind
