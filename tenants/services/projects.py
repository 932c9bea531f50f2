"""Tenant projects: opened when an application is approved, their milestones planned and confirmed
(in the declared order, with a PDF as evidence), investment and jobs realised, and the weekly
reminder to the owner officer of a project at risk."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kitb_portal.common.pdf import safe_display_name
from kitb_portal.dashboard.cached import changed as dashboard_changed
from kitb_portal.notifications.models import OutboxMessage
from kitb_portal.notifications.services import notify

from .. import milestones as declared
from ..documents import read_and_check_pdf
from ..models import Application, Milestone, TenantProject
from ..permissions import staff_may
from ..selectors import late_milestones
from .common import locked


def can_change_projects(user) -> bool:
    return staff_may(user, "tenants.change_tenantproject")


def project_open(*, application: Application, actor) -> TenantProject:
    """Called by the approval (same transaction): the project with one milestone per declared kind,
    planned from the approval date; the application's owning officer owns it."""
    project, created = TenantProject.objects.get_or_create(application=application, defaults={"owner": application.owning_officer})
    if created:
        start = timezone.localdate(application.decided_at or timezone.now())
        Milestone.objects.bulk_create([
            Milestone(project=project, kind=kind.code, position=declared.POSITION[kind.code], required=kind.required,
                      planned_on=start + timedelta(days=kind.planned_after_days))
            for kind in declared.MILESTONES
        ])
        dashboard_changed("tenants.Milestone")  # bulk_create sends no post_save
    return project


def _locked_project(project_id: int) -> TenantProject:
    return locked(TenantProject.objects.select_related("application"), project_id, _("This project does not exist."))


@transaction.atomic
def project_update(*, project_id: int, actor, owner=None, investment_realised=None, jobs_realised: int = 0, jobs_local: int = 0) -> TenantProject:
    """The owner officer and the figures realised so far (investment in the application's currency)."""
    if not can_change_projects(actor):
        raise PermissionDenied(_("You may not change tenant projects."))
    project = _locked_project(project_id)
    errors = {}
    if owner is not None and not (owner.is_staff and owner.is_active):
        errors["owner"] = _("The owner officer must be an active KITB staff member.")
    if investment_realised not in (None, ""):
        try:
            investment_realised = Decimal(investment_realised)
        except (InvalidOperation, TypeError):
            errors["investment_realised"] = _("Enter the investment realised as a number.")
        else:
            if investment_realised < 0:
                errors["investment_realised"] = _("The investment realised cannot be negative.")
    else:
        investment_realised = None
    try:
        jobs_realised, jobs_local = int(jobs_realised or 0), int(jobs_local or 0)
    except (TypeError, ValueError):
        errors["jobs_realised"] = _("Enter the jobs as whole numbers.")
    else:
        if jobs_realised < 0 or jobs_local < 0:
            errors["jobs_realised"] = _("Jobs cannot be negative.")
        elif jobs_local > jobs_realised:
            errors["jobs_local"] = _("Local jobs (%(local)d) cannot exceed the jobs realised (%(total)d).") % {"local": jobs_local, "total": jobs_realised}
    if errors:
        raise ValidationError(errors)
    project.owner = owner
    project.investment_realised = investment_realised
    project.jobs_realised = jobs_realised
    project.jobs_local = jobs_local
    project.save()
    return project


def _locked_milestone(milestone_id: int) -> Milestone:
    return locked(Milestone.objects.select_related("project__application"), milestone_id, _("This milestone does not exist."))


@transaction.atomic
def milestone_plan(*, milestone_id: int, planned_on, actor) -> Milestone:
    if not can_change_projects(actor):
        raise PermissionDenied(_("You may not change tenant projects."))
    milestone = _locked_milestone(milestone_id)
    if milestone.actual_on is not None:
        raise ValidationError(_("“%(name)s” is confirmed; its planned date no longer changes.") % {"name": milestone.label})
    milestone.planned_on = planned_on
    milestone.save(update_fields=["planned_on", "updated_at"])
    return milestone


@transaction.atomic
def milestone_confirm(*, milestone_id: int, actual_on, evidence, actor, today=None) -> Milestone:
    """Confirm that a milestone happened on ``actual_on`` (not in the future), with a PDF as evidence
    (checked by content), once every earlier required milestone is confirmed."""
    if not can_change_projects(actor):
        raise PermissionDenied(_("You may not confirm milestones."))
    milestone = _locked_milestone(milestone_id)
    today = today or timezone.localdate()
    if milestone.actual_on is not None:
        raise ValidationError(_("“%(name)s” is already confirmed.") % {"name": milestone.label}, code="done")
    if actual_on is None:
        raise ValidationError({"actual_on": _("Give the date it happened.")})
    if actual_on > today:
        raise ValidationError(
            {"actual_on": _("%(date)s is in the future: confirm a milestone once it has happened.") % {"date": date_format(actual_on, "DATE_FORMAT")}},
            code="future",
        )
    earlier = list(
        Milestone.objects.filter(project_id=milestone.project_id, position__lt=milestone.position, required=True, actual_on__isnull=True)
        .order_by("position")
    )
    if earlier:
        raise ValidationError(
            _("Confirm “%(earlier)s” first: it comes before “%(name)s”.") % {"earlier": earlier[0].label, "name": milestone.label},
            code="order",
        )
    if evidence is None:
        raise ValidationError({"evidence": _("Attach the evidence as a PDF (the licence, the signed lease, a site report).")})
    content, digest = read_and_check_pdf(evidence)
    milestone.actual_on = actual_on
    milestone.confirmed_by = actor
    milestone.confirmed_at = timezone.now()
    milestone.evidence_sha256 = digest
    milestone.evidence_name = safe_display_name(getattr(evidence, "name", "") or "evidence.pdf")
    milestone.evidence.save("evidence.pdf", ContentFile(content), save=False)
    try:
        milestone.save()
    except Exception:
        milestone.evidence.delete(save=False)
        raise
    return milestone


def at_risk_key(project_id: int, kind: str, now) -> str:
    """Once per ISO week and stage (the first late milestone)."""
    year, week, _day = timezone.localdate(now).isocalendar()
    return f"project-at-risk:{project_id}:{kind}:{year}-W{week:02d}"


@transaction.atomic
def project_at_risk_sweep(*, now=None) -> int:
    """Remind the owner officer of each project with a milestone late by more than
    TENANTS_MILESTONE_LATE_DAYS, at most once per week and stage. Returns the e-mails queued.
    Queries: late milestones (with projects and owners), existing keys, one insert per new e-mail."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first_late: dict[int, Milestone] = {}
    for milestone in late_milestones(today=today).select_related("project__owner", "project__application").order_by("project_id", "position"):
        first_late.setdefault(milestone.project_id, milestone)
    planned = [
        (at_risk_key(pid, m.kind, now), m) for pid, m in first_late.items()
        if m.project.owner is not None and m.project.owner.is_active
    ]
    existing = set(OutboxMessage.objects.filter(key__in=[k for k, _m in planned]).values_list("key", flat=True)) if planned else set()
    sent = 0
    for key, milestone in planned:
        if key in existing:
            continue
        project = milestone.project
        message = notify(
            recipient=project.owner, template="tenants/email/project_at_risk",
            context={"project": project, "application": project.application, "milestone": milestone,
                     "late_days": (today - milestone.planned_on).days,
                     "admin_url": settings.SITE_URL + reverse("admin:tenants_tenantproject_change", args=[project.pk])},
            key=key, kind="project_at_risk", mandatory=True,
        )
        sent += message is not None
    return sent
