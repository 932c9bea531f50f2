"""Reads of the screening reviews: the summary staff see (weighted score, per-criterion spread,
disagreements, quorum), a reviewer's own reviews and their scores, the active criteria."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, ExpressionWrapper, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Round
from django.http import Http404

from ..models import Application, Review, ReviewScore, ScreeningCriterion, ScreeningSettings
from ..permissions import is_kitb_administrator
from .applications import SCORE, weighted_score_subquery

DISAGREEMENT_POINTS = 2  # reviewers disagree when their scores on a criterion differ by more than this


@dataclass
class CriterionRow:
    criterion: ScreeningCriterion
    average: Decimal | None
    low: int | None
    high: int | None
    count: int

    @property
    def disagreement(self) -> bool:
        return self.low is not None and self.high is not None and self.high - self.low > DISAGREEMENT_POINTS


@dataclass
class ReviewSummary:
    score: Decimal | None
    rows: list[CriterionRow]
    counted_reviews: int
    conflicted_reviews: int
    pending_reviews: int
    quorum: int

    @property
    def quorum_met(self) -> bool:
        return self.counted_reviews >= self.quorum

    @property
    def disagreements(self) -> list[CriterionRow]:
        return [row for row in self.rows if row.disagreement]


def review_summary(application: Application) -> ReviewSummary:
    """Staff only: weighted score, per-criterion spread, disagreements (> 2 points) and quorum."""
    counted = Q(review__submitted_at__isnull=False, review__conflict_of_interest=False)
    per_criterion = {
        row["criterion"]: row
        for row in ReviewScore.objects.filter(counted, review__assignment__application=application)
        .values("criterion")
        .annotate(avg=Round(ExpressionWrapper(Sum("score") * Decimal("1.0") / Count("pk"), output_field=SCORE), 2),
                  low=Min("score"), high=Max("score"), n=Count("pk"))
    }
    criteria = list(ScreeningCriterion.objects.filter(Q(is_active=True) | Q(pk__in=list(per_criterion))).order_by("position", "code"))
    rows = [
        CriterionRow(c, per_criterion.get(c.pk, {}).get("avg"), per_criterion.get(c.pk, {}).get("low"),
                     per_criterion.get(c.pk, {}).get("high"), per_criterion.get(c.pk, {}).get("n", 0))
        for c in criteria
    ]
    counts = Review.objects.filter(assignment__application=application).aggregate(
        counted=Count("pk", filter=Q(submitted_at__isnull=False, conflict_of_interest=False)),
        conflicted=Count("pk", filter=Q(conflict_of_interest=True)),
        pending=Count("pk", filter=Q(submitted_at__isnull=True)),
    )
    score = (
        Application.objects.filter(pk=application.pk).annotate(score=Round(weighted_score_subquery(), 2))
        .values_list("score", flat=True).first()
    )
    return ReviewSummary(
        score=score, rows=rows, counted_reviews=counts["counted"], conflicted_reviews=counts["conflicted"],
        pending_reviews=counts["pending"], quorum=ScreeningSettings.load().quorum,
    )


def counted_review_count(application_id: int) -> int:
    return Review.objects.filter(
        assignment__application_id=application_id, submitted_at__isnull=False, conflict_of_interest=False,
    ).count()


def review_list_for(user) -> QuerySet[Review]:
    """Reviews in the admin: a reviewer sees their own; the KITB administrator sees all."""
    qs = Review.objects.select_related("assignment__application", "assignment__reviewer")
    if is_kitb_administrator(user):
        return qs
    return qs.filter(assignment__reviewer=user)


def review_get_for(user, pk: int) -> Review:
    try:
        return review_list_for(user).get(pk=pk)
    except (Review.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def review_scores(review: Review) -> dict[int, ReviewScore]:
    return {s.criterion_id: s for s in review.scores.all()}


def active_criteria() -> QuerySet[ScreeningCriterion]:
    return ScreeningCriterion.objects.filter(is_active=True).order_by("position", "code")
