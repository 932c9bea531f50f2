"""The admin side: import page buttons, status page with its progress bar, JSON progress, errors table,
confirm and cancel, and who may see a job (the starter and KITB administrators; others get 404)."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kitb_portal.jobs import services
from kitb_portal.jobs.models import BackgroundJob
from partnerships.models import Commitment
from tests.utils import assert_flat_queries, count_queries

from .conftest import COMMITMENT_RESOURCE, commitments_csv, upload

pytestmark = pytest.mark.django_db

Status = BackgroundJob.Status
IMPORT_URL = "admin:partnerships_commitment_import"


def job_urls(job) -> dict[str, str]:
    return {name: reverse(f"admin:jobs_backgroundjob_{name}", args=[job.pk]) for name in ("change", "progress", "download")}


def finished_export(officer, mou, technopark, capture):
    Commitment.objects.create(mou=mou, description="One", responsible_organization=technopark, status="open")
    with capture(execute=True):
        job = services.job_start_export(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                        file_format="csv")
    job.refresh_from_db()
    assert job.status == Status.DONE
    return job


def test_import_page_has_the_background_button_and_runs_a_file_in_background(
    officer, mou, technopark, client, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    page = client.get(reverse(IMPORT_URL))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_background"' in html and 'name="confirm_first"' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(IMPORT_URL), {
            "format": "0", "resource": "0", "_background": "1", "import_file": upload(commitments_csv(mou, technopark, 12)),
        })
    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_urls(job)["change"]
    job.refresh_from_db()
    assert (job.status, job.kind, job.started_by, job.resource_path) == (Status.DONE, "import", officer, COMMITMENT_RESOURCE)
    assert Commitment.objects.count() == 12


def test_confirm_first_from_the_import_page(officer, mou, technopark, client, django_capture_on_commit_callbacks):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(IMPORT_URL), {"format": "0", "resource": "0", "_background": "1", "confirm_first": "1",
                                          "import_file": upload(commitments_csv(mou, technopark, 6))})
    job = BackgroundJob.objects.get()
    job.refresh_from_db()
    assert job.params["auto_confirm"] is False and job.status == Status.AWAITING_CONFIRMATION
    assert Commitment.objects.count() == 0


def test_a_small_file_keeps_the_admins_own_preview(officer, mou, technopark, client):
    client.force_login(officer)
    response = client.post(reverse(IMPORT_URL), {"format": "0", "resource": "0",
                                                 "import_file": upload(commitments_csv(mou, technopark, 3))})
    assert response.status_code == 200 and response.context["confirm_form"] is not None
    assert not BackgroundJob.objects.exists() and Commitment.objects.count() == 0


def test_a_large_file_goes_to_the_background_on_its_own(officer, mou, technopark, client, settings):
    settings.JOBS_INLINE_IMPORT_MAX_ROWS = 20
    client.force_login(officer)
    response = client.post(reverse(IMPORT_URL), {"format": "0", "resource": "0",
                                                 "import_file": upload(commitments_csv(mou, technopark, 21))})
    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and job.total == 21 and job.status == Status.QUEUED  # queued on commit
    page = client.get(response["Location"])
    assert "large file" in page.content.decode()


def test_an_unreadable_file_is_a_form_error_not_a_job(officer, client):
    client.force_login(officer)
    response = client.post(reverse(IMPORT_URL), {"format": "0", "resource": "0", "_background": "1",
                                                 "import_file": upload("id,mou,description\n")})
    assert response.status_code == 200
    assert "no data rows" in str(response.context["form"].errors["import_file"])
    assert not BackgroundJob.objects.exists()


def test_status_page_shows_a_progress_bar_polled_by_a_static_script(officer, mou, technopark, client):
    job = services.job_start_import(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                    file_format="csv", uploaded_file=upload(commitments_csv(mou, technopark, 40)))
    BackgroundJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, phase="check", processed=10)
    client.force_login(officer)
    response = client.get(job_urls(job)["change"])
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<progress id="job-progress-bar" aria-label="Progress" aria-describedby="job-progress-count" max="40" value="10">', html)
    assert f'data-url="{job_urls(job)["progress"]}"' in html and "jobs/job_progress.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script (CSP forbids it)"
    assert " style=" not in html.split('id="content-main"')[1]

    data = client.get(job_urls(job)["progress"]).json()
    assert data == {"id": job.pk, "status": "running", "status_label": "Running", "phase": "check",
                    "phase_label": "Checking the rows", "processed": 10, "total": 40, "percent": 25,
                    "finished": False, "awaiting_confirmation": False}
    assert "no-store" in client.get(job_urls(job)["progress"])["Cache-Control"]


def test_status_page_lists_the_row_errors(officer, mou, technopark, client, django_capture_on_commit_callbacks):
    text = commitments_csv(mou, technopark, 8, bad={3: {"mou": "NOPE/9"}, 5: {"status": "maybe"}})
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start_import(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                        file_format="csv", uploaded_file=upload(text))
    client.force_login(officer)
    html = client.get(job_urls(job)["change"]).content.decode()
    assert "2 rows have errors; nothing was imported" in html
    assert "row 3 (line 4)" in html and "NOPE/9" in html and "row 5 (line 6)" in html and "maybe" in html
    assert re.search(r"<td>mou</td>", html) and re.search(r"<td>status</td>", html)
    # the bad row as it is in the file, to find it there
    assert "description: Commitment 3" in html and "due_date: 2027-06-30" in html and "---" not in html
    assert client.get(job_urls(job)["download"]).status_code == 404  # an import has nothing to download


def test_confirm_and_cancel_buttons_of_a_checked_import(officer, mou, technopark, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start_import(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                        file_format="csv", uploaded_file=upload(commitments_csv(mou, technopark, 4)),
                                        auto_confirm=False)
    client.force_login(officer)
    html = client.get(job_urls(job)["change"]).content.decode()
    confirm = reverse("admin:jobs_backgroundjob_confirm", args=[job.pk])
    assert f'action="{confirm}"' in html and "Nothing has been imported yet" in html
    assert client.get(confirm).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Status.DONE and Commitment.objects.count() == 4
    response = client.post(reverse("admin:jobs_backgroundjob_cancel", args=[job.pk]), follow=True)
    assert "Only a queued job or a checked import can be cancelled" in response.content.decode()


def test_another_staff_member_gets_404_for_someone_elses_job(
    officer, other_officer, kitb_admin, mou, technopark, client, django_capture_on_commit_callbacks
):
    job = finished_export(officer, mou, technopark, django_capture_on_commit_callbacks)
    client.force_login(other_officer)
    for url in job_urls(job).values():
        assert client.get(url).status_code == 404, url
    for name in ("confirm", "cancel"):
        assert client.post(reverse(f"admin:jobs_backgroundjob_{name}", args=[job.pk])).status_code == 404
    listing = client.get(reverse("admin:jobs_backgroundjob_changelist"))
    assert listing.status_code == 200 and list(listing.context["cl"].result_list) == []

    client.force_login(kitb_admin)  # the KITB administrator role sees every job
    assert client.get(job_urls(job)["change"]).status_code == 200
    assert client.get(job_urls(job)["download"]).status_code == 200
    assert [j.pk for j in client.get(reverse("admin:jobs_backgroundjob_changelist")).context["cl"].result_list] == [job.pk]

    client.force_login(officer)
    assert client.get(job_urls(job)["download"]).status_code == 200
    assert client.get(reverse("admin:jobs_backgroundjob_change", args=[job.pk + 1000])).status_code == 404
    assert client.get(reverse("admin:jobs_backgroundjob_progress", args=["abc"])).status_code == 404


def test_partners_and_anonymous_visitors_never_reach_a_job(partner_a, officer, mou, technopark, client,
                                                           django_capture_on_commit_callbacks):
    job = finished_export(officer, mou, technopark, django_capture_on_commit_callbacks)
    for url in job_urls(job).values():
        assert client.get(url).status_code == 302  # to the login page
    client.force_login(partner_a)
    for url in job_urls(job).values():
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.slow  # builds the data twice: the query count at two sizes
def test_jobs_changelist_queries_do_not_grow_with_jobs(officer, client):
    client.force_login(officer)

    def make(n):
        BackgroundJob.objects.bulk_create([
            BackgroundJob(kind="export", model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                          file_format="csv", started_by=officer, total=10, processed=i % 10)
            for i in range(n)
        ])

    make(3)
    small = count_queries(client.get, reverse("admin:jobs_backgroundjob_changelist"))
    make(60)
    large = count_queries(client.get, reverse("admin:jobs_backgroundjob_changelist"))
    assert large[2].status_code == 200 and len(large[2].context["cl"].result_list) == 50
    assert_flat_queries(small, large)
