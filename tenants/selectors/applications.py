"""Reads of applications, scoped by who asks: the portal's lists and pages, the staff pipeline with
its weighted score (blind reviews) and amounts, documents, comments, the workflow history, the
applications overdue in their step, and the API's list.

Partners see only the applications their organisation referred: anything else raises Http404, the
same answer as for a record that does not exist.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.http import Http404
from django.utils import timezone

from ..models import (
    IN_REVIEW_STATUSES,
    Application,
    ApplicationComment,
    ApplicationDocument,
    CommentVisibility,
    Review,
    ReviewAssignment,
    ReviewScore,
    StatusChange,
)
from ..permissions import can_view_application, is_kitb_administrator, staff_may
from .money import MONEY, convert, current_rate, rates_on

SCORE = DecimalField(max_digits=4, decimal_places=2)


def _scope(user, qs: QuerySet) -> QuerySet:
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_staff:
        return qs if staff_may(user, "tenants.view_application") else qs.none()
    if user.organization_id is None:
        return qs.none()
    return qs.filter(referrer_id=user.organization_id)


def application_list_for(user, *, status: str | None = None) -> QuerySet[Application]:
    """Applications the user may see (a partner: those their organisation referred), newest first."""
    qs = _scope(user, Application.objects.select_related("sector", "referrer"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def application_get_for(user, pk: int) -> Application:
    try:
        application = Application.objects.select_related("sector", "referrer", "owning_officer").get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_view_application(user, application):
        raise Http404
    return application


def weighted_score_subquery() -> Subquery:
    """Weighted mean score of an application's complete reviews without a conflict of interest."""
    scores = (
        ReviewScore.objects.filter(
            review__assignment__application=OuterRef("pk"),
            review__submitted_at__isnull=False,
            review__conflict_of_interest=False,
        )
        .order_by()
        .values("review__assignment__application")
        .annotate(
            s=ExpressionWrapper(
                Sum(F("score") * F("criterion__weight")) / Sum("criterion__weight"), output_field=SCORE,
            )
        )
        .values("s")
    )
    return Subquery(scores, output_field=SCORE)


def sees_every_score(user) -> bool:
    """Blind reviews: the KITB administrator (and superusers) see every score at any time."""
    return is_kitb_administrator(user)


def _own_counted_review(user, application) -> QuerySet[Review]:
    return Review.objects.filter(
        assignment__application=application, assignment__reviewer_id=user.pk,
        submitted_at__isnull=False, conflict_of_interest=False,
    )


def scores_visible(user, application: Application) -> bool:
    """Whether ``user`` may see the scores of ``application`` (weighted score, averages, spread).

    Blind reviews: anyone but the KITB administrator sees them only after submitting their own
    review of it, and never after declaring a conflict of interest (so a committee member's
    opinion is never shaped by the others'). Partners never see them at all.
    """
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    return sees_every_score(user) or _own_counted_review(user, application).exists()


def with_pipeline_annotations(qs: QuerySet[Application], *, viewer=None) -> QuerySet[Application]:
    """Add ``score``, ``investment_usd``, ``investment_idr``, ``counted_reviews`` and ``assigned_reviews``.

    With ``viewer``: ``score`` is empty (NULL) on every application whose scores the viewer may
    not see (:func:`scores_visible`), so a list column, a filter or an ordering on it tells nothing.
    """
    counted = (
        Review.objects.filter(assignment__application=OuterRef("pk"), submitted_at__isnull=False, conflict_of_interest=False)
        .order_by().values("assignment__application").annotate(n=Count("pk")).values("n")
    )
    assigned = (
        ReviewAssignment.objects.filter(application=OuterRef("pk"))
        .order_by().values("application").annotate(n=Count("pk")).values("n")
    )
    score = Round(weighted_score_subquery(), 2)
    if viewer is not None and not sees_every_score(viewer):
        if viewer.is_staff and viewer.is_active:
            own = _own_counted_review(viewer, OuterRef("pk"))
            score = Case(When(Exists(own), then=score), default=Value(None), output_field=SCORE)
        else:
            score = Value(None, output_field=SCORE)
    return qs.annotate(
        score=score,
        investment_usd=ExpressionWrapper(F("investment_amount") * current_rate("usd_rate"), output_field=MONEY),
        investment_idr=ExpressionWrapper(F("investment_amount") * current_rate("idr_rate"), output_field=MONEY),
        investment_krw=ExpressionWrapper(F("investment_amount") * current_rate("usd_rate") / current_rate("usd_rate", "KRW"), output_field=MONEY),
        counted_reviews=Coalesce(Subquery(counted), Value(0)),
        assigned_reviews=Coalesce(Subquery(assigned), Value(0)),
    )


def application_pipeline_for(user) -> QuerySet[Application]:
    """The staff pipeline: every application the user may view, with score and amounts in USD/IDR."""
    qs = _scope(user, Application.objects.select_related("sector", "referrer", "owning_officer"))
    return with_pipeline_annotations(qs, viewer=user)


def application_amounts(application: Application) -> dict[str, Decimal | None]:
    """Planned investment in USD, IDR and KRW at the current rates staff set (None where a rate is missing)."""
    if application.investment_amount is None:
        return {"usd": None, "idr": None, "krw": None}
    return convert(application.investment_amount, application.investment_currency, rates_on(timezone.localdate()))


def document_list_for(user, application: Application) -> QuerySet[ApplicationDocument]:
    if not can_view_application(user, application):
        raise Http404
    return application.documents.order_by("created_at", "pk")


def document_get_for(user, application_pk: int, document_pk: int) -> ApplicationDocument:
    application = application_get_for(user, application_pk)
    try:
        return application.documents.get(pk=document_pk)
    except (ApplicationDocument.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def comment_list_for(user, application: Application) -> QuerySet[ApplicationComment]:
    """Staff see every comment; partners only the shared ones (internal ones never reach the portal)."""
    if not can_view_application(user, application):
        raise Http404
    qs = application.comments.select_related("author").order_by("created_at", "pk")
    if not user.is_staff:
        qs = qs.filter(visibility=CommentVisibility.SHARED)
    return qs


def status_changes_for(user, application: Application) -> QuerySet[StatusChange]:
    if not can_view_application(user, application):
        raise Http404
    qs = application.status_changes.order_by("created_at", "pk")
    return qs.select_related("actor") if user.is_staff else qs


# --- reminders (the weekly sweep) -----------------------------------------------------------

def overdue_applications(*, now: datetime, overdue_days: int) -> QuerySet[Application]:
    """Open applications sitting in their step longer than ``overdue_days``, with who to remind."""
    return (
        Application.objects.filter(status__in=IN_REVIEW_STATUSES, status_changed_at__lte=now - timedelta(days=overdue_days))
        .select_related("owning_officer")
        .prefetch_related(
            Prefetch("assignments", queryset=ReviewAssignment.objects.select_related("reviewer", "review").order_by("pk"))
        )
        .order_by("pk")
    )


# --- API ------------------------------------------------------------------------------------

def application_api_list_for(user) -> QuerySet[Application]:
    """Applications for the API: staff get the pipeline's annotations (a score only where they may
    see it, :func:`scores_visible`); a partner their organisation's referrals, without any."""
    if user.is_authenticated and user.is_staff:
        return application_pipeline_for(user).order_by("-created_at", "-pk")
    return application_list_for(user)
