"""Blind reviews: a committee member sees no score, average or spread of an application before
submitting their own review of it, and never after declaring a conflict of interest; the list
column, the score filter, the ordering and the change page follow the same rule. The KITB
administrator sees everything; partners never see scores."""
import pytest
from django.urls import reverse

from tenants import services

from .conftest import complete_review

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:tenants_application_changelist")
SCORE = "2.67"  # (4*1 + 3*2 + 2*3) / 6


@pytest.fixture
def scored(draft_a, partner_a, kitb_admin, reviewer1, reviewer2, reviewer3, criteria):
    """In screening; reviewer 1 submitted (weighted 2.67), reviewer 2 assigned, reviewer 3 conflicted."""
    services.application_submit(application_id=draft_a.pk, actor=partner_a)
    services.application_start_screening(application_id=draft_a.pk, actor=kitb_admin)
    fit, tech, jobs = criteria
    complete_review(draft_a, reviewer1, {fit: 4, tech: 3, jobs: 2}, assigner=kitb_admin)
    services.review_assign(application_id=draft_a.pk, reviewer=reviewer2, actor=kitb_admin)
    complete_review(draft_a, reviewer3, {fit: 5, tech: 5, jobs: 5}, conflict=True, assigner=kitb_admin)
    draft_a.refresh_from_db()
    return draft_a


def pages(client, user, application) -> dict[str, str]:
    user.preferred_language = "en"  # the texts below are the English ones
    user.save(update_fields=["preferred_language"])
    client.force_login(user)
    change = reverse("admin:tenants_application_change", args=[application.pk])
    return {
        "list": client.get(CHANGELIST).content.decode(),
        "filtered": client.get(CHANGELIST, {"score": "2to3"}).content.decode(),
        "change": client.get(change).content.decode(),
    }


def assert_blind(result, application):
    assert SCORE not in result["list"]
    assert application.company_name not in result["filtered"]  # the score filter does not find it
    assert SCORE not in result["change"] and "Weighted score" not in result["change"]
    assert "3.00" not in result["change"]  # no per-criterion average either (reviewer 1 gave tech 3)
    assert "once you have submitted your own review" in result["change"]


def test_a_reviewer_who_has_not_submitted_sees_no_score(client, scored, reviewer2):
    assert_blind(pages(client, reviewer2, scored), scored)


def test_a_reviewer_who_declared_a_conflict_never_sees_the_scores(client, scored, reviewer3):
    assert_blind(pages(client, reviewer3, scored), scored)


def test_after_submitting_their_own_review_a_reviewer_sees_the_scores(client, scored, reviewer2, criteria, kitb_admin):
    fit, tech, jobs = criteria
    complete_review(scored, reviewer2, {fit: 4, tech: 3, jobs: 2})
    result = pages(client, reviewer2, scored)
    assert SCORE in result["list"] and scored.company_name in result["filtered"]
    assert SCORE in result["change"] and "Weighted score" in result["change"]


def test_the_kitb_administrator_sees_everything(client, scored, kitb_admin):
    result = pages(client, kitb_admin, scored)
    assert SCORE in result["list"] and scored.company_name in result["filtered"]
    assert SCORE in result["change"] and "Weighted score" in result["change"]


def test_a_superuser_sees_everything(client, scored, admin_user):
    result = pages(client, admin_user, scored)
    assert SCORE in result["list"] and SCORE in result["change"]


def test_the_portal_never_shows_scores_to_partners(client_a, scored):
    page = client_a.get(reverse("tenants:application_detail", args=[scored.pk])).content.decode()
    assert client_a.get(reverse("tenants:application_detail", args=[scored.pk])).status_code == 200
    assert SCORE not in page and "score" not in page.lower()
    listing = client_a.get(reverse("tenants:application_list")).content.decode()
    assert SCORE not in listing


def test_other_reviews_are_not_reachable_by_a_reviewer(client, scored, reviewer2, reviewer1):
    from tenants.models import Review

    client.force_login(reviewer2)
    other = Review.objects.get(assignment__reviewer=reviewer1)
    assert client.get(reverse("admin:tenants_review_change", args=[other.pk])).status_code == 404
    assert reviewer1.full_name not in client.get(reverse("admin:tenants_review_changelist")).content.decode()


def test_a_background_export_started_by_a_blind_reviewer_carries_no_score(client, scored, reviewer2, kitb_admin, django_capture_on_commit_callbacks):
    """The job's queryset factory is given the job's starter, so the export blanks the score as the
    changelist does; the administrator's export of the same rows still has it."""
    import csv
    import io

    from django.contrib.auth.models import Permission

    from kitb_portal.jobs.models import BackgroundJob

    # Export needs the view permission only, which committee members hold.
    assert reviewer2.has_perm("tenants.view_application") or reviewer2.user_permissions.add(
        Permission.objects.get(codename="view_application"))
    fields = {f"applicationresource_{f}": "on" for f in ["id", "company_name", "score"]}
    scores = {}
    for user in (reviewer2, kitb_admin):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("admin:tenants_application_export"), {"format": "0", "resource": "0", "_background": "1", **fields})
        assert response.status_code == 302, response.content[:500]
        job = BackgroundJob.objects.filter(started_by=user).get()
        assert job.status == BackgroundJob.Status.DONE, job.error
        with job.result_file.open("rb") as fh:
            rows = list(csv.reader(io.StringIO(fh.read().decode("utf-8-sig"))))
        assert len(rows) == 2, rows
        column = 2  # id, company name, score (headers are in the starter's language)
        scores[user.pk] = [row[column] for row in rows[1:]]
    assert scores[kitb_admin.pk] == [SCORE]
    assert scores[reviewer2.pk] == [""]
