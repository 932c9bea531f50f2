"""Progress seen from outside the job's transaction while it runs; the sweep that keeps jobs moving."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections
from django.utils import timezone

from kitb_portal.jobs import services
from kitb_portal.jobs.models import BackgroundJob
from kitb_portal.jobs.progress import ProgressReporter
from kitb_portal.notifications.models import OutboxMessage
from partnerships.models import Commitment

from .conftest import COMMITMENT_RESOURCE, commitments_csv, upload

Status = BackgroundJob.Status


@pytest.fixture
def watch_progress(monkeypatch):
    """Every progress write, followed by what another database session sees at that moment. Writes
    come every N rows only: on a slow (loaded) machine the every-2-seconds writes would come between."""
    monkeypatch.setattr("kitb_portal.jobs.progress.DEFAULT_EVERY_SECONDS", 3600.0)
    seen: list[tuple[int, str, str]] = []
    original = ProgressReporter.write

    def write_and_look(self):
        original(self)
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT processed, phase, status FROM jobs_backgroundjob WHERE id = %s", [self.job_id])
                seen.append(cursor.fetchone())
        finally:
            other.close()

    monkeypatch.setattr(ProgressReporter, "write", write_and_look)
    return seen


@pytest.mark.django_db(transaction=True)
def test_import_progress_is_visible_while_the_import_transaction_is_open(officer, mou, technopark, settings, watch_progress):
    rows, every = 30, 5  # six progress points per phase
    settings.JOBS_PROGRESS_EVERY_ROWS = every
    # transaction=True: the task runs (eagerly) as soon as the start commits
    job = services.job_start_import(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                    file_format="csv", uploaded_file=upload(commitments_csv(mou, technopark, rows)))
    job.refresh_from_db()
    assert job.status == Status.DONE and Commitment.objects.count() == rows

    for phase in ("check", "import"):
        values = [processed for processed, ph, status in watch_progress if ph == phase]
        assert set(range(every, rows + 1, every)) <= set(values), watch_progress
        assert values == sorted(values)  # only ever forward
    # seen by another session *during* the run: status running, the rows not committed yet
    assert all(status == "running" for _p, _ph, status in watch_progress)
    assert (job.processed, job.total, job.percent) == (rows, rows, 100)


@pytest.mark.django_db(transaction=True)
def test_export_progress_is_written_per_chunk(officer, mou, technopark, settings, watch_progress):
    settings.JOBS_EXPORT_CHUNK = 100
    settings.JOBS_PROGRESS_EVERY_ROWS = 100
    Commitment.objects.bulk_create([
        Commitment(mou=mou, description=f"C{i}", responsible_organization=technopark, status="open") for i in range(350)
    ])
    job = services.job_start_export(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                    file_format="xlsx")
    job.refresh_from_db()
    assert job.status == Status.DONE and job.summary["rows"] == 350
    assert [p for p, ph, _s in watch_progress if ph == "export"][:3] == [100, 200, 300]
    assert watch_progress[-1][0] == 350


@pytest.mark.django_db(transaction=True)
def test_progress_never_blocks_on_the_jobs_own_lock(officer, mou, technopark):
    """Inside a transaction that holds the job's row, an update through the second connection gives
    up after its lock timeout (and is skipped) instead of waiting for ever: no self-deadlock."""
    import time

    from django.db import transaction

    job = services.job_start_import(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                    file_format="csv", uploaded_file=upload(commitments_csv(mou, technopark, 2)))
    reporter = ProgressReporter(job.pk, every_rows=1)
    with transaction.atomic():
        BackgroundJob.objects.select_for_update().get(pk=job.pk)  # committed row, locked by this session
        started = time.monotonic()
        reporter.advance(1)
        waited = time.monotonic() - started
    reporter.close()
    assert 0.4 <= waited < 5 and reporter.writes == 0
    reporter.advance(1)  # no lock any more, and outside a transaction: written on the job's own connection
    assert reporter.writes == 1
    job.refresh_from_db()
    assert job.processed == 2


@pytest.mark.django_db
class TestSweep:
    def _job(self, officer, mou, technopark, **fields):
        job = services.job_start_import(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                        file_format="csv", uploaded_file=upload(commitments_csv(mou, technopark, 3)))
        BackgroundJob.objects.filter(pk=job.pk).update(**fields)
        return job

    def test_a_queued_job_whose_task_was_lost_is_queued_again(self, officer, mou, technopark, django_capture_on_commit_callbacks):
        old = timezone.now() - dt.timedelta(minutes=10)
        job = self._job(officer, mou, technopark, updated_at=old)  # the broker was down: never ran
        fresh = self._job(officer, mou, technopark)
        with django_capture_on_commit_callbacks(execute=True):
            result = services.job_sweep()
        assert result["requeued"] == [job.pk] and result["failed"] == []
        job.refresh_from_db()
        fresh.refresh_from_db()
        assert job.status == Status.DONE and fresh.status == Status.QUEUED
        assert Commitment.objects.count() == 3

    def test_a_running_job_whose_worker_died_is_run_again_then_given_up(
        self, officer, mou, technopark, settings, django_capture_on_commit_callbacks
    ):
        settings.JOBS_NOTIFY_MIN_ROWS = 1  # so that the starter hears about the failure
        stale = timezone.now() - dt.timedelta(hours=1)
        retried = self._job(officer, mou, technopark, status=Status.RUNNING, attempts=1, updated_at=stale, started_at=stale)
        hopeless = self._job(officer, mou, technopark, status=Status.RUNNING, attempts=3, updated_at=stale, started_at=stale)
        alive = self._job(officer, mou, technopark, status=Status.RUNNING, attempts=1, started_at=timezone.now())
        with django_capture_on_commit_callbacks(execute=True):
            result = services.job_sweep()
        assert result["requeued"] == [retried.pk] and result["failed"] == [hopeless.pk]
        retried.refresh_from_db()
        hopeless.refresh_from_db()
        alive.refresh_from_db()
        assert retried.status == Status.DONE and retried.attempts == 2
        assert hopeless.status == Status.FAILED and "lost 3 times" in hopeless.error and hopeless.finished_at
        assert alive.status == Status.RUNNING
        assert OutboxMessage.objects.filter(key__startswith=f"job-finished:{hopeless.pk}:failed").exists()

    def test_a_job_claimed_too_often_is_given_up(self, officer, mou, technopark):
        job = self._job(officer, mou, technopark, attempts=3)
        services.job_run(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == Status.FAILED and "never finished" in job.error and Commitment.objects.count() == 0

    def test_old_finished_jobs_are_deleted_with_their_files(self, officer, mou, technopark):
        long_ago = timezone.now() - dt.timedelta(days=31)
        old = self._job(officer, mou, technopark, status=Status.FAILED, finished_at=long_ago, error="x")
        recent = self._job(officer, mou, technopark, status=Status.DONE, finished_at=timezone.now())
        forgotten = self._job(officer, mou, technopark, status=Status.AWAITING_CONFIRMATION, updated_at=long_ago)
        waiting = self._job(officer, mou, technopark, status=Status.AWAITING_CONFIRMATION)
        storage, name = old.input_file.storage, old.input_file.name
        assert storage.exists(name) and storage.exists(forgotten.input_file.name)
        result = services.job_sweep()
        assert result["purged"] == 2 and not storage.exists(name) and not storage.exists(forgotten.input_file.name)
        assert set(BackgroundJob.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
        assert storage.exists(recent.input_file.name)
