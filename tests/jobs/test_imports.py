"""Imports as background jobs: thousands of rows, row errors, confirmation, e-mail to the starter."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kitb_portal.jobs import services
from kitb_portal.jobs.models import BackgroundJob
from kitb_portal.notifications.models import OutboxMessage
from partnerships.models import Commitment, MoU

from .conftest import COMMITMENT_RESOURCE, MOU_RESOURCE, commitments_csv, upload, xlsx_upload

pytestmark = pytest.mark.django_db

Status = BackgroundJob.Status


def start_import(actor, text, *, resource=COMMITMENT_RESOURCE, label="partnerships.commitment", **kwargs):
    return services.job_start_import(actor=actor, model_label=label, resource_path=resource, file_format="csv",
                                     uploaded_file=upload(text), **kwargs)


@pytest.mark.bulk_data  # thousands of rows: left out of `make test-fast`
def test_2000_commitments_imported_by_one_job_and_the_starter_is_emailed(
    officer, mou, technopark, django_capture_on_commit_callbacks
):
    text = commitments_csv(mou, technopark, 2000)
    assert Commitment.objects.count() == 0
    officer.preferred_language = "id"
    officer.save(update_fields=["preferred_language"])

    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(officer, text)
        assert job.status == Status.QUEUED and job.total == 2000  # counted when the file was read

    job.refresh_from_db()
    assert job.status == Status.DONE, (job.error, job.summary.get("errors", [])[:3])
    assert (job.processed, job.total, job.percent) == (2000, 2000, 100)
    assert job.summary["checked"]["new"] == 2000 and job.summary["imported"]["new"] == 2000
    assert job.summary["errors"] == [] and job.finished_at is not None and job.started_at is not None
    assert Commitment.objects.filter(mou=mou).count() == 2000
    assert set(Commitment.objects.values_list("status", flat=True)) == {"open"}
    # history rows carry the starter's name, as an import from the admin page does
    assert Commitment.history.filter(history_user=officer).count() == 2000
    # > 1,000 rows: a long job, so the starter was e-mailed, in their language (Indonesian)
    [message] = [m for m in mail.outbox if m.to == [officer.email]]
    row = OutboxMessage.objects.get(key=f"job-finished:{job.pk}:done:1")
    assert row.kind == "job_finished" and row.language == "id" and row.recipient == officer
    assert f"/admin/jobs/backgroundjob/{job.pk}/change/" in message.body
    assert job.input_name in message.body and "2000" in message.body
    job.refresh_from_db()
    assert job.notified_at is not None


def test_bad_rows_end_with_row_and_field_errors_and_nothing_imported(
    officer, mou, technopark, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_NOTIFY_MIN_ROWS = 20  # so that this 30-row file counts as long
    outsider_row = {"responsible_organization": "Nobody Ltd"}
    text = commitments_csv(mou, technopark, 30, bad={
        7: {"mou": "NOPE/1"}, 25: outsider_row, 29: {"status": "maybe", "due_date": "31/31/2027"},
    })

    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(officer, text)

    job.refresh_from_db()
    assert job.status == Status.FAILED and job.finished_at is not None
    assert Commitment.objects.count() == 0  # nothing imported, not even the 27 good rows
    assert job.summary["error_rows"] == 3 and "3 rows have errors; nothing was imported" in job.error
    assert job.processed == job.total == 30  # every row was checked
    errors = {(e["row"], e["field"]): e for e in job.summary["errors"]}
    assert "NOPE/1" in " ".join(errors[(7, "mou")]["messages"])
    assert errors[(7, "mou")]["line"] == 8  # the header is line 1 of the file
    assert "Nobody Ltd" in " ".join(errors[(25, "responsible_organization")]["messages"])
    assert {(29, "status"), (29, "due_date")} <= set(errors)
    assert errors[(7, "mou")]["values"][:3] == [["id", ""], ["mou", "NOPE/1"], ["description", "Commitment 7"]]  # file order
    assert "imported" not in job.summary  # the import itself never ran
    # a long job (here: more rows than JOBS_NOTIFY_MIN_ROWS), so the starter hears that it failed
    assert OutboxMessage.objects.filter(key=f"job-finished:{job.pk}:failed:1", recipient=officer).exists()


def test_an_mou_import_with_a_bad_party_names_the_field(officer, kitb, technopark, django_capture_on_commit_callbacks):
    text = (
        "reference,title_en,scope,effective_date,expiry_date,owner,parties\n"
        f"JOB/1,Good,events,2025-01-01,2027-12-31,{officer.email},{kitb.name}|first_party; {technopark.name}\n"
        f"JOB/2,Bad,rockets,2025-01-01,2024-12-31,{officer.email},Unknown Org\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(officer, text, resource=MOU_RESOURCE, label="partnerships.mou")
    job.refresh_from_db()
    assert job.status == Status.FAILED
    fields = {e["field"] for e in job.summary["errors"] if e["row"] == 2}
    assert {"scope", "parties", "expiry_date"} <= fields
    assert not MoU.objects.filter(reference__startswith="JOB/").exists()


def test_a_short_job_sends_no_email_but_a_slow_one_does(officer, mou, technopark, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        quick = start_import(officer, commitments_csv(mou, technopark, 5))
    quick.refresh_from_db()
    assert quick.status == Status.DONE and quick.notified_at is None
    assert not OutboxMessage.objects.filter(kind="job_finished").exists()

    # the same small file, requested 40 s before it ended: long by time
    job = start_import(officer, commitments_csv(mou, technopark, 5).replace("Commitment", "Slow"))
    BackgroundJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(seconds=40))
    with django_capture_on_commit_callbacks(execute=True):
        services.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Status.DONE and job.notified_at is not None
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert services.is_long(job) and not services.is_long(quick)


def test_confirm_first_waits_then_imports_on_confirmation(officer, mou, technopark, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(officer, commitments_csv(mou, technopark, 20), auto_confirm=False)
    job.refresh_from_db()
    assert job.status == Status.AWAITING_CONFIRMATION and job.finished_at is None
    assert job.summary["checked"]["new"] == 20 and Commitment.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        services.job_confirm(job_id=job.pk, actor=officer)
    job.refresh_from_db()
    assert job.status == Status.DONE and job.summary["imported"]["new"] == 20
    assert Commitment.objects.count() == 20
    with pytest.raises(ValidationError):
        services.job_confirm(job_id=job.pk, actor=officer)  # once only


def test_cancel_a_checked_import_imports_nothing(officer, other_officer, mou, technopark, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(officer, commitments_csv(mou, technopark, 3), auto_confirm=False)
    with pytest.raises(PermissionDenied):
        services.job_cancel(job_id=job.pk, actor=other_officer)
    services.job_cancel(job_id=job.pk, actor=officer)
    job.refresh_from_db()
    assert job.status == Status.CANCELLED and job.finished_at is not None and Commitment.objects.count() == 0
    with pytest.raises(ValidationError):
        services.job_confirm(job_id=job.pk, actor=officer)


def test_unreadable_or_empty_files_are_refused_at_once(officer, mou):
    with pytest.raises(ValidationError, match="no data rows"):
        start_import(officer, "id,mou,description\n")
    with pytest.raises(ValidationError, match="empty"):
        start_import(officer, "")
    bad_bytes = upload("x")
    bad_bytes.file.write(b"\xff\xfe\x00broken")
    bad_bytes.file.seek(0)
    with pytest.raises(ValidationError, match="UTF-8"):
        services.job_start_import(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                  file_format="csv", uploaded_file=bad_bytes)
    with pytest.raises(ValidationError, match="XLSX"):
        services.job_start_import(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                  file_format="xlsx", uploaded_file=upload("a,b\n1,2\n"))
    assert not BackgroundJob.objects.exists()


def test_a_missing_id_column_is_an_error_of_the_whole_file(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(officer, "title_en,scope\nNo reference,events\n", resource=MOU_RESOURCE, label="partnerships.mou")
    job.refresh_from_db()
    assert job.status == Status.FAILED and not MoU.objects.filter(title_en="No reference").exists()
    [error] = [e for e in job.summary["errors"] if e["row"] is None]
    assert "reference" in " ".join(error["messages"])


def test_xlsx_import(officer, mou, technopark, django_capture_on_commit_callbacks):
    rows = [["id", "mou", "description", "responsible_organization", "due_date", "status"]]
    rows += [["", mou.reference, f"Seminar {i}", technopark.name, dt.date(2027, 1, 1), "open"] for i in range(30)]
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start_import(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                        file_format="xlsx", uploaded_file=xlsx_upload(rows))
    job.refresh_from_db()
    assert job.status == Status.DONE and Commitment.objects.count() == 30
    assert job.input_file.name == f"jobs/{job.pk}/input.xlsx" and job.input_file.storage.exists(job.input_file.name)


def test_starting_needs_the_model_permissions(db, kitb, mou, technopark):
    from tests.factories import UserFactory

    viewer = UserFactory(staff=True, organization=kitb, email="viewer@kitb.example")
    with pytest.raises(PermissionDenied):
        start_import(viewer, commitments_csv(mou, technopark, 1))
    with pytest.raises(ValidationError, match="not for"):
        start_import(UserFactory(staff=True, is_superuser=True, organization=kitb, email="su@kitb.example"),
                     commitments_csv(mou, technopark, 1), resource=MOU_RESOURCE)
    assert not BackgroundJob.objects.exists()


def test_a_job_runs_once_even_if_its_task_is_delivered_twice(officer, mou, technopark, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(officer, commitments_csv(mou, technopark, 10))
    assert services.job_run(job_id=job.pk) is None  # already done: not claimed again
    assert Commitment.objects.count() == 10
    job.refresh_from_db()
    assert job.attempts == 1
