"""Reviewer assignment and reviews (scores per criterion, conflict of interest, submission)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kitb_portal.notifications.services import notify

from ..models import IN_REVIEW_STATUSES, Review, ReviewAssignment, ReviewScore, ScreeningCriterion
from ..permissions import can_assign_reviewers, can_be_reviewer, can_edit_review
from .common import locked_application


@transaction.atomic
def review_assign(*, application_id: int, reviewer, actor) -> ReviewAssignment:
    """Assign a committee member to an application; they are told by e-mail."""
    if not can_assign_reviewers(actor):
        raise PermissionDenied(_("You may not assign reviewers."))
    application = locked_application(application_id)
    if application.status not in IN_REVIEW_STATUSES:
        raise ValidationError(
            _("Reviewers are assigned to submitted applications under review; this one is %(status)s.")
            % {"status": application.get_status_display().lower()}
        )
    if not can_be_reviewer(reviewer):
        raise ValidationError(_("%(name)s is not a member of the screening committee.") % {"name": reviewer.full_name or reviewer.email})
    if ReviewAssignment.objects.filter(application=application, reviewer=reviewer).exists():
        raise ValidationError(_("%(name)s is already assigned to this application.") % {"name": reviewer.full_name or reviewer.email})
    from .committee import review_due_on

    assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewer, assigned_by=actor, due_on=review_due_on())
    review = Review.objects.create(assignment=assignment)
    notify(
        recipient=reviewer, template="tenants/email/review_assigned",
        context={
            "application": application, "due_on": assignment.due_on,
            "review_url": settings.SITE_URL + reverse("admin:tenants_review_change", args=[review.pk]),
        },
        key=f"review-assigned:{assignment.pk}", kind="review_assigned", mandatory=True,
    )
    return assignment


def _locked_review(review_id: int, actor) -> Review:
    review = Review.objects.select_for_update(of=("self",)).select_related("assignment__application").get(pk=review_id)
    if review.assignment.reviewer_id != actor.pk:
        raise PermissionDenied(_("Only the assigned reviewer may change this review."))
    if not can_edit_review(actor, review):
        raise ValidationError(_("This review has been submitted and can no longer be changed."))
    if review.assignment.application.status not in IN_REVIEW_STATUSES:
        raise ValidationError(_("The application is no longer under review."))
    return review


@transaction.atomic
def review_save(
    *, review_id: int, actor, conflict_of_interest: bool, conflict_note: str = "", comment: str = "",
    scores: dict[int, tuple[int | None, str]] | None = None,
) -> Review:
    """Save a reviewer's draft: conflict declaration, overall comment, and a score (1–5) with a
    comment per criterion (``scores`` maps criterion id → (score or None, comment))."""
    review = _locked_review(review_id, actor)
    if conflict_of_interest and not conflict_note.strip():
        raise ValidationError({"conflict_note": _("Describe the conflict of interest.")})
    scores = scores or {}
    criteria = ScreeningCriterion.objects.in_bulk(list(scores))
    errors = {}
    for criterion_id, (score, _comment) in scores.items():
        if criterion_id not in criteria:
            errors[str(criterion_id)] = _("Unknown criterion.")
        elif score is not None and not (isinstance(score, int) and 1 <= score <= 5):
            errors[str(criterion_id)] = _("Score %(name)s from 1 to 5.") % {"name": criteria[criterion_id].name}
    if errors:
        raise ValidationError(errors)
    review.conflict_of_interest = bool(conflict_of_interest)
    review.conflict_note = conflict_note.strip()
    review.comment = comment.strip()
    review.save()
    existing = {s.criterion_id: s for s in review.scores.all()}
    for criterion_id, (score, score_comment) in scores.items():
        current = existing.get(criterion_id)
        if score is None:
            if current is not None:
                current.delete()
            continue
        if current is None:
            ReviewScore.objects.create(review=review, criterion_id=criterion_id, score=score, comment=(score_comment or "").strip())
        elif current.score != score or current.comment != (score_comment or "").strip():
            current.score = score
            current.comment = (score_comment or "").strip()
            current.save(update_fields=["score", "comment", "updated_at"])
    return review


@transaction.atomic
def review_submit(*, review_id: int, actor) -> Review:
    """Mark the review complete: every active criterion scored, unless a conflict is declared
    (a conflicted review is complete but does not count towards the score or the quorum)."""
    review = _locked_review(review_id, actor)
    if not review.conflict_of_interest:
        scored = set(review.scores.values_list("criterion_id", flat=True))
        missing = [c.name for c in ScreeningCriterion.objects.filter(is_active=True).order_by("position", "code") if c.pk not in scored]
        if missing:
            raise ValidationError(_("Score every criterion before submitting: %(missing)s.") % {"missing": ", ".join(missing)})
    review.submitted_at = timezone.now()
    review.save(update_fields=["submitted_at", "updated_at"])
    return review
