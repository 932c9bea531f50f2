"""A background import and export run by a real Celery worker (prefork) over the real Redis, with the
starter's e-mail delivered to a real SMTP server."""
from __future__ import annotations

import pytest
from django.urls import reverse

from kitb_portal.jobs import services
from kitb_portal.jobs.models import BackgroundJob
from partnerships.models import Commitment
from tests.live import wait_settled, wait_until

from .conftest import COMMITMENT_RESOURCE, commitments_csv, upload

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Status = BackgroundJob.Status


@pytest.fixture
def celery_worker_env(private_media):
    # The worker reads the job's file from this test's folder; 40 rows count as "long" there.
    return {"PRIVATE_MEDIA_ROOT": str(private_media), "JOBS_NOTIFY_MIN_ROWS": "30", "JOBS_PROGRESS_EVERY_ROWS": "10"}


def wait_for_job(job, worker, *, statuses=(Status.DONE, Status.FAILED)):
    def ended():
        job.refresh_from_db()
        return job.status in statuses

    wait_until(ended, timeout=90, message=f"job {job.pk} to end", context=worker.log_tail)
    return job


def test_a_worker_imports_the_file_and_emails_the_starter(smtp_server, celery_worker, officer, mou, technopark, client):
    job = services.job_start_import(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                    file_format="csv", uploaded_file=upload(commitments_csv(mou, technopark, 40)))

    wait_for_job(job, celery_worker)
    assert job.status == Status.DONE, (job.error, celery_worker.log_tail())
    assert Commitment.objects.filter(mou=mou).count() == 40 and job.processed == 40
    assert f"job {job.pk}: done" in celery_worker.log()  # the worker did it, not this process

    smtp_server.wait_for(1, context=celery_worker.log_tail)
    [mail] = wait_settled(smtp_server, celery_worker)  # one e-mail, and no other on its way
    assert mail.rcpt_tos == [officer.email] and "import" in mail.subject.lower()
    assert f"/admin/jobs/backgroundjob/{job.pk}/change/" in mail.text

    # then an export of what was imported, downloaded by the starter
    export = services.job_start_export(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                       file_format="csv")
    wait_for_job(export, celery_worker)
    assert export.status == Status.DONE and export.summary["rows"] == 40
    client.force_login(officer)
    response = client.get(reverse("admin:jobs_backgroundjob_download", args=[export.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode("utf-8-sig").count("\n") == 41
