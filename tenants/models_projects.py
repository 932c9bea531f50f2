"""The tenant journey around the screening: committee meetings and votes, tenant projects and their
milestones, expressions of interest, site visits and preferred plots.

Imported at the end of ``tenants/models.py`` (so Django finds the models); kept apart from it so the
screening models and these change in different files.

Invariants the database keeps: choices stay in their choices; one member row per user and meeting,
one agenda row per application and meeting, one vote per member and agenda item; a closed meeting
has its frozen minutes (SHA-256) and who closed it; a confirmed milestone has its date and who
confirmed it; local jobs never exceed realised jobs; a preferred plot belongs to exactly one
expression of interest or application.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.models import TimeStampedModel, choices_check
from kitb_portal.common.storage import private_storage

from .milestones import BY_CODE as _MILESTONE_KINDS
from .milestones import CHOICES as MILESTONE_CHOICES
from .milestones import CODES as MILESTONE_CODES

# --- committee meetings ---------------------------------------------------------------------------


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class VoteChoice(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    ABSTAIN = "abstain", _("Abstain")
    CONFLICTED = "conflicted", _("Conflict of interest")


class AgendaOutcome(models.TextChoices):
    PENDING = "pending", _("Not decided yet")
    APPROVE = "approve", _("Approved by the committee")
    REJECT = "reject", _("Rejected by the committee")
    NO_DECISION = "no_decision", _("No decision (no majority or no quorum)")


def minutes_upload_to(instance, filename: str) -> str:
    ext = "pdf" if instance.minutes_format == "pdf" else "html"
    return f"tenants/meetings/{instance.pk}/minutes-{uuid.uuid4().hex}.{ext}"


class CommitteeMeeting(TimeStampedModel):
    """A meeting of the screening committee: members, attendance, an agenda of applications, votes,
    and minutes frozen (stored with their SHA-256) when the chair closes it."""

    Status = MeetingStatus

    title = models.CharField(_("title"), max_length=200)
    held_at = models.DateTimeField(_("date and time"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("chair"), on_delete=models.PROTECT, related_name="+",
                              limit_choices_to={"is_staff": True})
    quorum = models.PositiveSmallIntegerField(
        _("quorum"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("Members present needed for a decision; empty: the portal's setting (TENANTS_COMMITTEE_QUORUM)."),
    )
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED, db_index=True)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Written before the meeting is closed; frozen when the chair closes it."))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    minutes_format = models.CharField(_("format of the frozen minutes"), max_length=4, blank=True)
    minutes_file = models.FileField(_("frozen minutes"), storage=private_storage, upload_to=minutes_upload_to, max_length=300, blank=True)
    minutes_sha256 = models.CharField(_("SHA-256 of the frozen minutes"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        ordering = ["-held_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=choices_check("status", MeetingStatus), name="tenants_meeting_status_valid"),
            models.CheckConstraint(condition=Q(quorum__isnull=True) | Q(quorum__gte=1), name="tenants_meeting_quorum_positive"),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(minutes_sha256="") & Q(minutes_format__in=["pdf", "html"])),
                name="tenants_meeting_closed_has_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_at:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED

    @property
    def effective_quorum(self) -> int:
        return self.quorum or int(getattr(settings, "TENANTS_COMMITTEE_QUORUM", 3))


class MeetingMember(models.Model):
    """A committee member invited to a meeting, and whether they were present."""

    meeting = models.ForeignKey(CommitteeMeeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="committee_seats",
                             limit_choices_to={"is_staff": True})
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        verbose_name = _("meeting member")
        verbose_name_plural = _("members and attendance")
        ordering = ["meeting", "user__full_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="tenants_meeting_member_unique")]

    def __str__(self) -> str:
        return self.user.full_name or self.user.email


class AgendaItem(models.Model):
    """An application on a meeting's agenda; its outcome is counted from the votes when the meeting closes."""

    Outcome = AgendaOutcome

    meeting = models.ForeignKey(CommitteeMeeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda")
    application = models.ForeignKey("tenants.Application", verbose_name=_("application"), on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    outcome = models.CharField(_("outcome"), max_length=12, choices=AgendaOutcome.choices, default=AgendaOutcome.PENDING)
    votes_approve = models.PositiveSmallIntegerField(_("approve"), default=0)
    votes_reject = models.PositiveSmallIntegerField(_("reject"), default=0)
    votes_abstain = models.PositiveSmallIntegerField(_("abstain"), default=0)
    votes_conflicted = models.PositiveSmallIntegerField(_("conflicted"), default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "application"], name="tenants_agenda_unique"),
            models.CheckConstraint(condition=choices_check("outcome", AgendaOutcome), name="tenants_agenda_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.application.company_name}"


class MeetingVote(TimeStampedModel):
    """One member's vote on one agenda item (approve, reject, abstain, or a declared conflict)."""

    Choice = VoteChoice

    item = models.ForeignKey(AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(MeetingMember, verbose_name=_("member"), on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(_("vote"), max_length=10, choices=VoteChoice.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["item", "member"]
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="tenants_vote_unique"),
            models.CheckConstraint(condition=choices_check("choice", VoteChoice), name="tenants_vote_choice_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_choice_display()}"


__all__ = [
    "AgendaItem", "AgendaOutcome", "CommitteeMeeting", "MeetingMember", "MeetingStatus", "MeetingVote", "VoteChoice",
]


# --- tenant projects and milestones ---------------------------------------------------------------

class TenantProject(TimeStampedModel):
    """What an approved application becomes: its milestones, the investment realised (in the
    application's currency) and the jobs created, of which local."""

    application = models.OneToOneField("tenants.Application", verbose_name=_("application"), on_delete=models.PROTECT, related_name="project")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner officer"), on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="owned_projects", limit_choices_to={"is_staff": True},
                              help_text=_("Reminded weekly while the project is at risk."))
    investment_realised = models.DecimalField(_("investment realised"), max_digits=18, decimal_places=2, null=True, blank=True,
                                              validators=[MinValueValidator(0)], help_text=_("In the application's currency."))
    jobs_realised = models.PositiveIntegerField(_("jobs realised"), default=0)
    jobs_local = models.PositiveIntegerField(_("of which local jobs"), default=0)

    class Meta:
        verbose_name = _("tenant project")
        verbose_name_plural = _("tenant projects")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(jobs_local__lte=models.F("jobs_realised")), name="tenants_project_local_jobs_within"),
            models.CheckConstraint(condition=Q(investment_realised__isnull=True) | Q(investment_realised__gte=0), name="tenants_project_investment_nonneg"),
        ]

    def __str__(self) -> str:
        return self.application.company_name


def evidence_upload_to(instance, filename: str) -> str:
    return f"tenants/projects/{instance.project_id}/{uuid.uuid4().hex}.pdf"


class Milestone(TimeStampedModel):
    """One declared milestone of a project (tenants/milestones.py), planned and, once it happened,
    confirmed with its date, a PDF as evidence and who confirmed it."""

    project = models.ForeignKey(TenantProject, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("milestone"), max_length=30, choices=MILESTONE_CHOICES)
    position = models.PositiveSmallIntegerField(_("order"))
    required = models.BooleanField(_("required"), default=True)
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    actual_on = models.DateField(_("happened on"), null=True, blank=True)
    evidence = models.FileField(_("evidence"), storage=private_storage, upload_to=evidence_upload_to, max_length=300, blank=True)
    evidence_name = models.CharField(_("evidence file name"), max_length=255, blank=True)
    evidence_sha256 = models.CharField(_("SHA-256 of the evidence"), max_length=64, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="tenants_milestone_unique"),
            models.CheckConstraint(condition=Q(kind__in=MILESTONE_CODES), name="tenants_milestone_kind_valid"),
            models.CheckConstraint(
                condition=(Q(actual_on__isnull=True) & Q(confirmed_at__isnull=True))
                | (Q(actual_on__isnull=False) & Q(confirmed_at__isnull=False) & ~Q(evidence_sha256="")),
                name="tenants_milestone_confirmed_with_evidence",
            ),
        ]
        indexes = [models.Index(fields=["actual_on", "planned_on"], name="tenants_milestone_open_idx")]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.get_kind_display()}"

    @property
    def label(self) -> str:
        return str(_MILESTONE_KINDS[self.kind].label) if self.kind in _MILESTONE_KINDS else self.kind

    @property
    def is_done(self) -> bool:
        return self.actual_on is not None


__all__ += ["Milestone", "TenantProject"]


# --- before the application: expressions of interest, site visits, preferred plots ----------------

from .models import CURRENCY_CHOICES, CURRENCY_CODES  # noqa: E402


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


__all__ += ["ExpressionOfInterest", "InterestStatus", "PlotPreference", "SiteVisit"]
