"""Before the application: expressions of interest (a company's interest in a few fields, sent by
a partner), preferred plots, and site visits.

Invariants the database keeps: a preferred plot belongs to exactly one expression of interest or
application; a closed expression of interest has a reason, a converted one its application.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.history import HistoricalRecords
from kitb_portal.common.models import TimeStampedModel, choices_check

from .reference import CURRENCY_CHOICES, CURRENCY_CODES


class InterestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONVERTED = "converted", _("Turned into an application")
    CLOSED = "closed", _("Closed")


class ExpressionOfInterest(TimeStampedModel):
    """A company's interest in a few fields, sent by a partner before a full application; staff turn
    it into a draft application (prefilled) or close it with a reason."""

    Status = InterestStatus

    referrer = models.ForeignKey("accounts.Organization", verbose_name=_("referring organisation"), on_delete=models.PROTECT,
                                 related_name="expressions_of_interest")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    company_name = models.CharField(_("company name"), max_length=200)
    company_country = models.CharField(_("company country"), max_length=2, help_text=_("ISO 3166 two-letter code, e.g. KR."))
    sector = models.ForeignKey("tenants.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, related_name="+")
    investment_min = models.DecimalField(_("investment from"), max_digits=18, decimal_places=2, validators=[MinValueValidator(0)])
    investment_max = models.DecimalField(_("investment up to"), max_digits=18, decimal_places=2, validators=[MinValueValidator(0)])
    investment_currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="USD")
    land_ha = models.DecimalField(_("land needed (ha)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0.01)])
    timing = models.CharField(_("timing"), max_length=200, help_text=_("When the company wants to start, e.g. construction in 2026."))
    status = models.CharField(_("status"), max_length=10, choices=InterestStatus.choices, default=InterestStatus.OPEN, db_index=True)
    application = models.OneToOneField("tenants.Application", verbose_name=_("application"), on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="interest")
    closed_reason = models.TextField(_("reason for closing"), blank=True, help_text=_("Shown to the referrer."))
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=choices_check("status", InterestStatus), name="tenants_interest_status_valid"),
            models.CheckConstraint(condition=Q(investment_currency__in=CURRENCY_CODES), name="tenants_interest_currency_valid"),
            models.CheckConstraint(condition=Q(investment_min__gte=0) & Q(investment_max__gte=models.F("investment_min")),
                                   name="tenants_interest_range_valid"),
            models.CheckConstraint(condition=Q(land_ha__gt=0), name="tenants_interest_land_positive"),
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(closed_reason=""), name="tenants_interest_closed_has_reason"),
            models.CheckConstraint(condition=~Q(status="converted") | Q(application__isnull=False), name="tenants_interest_converted_has_application"),
        ]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.get_status_display()})"


class PlotPreference(TimeStampedModel):
    """A plot an expression of interest or an application names as preferred (exactly one of them)."""

    plot = models.ForeignKey("tenants.Plot", verbose_name=_("plot"), on_delete=models.PROTECT, related_name="preferences")
    application = models.ForeignKey("tenants.Application", verbose_name=_("application"), on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="plot_preferences")
    interest = models.ForeignKey(ExpressionOfInterest, verbose_name=_("expression of interest"), on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="plot_preferences")

    class Meta:
        verbose_name = _("preferred plot")
        verbose_name_plural = _("preferred plots")
        ordering = ["plot", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(application__isnull=True) ^ Q(interest__isnull=True), name="tenants_preference_one_owner"),
            models.UniqueConstraint(fields=["plot", "application"], condition=Q(application__isnull=False), name="tenants_preference_app_unique"),
            models.UniqueConstraint(fields=["plot", "interest"], condition=Q(interest__isnull=False), name="tenants_preference_interest_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plot_id} ← {self.application_id or self.interest_id}"


class SiteVisit(TimeStampedModel):
    """A visit of the company to the estate for an application, hosted by KITB."""

    application = models.ForeignKey("tenants.Application", verbose_name=_("application"), on_delete=models.CASCADE, related_name="site_visits")
    scheduled_at = models.DateTimeField(_("date and time"))
    host = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("KITB host"), on_delete=models.PROTECT, related_name="+",
                             limit_choices_to={"is_staff": True})
    visitors = models.TextField(_("visitors"), help_text=_("Names and roles of the company's visitors."))
    outcome_notes = models.TextField(_("outcome notes"), blank=True, help_text=_("Internal: never shown to the referrer."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("scheduled by"), on_delete=models.SET_NULL, null=True, related_name="+")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")
        ordering = ["-scheduled_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(visitors=""), name="tenants_visit_has_visitors")]

    def __str__(self) -> str:
        return f"{self.application_id} @ {self.scheduled_at:%Y-%m-%d %H:%M}"

    @property
    def when(self) -> str:
        """The date and time in WIB and KST side by side (kitb_portal.common.zonetime)."""
        from kitb_portal.common.zonetime import both_zones

        return both_zones(self.scheduled_at)
