"""Applications: drafts, documents, comments and the workflow transitions (one service each)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kitb_portal.notifications.services import notify

from .. import workflow
from ..documents import read_and_check_pdf
from ..models import (
    REQUIRED_DOCUMENT_KINDS,
    Application,
    ApplicationComment,
    ApplicationDocument,
    CommentVisibility,
    DocumentKind,
    ScreeningSettings,
    StatusChange,
)
from ..permissions import (
    can_comment_application,
    can_create_application,
    can_edit_application,
    can_share_comment,
    is_partner_of,
    staff_may,
)
from ..selectors import counted_review_count
from .committee import committee_decision_check
from .common import locked_application
from .projects import project_open

# The fields each step of the portal's form fills (step 4 is documents and submission).
DRAFT_FIELDS: dict[int, list[str]] = {
    1: ["company_name", "company_country", "company_registration_number", "company_website", "mou",
        "contact_name", "contact_email", "contact_phone", "contact_language"],
    2: ["sector", "products", "investment_amount", "investment_currency", "jobs_planned", "export_share_pct",
        "timeline", "claims_pioneer", "pioneer_reason"],
    3: ["land_ha", "power_mva", "water_m3_per_day"],
}
EDITABLE_FIELDS = [f for fields in DRAFT_FIELDS.values() for f in fields]
REQUIRED_FIELDS = [
    "company_name", "company_country", "company_registration_number", "contact_name", "contact_email", "sector",
    "products", "investment_amount", "investment_currency", "jobs_planned", "export_share_pct", "timeline",
    "land_ha", "power_mva", "water_m3_per_day",
]


_TEXT_FIELDS = {
    "company_registration_number", "company_website", "contact_name", "contact_email", "contact_phone", "products",
    "timeline", "pioneer_reason",
}


def _apply(application: Application, data: dict, actor) -> None:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    for field, value in data.items():
        setattr(application, field, "" if value is None and field in _TEXT_FIELDS else value)
    application.full_clean(exclude=["referrer", "created_by", "owning_officer", "status"])
    application._history_user = actor


@transaction.atomic
def application_create(*, actor, data: dict) -> Application:
    """A partner user starts a draft on a company's behalf (step 1 of the portal's form)."""
    if not can_create_application(actor):
        raise PermissionDenied(_("Only partner users refer applications."))
    application = Application(referrer_id=actor.organization_id, created_by=actor, status=Application.Status.DRAFT)
    _apply(application, data, actor)
    application.save()
    return application


@transaction.atomic
def application_update_draft(*, application_id: int, actor, data: dict) -> Application:
    """Save one step of a draft; nothing is lost between steps."""
    application = locked_application(application_id)
    if not can_edit_application(actor, application):
        raise PermissionDenied(_("Only a draft of your organisation's application can be edited."))
    _apply(application, data, actor)
    application.save()
    return application


@transaction.atomic
def document_add(*, application_id: int, actor, uploaded, kind: str = DocumentKind.OTHER, title: str = "") -> ApplicationDocument:
    """Attach a supporting PDF (checked by content: magic bytes, pypdf, size)."""
    application = locked_application(application_id)
    partner = is_partner_of(actor, application)
    staff = staff_may(actor, "tenants.change_application")
    if not (partner or staff):
        raise PermissionDenied(_("You may not add documents to this application."))
    if application.is_closed:
        raise ValidationError(_("The application is %(status)s; documents can no longer be added.") % {"status": application.get_status_display().lower()})
    if kind not in DocumentKind.values:
        raise ValidationError(_("Choose what kind of document this is."))
    content, digest = read_and_check_pdf(uploaded)
    name = getattr(uploaded, "name", "") or "document.pdf"
    document = ApplicationDocument(
        application=application, kind=kind, title=title.strip()[:200], original_name=name.rsplit("/", 1)[-1][:255],
        size=len(content), sha256=digest, uploaded_by=actor,
    )
    document.file.save("document.pdf", ContentFile(content), save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def application_missing_requirements(application: Application) -> list[str]:
    """What a draft still needs before it can be submitted (field labels and document kinds)."""
    missing = []
    for name in REQUIRED_FIELDS:
        value = getattr(application, f"{name}_id" if name == "sector" else name)
        if value in (None, ""):
            missing.append(str(Application._meta.get_field(name).verbose_name))
    if application.claims_pioneer and not application.pioneer_reason.strip():
        missing.append(str(Application._meta.get_field("pioneer_reason").verbose_name))
    kinds = set(application.documents.values_list("kind", flat=True)) if application.pk else set()
    for kind in REQUIRED_DOCUMENT_KINDS:
        if kind not in kinds:
            missing.append(_("document: %(kind)s") % {"kind": DocumentKind(kind).label})
    return missing


# --- the workflow ---------------------------------------------------------------------------

def _partner_recipients(application: Application):
    User = get_user_model()
    return list(User.objects.filter(organization_id=application.referrer_id, is_active=True, is_staff=False).order_by("pk"))


def _notify_status_change(application: Application, change: StatusChange) -> None:
    """Tell the referrer's partner users and the applicant contact, each in their language.

    Only the outcome and the reason: never reviewers, scores or internal comments.
    """
    context = {
        "application": application,
        "change": change,
        "reason": application.decision_reason if application.status == Application.Status.REJECTED else "",
        "portal_url": settings.SITE_URL + reverse("tenants:application_detail", args=[application.pk]),
    }
    for user in _partner_recipients(application):
        notify(recipient=user, template="tenants/email/status_changed", context=context,
               key=f"application-status:{change.pk}:{user.pk}", kind="application_status")
    if application.contact_email:
        notify(email=application.contact_email, language=application.contact_language,
               template="tenants/email/status_changed", context={**context, "portal_url": ""},
               key=f"application-status:{change.pk}:contact", kind="application_status")


def _move(application: Application, t: workflow.Transition, actor, *, note: str = "", extra_fields=()) -> Application:
    now = timezone.now()
    from_status = application.status
    application.status = t.target
    application.status_changed_at = now
    application._history_user = actor
    application.save(update_fields=["status", "status_changed_at", "updated_at", *extra_fields])
    change = StatusChange.objects.create(
        application=application, transition=t.name, from_status=from_status, to_status=t.target, actor=actor,
        note=note, created_at=now,
    )
    _notify_status_change(application, change)
    return application


def _step(application_id: int, name: str, actor, *, note: str = "") -> Application:
    """A workflow step with no condition of its own beyond the workflow's: lock, check, move."""
    application = locked_application(application_id)
    return _move(application, workflow.check(application, name, actor), actor, note=note)


def _check_quorum(application: Application) -> None:
    quorum = ScreeningSettings.load().quorum
    counted = counted_review_count(application.pk)
    if counted < quorum:
        raise ValidationError(
            _("A decision needs %(quorum)d complete reviews without a conflict of interest; this application has %(counted)d.")
            % {"quorum": quorum, "counted": counted},
            code="quorum",
        )


@transaction.atomic
def application_submit(*, application_id: int, actor, note: str = "") -> Application:
    application = locked_application(application_id)
    t = workflow.check(application, "submit", actor)
    missing = application_missing_requirements(application)
    if missing:
        raise ValidationError(_("Before submitting, complete: %(missing)s.") % {"missing": "; ".join(missing)}, code="incomplete")
    application.submitted_at = timezone.now()
    return _move(application, t, actor, note=note, extra_fields=["submitted_at"])


@transaction.atomic
def application_start_screening(*, application_id: int, actor, note: str = "") -> Application:
    return _step(application_id, "start_screening", actor, note=note)


@transaction.atomic
def application_start_due_diligence(*, application_id: int, actor, note: str = "") -> Application:
    return _step(application_id, "start_due_diligence", actor, note=note)


@transaction.atomic
def application_to_committee(*, application_id: int, actor, note: str = "") -> Application:
    return _step(application_id, "to_committee", actor, note=note)


@transaction.atomic
def application_approve(*, application_id: int, actor, note: str = "") -> Application:
    """Record the committee's approval: the review quorum is the entry condition, and the latest
    closed committee meeting with the application on its agenda must have voted to approve it."""
    application = locked_application(application_id)
    t = workflow.check(application, "approve", actor)
    _check_quorum(application)
    committee_decision_check(application, "approve")
    application.decided_at = timezone.now()
    application.decision_reason = note.strip()
    _move(application, t, actor, note=note, extra_fields=["decided_at", "decision_reason"])
    project_open(application=application, actor=actor)  # the tenant project and its milestones
    return application


@transaction.atomic
def application_reject(*, application_id: int, actor, reason: str) -> Application:
    """Reject with a reason the referrer reads (in the portal and the e-mail)."""
    application = locked_application(application_id)
    t = workflow.check(application, "reject", actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the rejection; the referrer will read it."), code="reason")
    _check_quorum(application)
    committee_decision_check(application, "reject")
    application.decided_at = timezone.now()
    application.decision_reason = reason
    return _move(application, t, actor, note=reason, extra_fields=["decided_at", "decision_reason"])


@transaction.atomic
def application_withdraw(*, application_id: int, actor, note: str = "") -> Application:
    return _step(application_id, "withdraw", actor, note=note)


@transaction.atomic
def application_set_officer(*, application_id: int, officer, actor) -> Application:
    """Make a staff member the owning officer (reminded when the application is overdue)."""
    if not staff_may(actor, "tenants.change_application"):
        raise PermissionDenied(_("You may not assign the owning officer."))
    if officer is not None and not (officer.is_staff and officer.is_active):
        raise ValidationError(_("The owning officer must be an active KITB staff member."))
    application = locked_application(application_id)
    application.owning_officer = officer
    application._history_user = actor
    application.save(update_fields=["owning_officer", "updated_at"])
    return application


# --- comments -------------------------------------------------------------------------------

@transaction.atomic
def comment_add(*, application_id: int, actor, body: str, visibility: str = CommentVisibility.INTERNAL) -> ApplicationComment:
    """Add a comment. A partner's comment is always shared (it answers staff); staff choose.

    A shared staff comment (a question to the referrer) is e-mailed to the referrer's partner users;
    a partner's answer to the owning officer. Internal comments are e-mailed to no partner, ever.
    """
    application = locked_application(application_id)
    if not can_comment_application(actor, application):
        raise PermissionDenied(_("You may not comment on this application."))
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write a comment first."), code="empty")
    partner = is_partner_of(actor, application)
    if partner:
        visibility = CommentVisibility.SHARED
    elif visibility not in CommentVisibility.values:
        raise ValidationError(_("Choose who may read the comment."))
    elif visibility == CommentVisibility.SHARED and not can_share_comment(actor, application):
        raise PermissionDenied(_("Only officers may write to the referrer; add an internal comment."))
    comment = ApplicationComment.objects.create(application=application, author=actor, visibility=visibility, body=body)
    if visibility != CommentVisibility.SHARED:
        return comment
    if partner:
        officer = application.owning_officer
        if officer is not None and officer.is_active:
            notify(recipient=officer, template="tenants/email/comment_from_partner",
                   context={"application": application, "comment": comment,
                            "admin_url": settings.SITE_URL + reverse("admin:tenants_application_change", args=[application.pk])},
                   key=f"application-comment:{comment.pk}:{officer.pk}", kind="application_comment")
    else:
        portal_url = settings.SITE_URL + reverse("tenants:application_detail", args=[application.pk])
        for user in _partner_recipients(application):
            notify(recipient=user, template="tenants/email/comment_shared",
                   context={"application": application, "comment": comment, "portal_url": portal_url},
                   key=f"application-comment:{comment.pk}:{user.pk}", kind="application_comment")
    return comment
