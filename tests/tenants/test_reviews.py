"""Reviews: assignment (and its e-mail), scores 1–5, conflict of interest, weighted score, disagreement."""
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from kitb_portal.notifications.models import OutboxMessage
from tenants import selectors, services
from tenants.models import Application, ReviewScore
from tests.factories import UserFactory

from .conftest import complete_review


def score_of(application):
    return selectors.with_pipeline_annotations(Application.objects.filter(pk=application.pk)).get().score


@pytest.mark.django_db
def test_weighted_score_without_conflict(screening_a, kitb_admin, reviewer1, reviewer2, criteria):
    fit, tech, jobs = criteria  # weights 1, 2, 3
    complete_review(screening_a, reviewer1, {fit: 5, tech: 4, jobs: 3}, assigner=kitb_admin)   # (5 + 8 + 9) / 6 = 3.667
    complete_review(screening_a, reviewer2, {fit: 1, tech: 2, jobs: 5}, assigner=kitb_admin)   # (1 + 4 + 15) / 6 = 3.333
    assert score_of(screening_a) == Decimal("3.50")
    summary = selectors.review_summary(screening_a)
    assert summary.score == Decimal("3.50") and summary.counted_reviews == 2 and summary.quorum_met
    assert [r.average for r in summary.rows] == [Decimal("3.00"), Decimal("3.00"), Decimal("4.00")]


@pytest.mark.django_db
def test_weighted_score_with_a_conflicted_reviewer_excludes_their_scores(screening_a, kitb_admin, reviewer1, reviewer2, reviewer3, criteria):
    fit, tech, jobs = criteria
    complete_review(screening_a, reviewer1, {fit: 5, tech: 4, jobs: 3}, assigner=kitb_admin)
    complete_review(screening_a, reviewer2, {fit: 1, tech: 2, jobs: 5}, assigner=kitb_admin)
    complete_review(screening_a, reviewer3, {fit: 1, tech: 1, jobs: 1}, conflict=True, assigner=kitb_admin)
    assert ReviewScore.objects.filter(review__assignment__reviewer=reviewer3).count() == 3  # kept, not counted
    assert score_of(screening_a) == Decimal("3.50")
    summary = selectors.review_summary(screening_a)
    assert (summary.counted_reviews, summary.conflicted_reviews) == (2, 1)
    assert summary.rows[0].low == 1 and summary.rows[0].high == 5  # reviewer 1 vs 2 on fit


@pytest.mark.django_db
def test_only_a_conflicted_review_gives_no_score(screening_a, kitb_admin, reviewer1, criteria):
    complete_review(screening_a, reviewer1, {c: 5 for c in criteria}, conflict=True, assigner=kitb_admin)
    assert score_of(screening_a) is None
    assert selectors.review_summary(screening_a).counted_reviews == 0


@pytest.mark.django_db
def test_drafts_do_not_count_until_submitted(screening_a, kitb_admin, reviewer1, criteria):
    assignment = services.review_assign(application_id=screening_a.pk, reviewer=reviewer1, actor=kitb_admin)
    services.review_save(review_id=assignment.review.pk, actor=reviewer1, conflict_of_interest=False, scores={c.pk: (5, "") for c in criteria})
    assert score_of(screening_a) is None
    services.review_submit(review_id=assignment.review.pk, actor=reviewer1)
    assert score_of(screening_a) == Decimal("5.00")


@pytest.mark.django_db
def test_disagreement_of_more_than_two_points_is_flagged(screening_a, kitb_admin, reviewer1, reviewer2, criteria):
    fit, tech, jobs = criteria
    complete_review(screening_a, reviewer1, {fit: 5, tech: 4, jobs: 3}, assigner=kitb_admin)
    complete_review(screening_a, reviewer2, {fit: 2, tech: 2, jobs: 5}, assigner=kitb_admin)
    flagged = [row.criterion.code for row in selectors.review_summary(screening_a).disagreements]
    assert flagged == ["fit"]  # 5 vs 2 (3 points); 4 vs 2 and 3 vs 5 are exactly 2: not flagged


@pytest.mark.django_db
def test_conflicted_reviewer_does_not_create_a_disagreement(screening_a, kitb_admin, reviewer1, reviewer2, criteria):
    complete_review(screening_a, reviewer1, {c: 5 for c in criteria}, assigner=kitb_admin)
    complete_review(screening_a, reviewer2, {c: 1 for c in criteria}, conflict=True, assigner=kitb_admin)
    assert selectors.review_summary(screening_a).disagreements == []


@pytest.mark.django_db
def test_assigning_tells_the_reviewer(screening_a, kitb_admin, reviewer1, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.review_assign(application_id=screening_a.pk, reviewer=reviewer1, actor=kitb_admin)
    row = OutboxMessage.objects.get(key=f"review-assigned:{assignment.pk}")
    assert row.to_email == reviewer1.email and row.language == "id" and row.kind == "review_assigned"
    assert [m.to for m in mail.outbox] == [[reviewer1.email]]
    assert f"/admin/tenants/review/{assignment.review.pk}/change/" in mail.outbox[0].body
    with pytest.raises(ValidationError):  # twice: refused
        services.review_assign(application_id=screening_a.pk, reviewer=reviewer1, actor=kitb_admin)


@pytest.mark.django_db
def test_assignment_refusals(screening_a, draft_b, kitb_admin, reviewer1, viewer, partner_a, kitb):
    outsider = UserFactory(staff=True, organization=kitb, email="not-committee@kitb.example")
    with pytest.raises(ValidationError):  # not on the committee
        services.review_assign(application_id=screening_a.pk, reviewer=outsider, actor=kitb_admin)
    with pytest.raises(ValidationError):  # a draft is not under review
        services.review_assign(application_id=draft_b.pk, reviewer=reviewer1, actor=kitb_admin)
    for actor in (viewer, partner_a, reviewer1):
        with pytest.raises(PermissionDenied):
            services.review_assign(application_id=screening_a.pk, reviewer=reviewer1, actor=actor)


@pytest.mark.django_db
def test_a_reviewer_edits_only_their_own_review_and_only_until_submitted(screening_a, kitb_admin, reviewer1, reviewer2, criteria):
    assignment = services.review_assign(application_id=screening_a.pk, reviewer=reviewer1, actor=kitb_admin)
    review_id = assignment.review.pk
    for intruder in (reviewer2, kitb_admin):
        with pytest.raises(PermissionDenied):
            services.review_save(review_id=review_id, actor=intruder, conflict_of_interest=False, scores={criteria[0].pk: (1, "")})
    with pytest.raises(ValidationError) as exc:  # every criterion first
        services.review_save(review_id=review_id, actor=reviewer1, conflict_of_interest=False, scores={criteria[0].pk: (4, "")})
        services.review_submit(review_id=review_id, actor=reviewer1)
    assert "Technology level" in exc.value.messages[0]
    services.review_save(review_id=review_id, actor=reviewer1, conflict_of_interest=False, scores={c.pk: (4, "") for c in criteria})
    services.review_submit(review_id=review_id, actor=reviewer1)
    with pytest.raises(ValidationError):
        services.review_save(review_id=review_id, actor=reviewer1, conflict_of_interest=False, scores={criteria[0].pk: (1, "")})


@pytest.mark.django_db
def test_scores_outside_1_to_5_are_refused_by_service_and_database(screening_a, kitb_admin, reviewer1, criteria):
    review = services.review_assign(application_id=screening_a.pk, reviewer=reviewer1, actor=kitb_admin).review
    for bad in (0, 6, -1):
        with pytest.raises(ValidationError):
            services.review_save(review_id=review.pk, actor=reviewer1, conflict_of_interest=False, scores={criteria[0].pk: (bad, "")})
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewScore.objects.create(review=review, criterion=criteria[0], score=6)


@pytest.mark.django_db
def test_conflict_needs_details_and_counts_as_complete_without_scores(screening_a, kitb_admin, reviewer1):
    review = services.review_assign(application_id=screening_a.pk, reviewer=reviewer1, actor=kitb_admin).review
    with pytest.raises(ValidationError):
        services.review_save(review_id=review.pk, actor=reviewer1, conflict_of_interest=True, conflict_note=" ")
    services.review_save(review_id=review.pk, actor=reviewer1, conflict_of_interest=True, conflict_note="My brother runs the company.")
    services.review_submit(review_id=review.pk, actor=reviewer1)
    review.refresh_from_db()
    assert review.is_complete and review.conflict_of_interest


@pytest.mark.django_db
def test_clearing_a_score_removes_it(screening_a, kitb_admin, reviewer1, criteria):
    review = services.review_assign(application_id=screening_a.pk, reviewer=reviewer1, actor=kitb_admin).review
    services.review_save(review_id=review.pk, actor=reviewer1, conflict_of_interest=False, scores={criteria[0].pk: (3, "fine")})
    services.review_save(review_id=review.pk, actor=reviewer1, conflict_of_interest=False, scores={criteria[0].pk: (None, "")})
    assert not review.scores.exists()


@pytest.mark.django_db
def test_assigning_a_reviewer_to_an_application_that_is_gone_says_so(kitb_admin, reviewer1):
    """The assignment loaded the application with a bare get (DoesNotExist: a 500); now through the
    services' shared lock, with its message."""
    with pytest.raises(ValidationError, match="This application does not exist."):
        services.review_assign(application_id=999_999, reviewer=reviewer1, actor=kitb_admin)
