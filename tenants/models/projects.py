"""Tenant projects: what an approved application becomes, its declared milestones (planned, then
confirmed with a date and PDF evidence), the investment realised and the jobs created.

Invariants the database keeps: a confirmed milestone has its date, its evidence and who confirmed
it; local jobs never exceed realised jobs.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.models import TimeStampedModel
from kitb_portal.common.storage import private_storage

from ..milestones import CHOICES as MILESTONE_CHOICES
from ..milestones import CODES as MILESTONE_CODES
from ..milestones import label_of as _milestone_label


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
        return _milestone_label(self.kind)

    @property
    def is_done(self) -> bool:
        return self.actual_on is not None
