"""Tenant screening: sectors, applications, reviews, and the land (zones, plots, allocations).

Invariants the database keeps (see also migration 0002's triggers):
- status fields stay inside their choices (CheckConstraint);
- a score is 1–5; a rejected application has a reason; a pioneer claim has a reason;
- a plot has at most one live allocation (partial unique index);
- a zone's live allocated + reserved plot area, counting its descendants, never exceeds its area,
  and allocations exist only for approved applications (constraint triggers).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kitb_portal.accounts.models import LANGUAGE_CHOICES
from kitb_portal.common.models import TimeStampedModel, choices_check
from kitb_portal.common.storage import private_storage
from kitb_portal.search.documents import ENGLISH, SIMPLE, document, document_index, search_field, trigram_index

CURRENCY_CHOICES = [
    ("USD", _("US dollar (USD)")),
    ("KRW", _("Korean won (KRW)")),
    ("IDR", _("Indonesian rupiah (IDR)")),
    ("EUR", _("Euro (EUR)")),
    ("JPY", _("Japanese yen (JPY)")),
    ("CNY", _("Chinese yuan (CNY)")),
    ("SGD", _("Singapore dollar (SGD)")),
]
CURRENCY_CODES = [code for code, _label in CURRENCY_CHOICES]


class Sector(TimeStampedModel):
    """An industry KITB screens for; priority sectors are the pioneer, high-tech ones."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    is_priority = models.BooleanField(_("priority (pioneer) sector"), default=False)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["-is_priority", "name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (translation.get_language() or "en")[:2]
        return {"id": self.name_id, "ko": self.name_ko}.get(lang) or self.name_en


class ExchangeRate(TimeStampedModel):
    """Rates staff set: from ``valid_from`` on (until the next row of the currency), one unit of
    ``currency`` is worth ``usd_rate`` USD and ``idr_rate`` IDR. The current rate is the row with the
    latest ``valid_from``; KRW amounts are derived through the KRW row's USD value."""

    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    usd_rate = models.DecimalField(_("value in USD"), max_digits=20, decimal_places=10)
    idr_rate = models.DecimalField(_("value in IDR"), max_digits=20, decimal_places=6)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(currency__in=CURRENCY_CODES), name="tenants_rate_currency_valid"),
            models.CheckConstraint(condition=Q(usd_rate__gt=0) & Q(idr_rate__gt=0), name="tenants_rate_positive"),
            models.UniqueConstraint(fields=["currency", "valid_from"], name="tenants_rate_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.usd_rate} USD = {self.idr_rate} IDR ({self.valid_from})"


class ScreeningSettings(TimeStampedModel):
    """The administrator's screening settings (one row, pk=1)."""

    quorum = models.PositiveSmallIntegerField(
        _("quorum"), default=2, validators=[MinValueValidator(1)],
        help_text=_("Complete reviews without a conflict of interest needed before a decision."),
    )
    overdue_days = models.PositiveSmallIntegerField(
        _("days before an application is overdue"), default=14, validators=[MinValueValidator(1)],
        help_text=_("An application sitting in one step longer than this reminds its reviewers and officer weekly."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening settings")
        verbose_name_plural = _("screening settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="tenants_settings_singleton"),
            models.CheckConstraint(condition=Q(quorum__gte=1) & Q(overdue_days__gte=1), name="tenants_settings_positive"),
        ]

    def __str__(self) -> str:
        return str(_("Screening settings"))

    @classmethod
    def load(cls) -> ScreeningSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class ScreeningCriterion(TimeStampedModel):
    """A criterion every reviewer scores 1–5; the weights make the weighted score."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("guidance for reviewers"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening criterion")
        verbose_name_plural = _("screening criteria")
        ordering = ["position", "code"]
        constraints = [models.CheckConstraint(condition=Q(weight__gt=0), name="tenants_criterion_weight_positive")]

    def __str__(self) -> str:
        return f"{self.name} (×{self.weight})"


# What the search indexes (kitb_portal.search.documents): stored as the model's search_document.
APPLICATION_SEARCH_DOCUMENT = document(
    ("company_name", SIMPLE, "A"), ("company_registration_number", SIMPLE, "A"), ("contact_name", SIMPLE, "B"),
    ("contact_email", SIMPLE, "B"), ("products", ENGLISH, "C"),
)


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("Screening")
    DUE_DILIGENCE = "due_diligence", _("Due diligence")
    COMMITTEE = "committee", _("Committee decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


IN_REVIEW_STATUSES = [
    ApplicationStatus.SUBMITTED, ApplicationStatus.SCREENING, ApplicationStatus.DUE_DILIGENCE, ApplicationStatus.COMMITTEE,
]
CLOSED_STATUSES = [ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN]


class Application(TimeStampedModel):
    """A company's application to become a KITB tenant, referred by a partner organisation.

    Most fields may be empty while the application is a draft (the portal's form saves each step);
    ``services.application_submit`` refuses a submission until the required ones are filled.
    """

    Status = ApplicationStatus

    # Company
    company_name = models.CharField(_("company name"), max_length=200)
    company_country = models.CharField(_("company country"), max_length=2, help_text=_("ISO 3166 two-letter code, e.g. KR."))
    company_registration_number = models.CharField(_("company registration number"), max_length=100, blank=True)
    company_website = models.URLField(_("company website"), blank=True)
    referrer = models.ForeignKey(
        "accounts.Organization", verbose_name=_("referring organisation"), on_delete=models.PROTECT,
        related_name="referred_applications",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    contact_language = models.CharField(_("contact's language"), max_length=5, choices=LANGUAGE_CHOICES, default="en")
    # Project and investment
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT, null=True, blank=True, related_name="applications")
    products = models.TextField(_("products"), blank=True)
    investment_amount = models.DecimalField(_("planned investment"), max_digits=18, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)])
    investment_currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="USD")
    investment_realised = models.DecimalField(
        _("investment realised"), max_digits=18, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("Set by KITB staff, in the currency of the planned investment."),
    )
    mou = models.ForeignKey(
        "partnerships.MoU", verbose_name=_("referred under MoU"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="applications", help_text=_("The MoU the company was referred under; the referrer must be a party to it."),
    )
    jobs_planned = models.PositiveIntegerField(_("jobs planned"), null=True, blank=True)
    timeline = models.TextField(_("timeline"), blank=True, help_text=_("Construction start, start of operation, main milestones."))
    claims_pioneer = models.BooleanField(_("claims pioneer or high-tech status"), default=False)
    pioneer_reason = models.TextField(_("why pioneer or high-tech"), blank=True)
    # Land and utilities
    land_ha = models.DecimalField(_("land wanted (ha)"), max_digits=10, decimal_places=2, null=True, blank=True,
                                  validators=[MinValueValidator(Decimal("0.01"))])
    power_mva = models.DecimalField(_("power (MVA)"), max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)])
    water_m3_per_day = models.DecimalField(_("water (m³/day)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)])
    export_share_pct = models.DecimalField(
        _("export share (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # Screening
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True)
    status_changed_at = models.DateTimeField(_("in this step since"), default=timezone.now)
    owning_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owning officer"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="owned_applications", limit_choices_to={"is_staff": True},
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True, help_text=_("Shown to the referrer."))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    search_document = search_field(APPLICATION_SEARCH_DOCUMENT)
    history = HistoricalRecords(excluded_fields=["updated_at", "search_document"])

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=choices_check("status", ApplicationStatus), name="tenants_application_status_valid"),
            models.CheckConstraint(condition=Q(investment_currency__in=CURRENCY_CODES), name="tenants_application_currency_valid"),
            models.CheckConstraint(condition=Q(contact_language__in=["id", "ko", "en"]), name="tenants_application_language_valid"),
            models.CheckConstraint(
                condition=Q(export_share_pct__isnull=True) | (Q(export_share_pct__gte=0) & Q(export_share_pct__lte=100)),
                name="tenants_application_export_share_range",
            ),
            models.CheckConstraint(condition=Q(investment_amount__isnull=True) | Q(investment_amount__gte=0), name="tenants_application_investment_nonneg"),
            models.CheckConstraint(condition=Q(investment_realised__isnull=True) | Q(investment_realised__gte=0), name="tenants_application_realised_nonneg"),
            models.CheckConstraint(condition=Q(land_ha__isnull=True) | Q(land_ha__gt=0), name="tenants_application_land_positive"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(decision_reason=""), name="tenants_application_rejection_has_reason"),
            models.CheckConstraint(condition=Q(claims_pioneer=False) | ~Q(pioneer_reason=""), name="tenants_application_pioneer_has_reason"),
        ]
        indexes = [
            models.Index(fields=["status", "status_changed_at"], name="tenants_app_status_since_idx"),
            models.Index(fields=["mou", "submitted_at"], name="tenants_app_mou_submitted_idx"),
            document_index(name="tenants_app_search_idx"),
            trigram_index("company_name", name="tenants_app_company_trgm_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.company_name} (#{self.pk})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.claims_pioneer and not self.pioneer_reason.strip():
            raise ValidationError({"pioneer_reason": _("Explain why the company is pioneer or high-tech.")})
        if self.mou_id and self.referrer_id:
            from django.apps import apps

            party = apps.get_model("partnerships", "MoUParty")
            if not party.objects.filter(mou_id=self.mou_id, organization_id=self.referrer_id).exists():
                raise ValidationError({"mou": _("The referring organisation is not a party to this MoU; choose one of its MoUs.")})

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


def document_upload_to(instance, filename: str) -> str:
    return f"tenants/applications/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class DocumentKind(models.TextChoices):
    BUSINESS_PLAN = "business_plan", _("Business plan")
    REGISTRATION = "registration", _("Company registration certificate")
    FINANCIALS = "financials", _("Financial statements")
    OTHER = "other", _("Other")


REQUIRED_DOCUMENT_KINDS = [DocumentKind.BUSINESS_PLAN, DocumentKind.REGISTRATION]


class ApplicationDocument(TimeStampedModel):
    """A supporting PDF, checked by content on upload, stored privately."""

    Kind = DocumentKind

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), storage=private_storage, upload_to=document_upload_to, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at"]
        constraints = [models.CheckConstraint(condition=choices_check("kind", DocumentKind), name="tenants_document_kind_valid")]

    def __str__(self) -> str:
        return self.title or self.original_name


class StatusChange(models.Model):
    """One step of the workflow: who moved the application from which status to which, and when."""

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="status_changes")
    transition = models.CharField(_("transition"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, choices=ApplicationStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=choices_check("from_status", ApplicationStatus), name="tenants_change_from_valid"),
            models.CheckConstraint(condition=choices_check("to_status", ApplicationStatus), name="tenants_change_to_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status}"


class CommentVisibility(models.TextChoices):
    INTERNAL = "internal", _("Internal (staff and reviewers only)")
    SHARED = "shared", _("Shared with the referrer")


class ApplicationComment(TimeStampedModel):
    Visibility = CommentVisibility

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, related_name="+")
    visibility = models.CharField(_("visibility"), max_length=10, choices=CommentVisibility.choices, default=CommentVisibility.INTERNAL)
    body = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=choices_check("visibility", CommentVisibility), name="tenants_comment_visibility_valid"),
            models.CheckConstraint(condition=~Q(body=""), name="tenants_comment_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_visibility_display()}: {self.body[:40]}"


class ReviewAssignment(TimeStampedModel):
    """A committee member assigned to review an application."""

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="review_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.SET_NULL, null=True, related_name="+")
    due_on = models.DateField(_("review due on"), null=True, blank=True, help_text=_("The reviewer is reminded weekly once it has passed."))

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="tenants_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application}"


class Review(TimeStampedModel):
    """One reviewer's review of one application (through their assignment)."""

    assignment = models.OneToOneField(ReviewAssignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="review")
    conflict_of_interest = models.BooleanField(
        _("conflict of interest"), default=False, help_text=_("A conflicted reviewer's scores do not count."),
    )
    conflict_note = models.TextField(_("conflict of interest: details"), blank=True)
    comment = models.TextField(_("overall comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return str(self.assignment)

    @property
    def is_complete(self) -> bool:
        return self.submitted_at is not None


class ReviewScore(TimeStampedModel):
    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ScreeningCriterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["criterion__position", "criterion__code"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="tenants_score_unique"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="tenants_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


class Zone(TimeStampedModel):
    """An area of the estate; zones nest (KITB → cluster 1 → phase 1)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey("self", verbose_name=_("parent zone"), on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    area_ha = models.DecimalField(_("area (ha)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    is_internal = models.BooleanField(
        _("internal"), default=False,
        help_text=_("Never shown to partners in the portal's land view, nor its sub-zones and plots."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(area_ha__gt=0), name="tenants_zone_area_positive"),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="tenants_zone_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.area_ha} ha)"


class PlotStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved")
    ALLOCATED = "allocated", _("Allocated")


class Plot(TimeStampedModel):
    """A plot of land in a zone. Its status follows its live allocation (set by the land services)."""

    Status = PlotStatus

    code = models.CharField(_("code"), max_length=30, unique=True)
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="plots")
    area_ha = models.DecimalField(_("area (ha)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    status = models.CharField(_("status"), max_length=10, choices=PlotStatus.choices, default=PlotStatus.AVAILABLE, db_index=True)
    grid_row = models.PositiveSmallIntegerField(_("row on the site plan"), null=True, blank=True)
    grid_col = models.PositiveSmallIntegerField(_("column on the site plan"), null=True, blank=True)
    has_power = models.BooleanField(_("power"), default=True)
    has_water = models.BooleanField(_("water"), default=True)
    has_gas = models.BooleanField(_("gas"), default=False)
    has_telecom = models.BooleanField(_("telecom / fibre"), default=True)
    has_wastewater = models.BooleanField(_("wastewater treatment"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plot")
        verbose_name_plural = _("plots")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=choices_check("status", PlotStatus), name="tenants_plot_status_valid"),
            models.CheckConstraint(condition=Q(area_ha__gt=0), name="tenants_plot_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.area_ha} ha)"

    @property
    def utilities(self) -> list[str]:
        names = [("has_power", _("power")), ("has_water", _("water")), ("has_gas", _("gas")),
                 ("has_telecom", _("telecom")), ("has_wastewater", _("wastewater"))]
        return [str(label) for field, label in names if getattr(self, field)]


class AllocationKind(models.TextChoices):
    RESERVED = "reserved", _("Reserved")
    ALLOCATED = "allocated", _("Allocated")


class Allocation(TimeStampedModel):
    """A plot reserved or allocated to an approved application; ``is_live`` until released."""

    Kind = AllocationKind

    plot = models.ForeignKey(Plot, verbose_name=_("plot"), on_delete=models.PROTECT, related_name="allocations")
    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="allocations",
                                    limit_choices_to={"status": "approved"})  # only approved applications receive land
    kind = models.CharField(_("kind"), max_length=10, choices=AllocationKind.choices)
    is_live = models.BooleanField(_("live"), default=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+")
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("released by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=choices_check("kind", AllocationKind), name="tenants_allocation_kind_valid"),
            models.UniqueConstraint(fields=["plot"], condition=Q(is_live=True), name="tenants_one_live_allocation_per_plot"),
            models.CheckConstraint(
                condition=(Q(is_live=True) & Q(released_at__isnull=True)) | (Q(is_live=False) & Q(released_at__isnull=False)),
                name="tenants_allocation_live_xor_released",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plot.code} → {self.application.company_name} ({self.get_kind_display()})"


# The journey around the screening (committee meetings, projects and milestones, expressions of
# interest, site visits, preferred plots) lives in its own module; imported here so Django finds it.
from .models_projects import *  # noqa: E402,F403
