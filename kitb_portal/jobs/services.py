"""Every change of a background job's state: start, run (claim, work, finish), confirm, cancel, sweep.

The life of a job::

    queued ──claim──▶ running ──▶ done
      ▲                 │  └────▶ failed (row errors: nothing imported; or an unexpected error)
      │                 └───────▶ awaiting_confirmation ──confirm──▶ queued (import only)
      │                                      └──────────cancel───▶ cancelled
      └── sweep: a queued job whose task was lost, a running job whose worker died

**When the starter is e-mailed** (``notify``, in their language): when a job ends (done or failed)
or waits for their confirmation, *if it was long*: it took more than ``JOBS_NOTIFY_AFTER_SECONDS``
(30 s) from the request to the end, or it had more than ``JOBS_NOTIFY_MIN_ROWS`` (1,000) rows.
A short job is watched on its page; nobody needs an e-mail for it.

**Which imports run in the background**: the admin sends files of more than
``JOBS_INLINE_IMPORT_MAX_ROWS`` rows (1,000) here on its own, and any file when the person presses
"Run in background"; exports of more than ``JOBS_INLINE_EXPORT_MAX_ROWS`` rows (5,000) likewise.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kitb_portal.notifications.services import notify

from . import runner
from .formats import check_upload_size, read_dataset
from .models import BackgroundJob, JobFormat, JobKind, JobStatus
from .permissions import can_act_on_job, can_start_export, can_start_import

logger = logging.getLogger(__name__)

Status = JobStatus

# Defaults of the tunables (settings JOBS_* override them).
DEFAULTS = {
    "JOBS_NOTIFY_AFTER_SECONDS": 30,
    "JOBS_NOTIFY_MIN_ROWS": 1000,
    "JOBS_INLINE_IMPORT_MAX_ROWS": 1000,
    "JOBS_INLINE_EXPORT_MAX_ROWS": 5000,
    "JOBS_MAX_IMPORT_MB": 50,
    "JOBS_REQUEUE_AFTER_SECONDS": 300,
    "JOBS_STALE_AFTER_SECONDS": 900,
    "JOBS_MAX_ATTEMPTS": 3,
    "JOBS_RETENTION_DAYS": 30,
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])


def _model(model_label: str):
    try:
        return apps.get_model(model_label)
    except (LookupError, ValueError) as exc:
        raise ValidationError(_("Unknown model %(label)s.") % {"label": model_label}) from exc


def _check_resource(resource_path: str, model) -> None:
    try:
        resource_class = import_string(resource_path)
    except ImportError as exc:
        raise ValidationError(_("Unknown resource %(path)s.") % {"path": resource_path}) from exc
    if getattr(resource_class._meta, "model", None) is not model:
        raise ValidationError(_("The resource %(path)s is not for %(model)s.") % {"path": resource_path, "model": model._meta.label})


def _enqueue(job_id: int) -> None:
    """Queue the task; a broker that is down is logged (the sweep queues the job again)."""
    from .tasks import job_run as task

    try:
        task.delay(job_id)
    except Exception:
        logger.exception("job %s: could not queue the task; the sweep will queue it again", job_id)


# --- start -----------------------------------------------------------------------------------


def _job_model(actor, model_label: str, resource_path: str, file_format: str, may_start, refused: str):
    """The model of a job ``actor`` may start (``may_start(actor, model)``; else PermissionDenied with
    ``refused``), in CSV or XLSX, with a resource of that model."""
    model = _model(model_label)
    if not may_start(actor, model):
        raise PermissionDenied(refused % {"model": model._meta.verbose_name_plural})
    if file_format not in JobFormat.values:
        raise ValidationError(_("Choose CSV or XLSX."), code="format")
    _check_resource(resource_path, model)
    return model


@transaction.atomic
def job_start_import(*, actor, model_label: str, resource_path: str, file_format: str, uploaded_file,
                     auto_confirm: bool = True) -> BackgroundJob:
    """Store the uploaded file privately and queue its import (after commit).

    The file is read once here, so an unreadable or empty file is a ValidationError for the form at
    once, not a failed job later. ``auto_confirm``: import as soon as the check finds no row error;
    otherwise the job waits for the starter's confirmation.
    """
    model = _job_model(actor, model_label, resource_path, file_format, can_start_import, _("You may not import %(model)s."))
    check_upload_size(uploaded_file)  # from its size, before reading it
    uploaded_file.seek(0)
    data = uploaded_file.read()
    dataset = read_dataset(data, file_format)
    name = os.path.basename(str(getattr(uploaded_file, "name", "") or f"import.{file_format}"))[:255] or f"import.{file_format}"
    job = BackgroundJob.objects.create(
        kind=JobKind.IMPORT, model_label=model._meta.label_lower, resource_path=resource_path, file_format=file_format,
        input_name=name, params={"auto_confirm": bool(auto_confirm)}, total=len(dataset), started_by=actor,
    )
    from django.core.files.base import ContentFile

    job.input_file.save(f"input.{file_format}", ContentFile(data), save=False)
    job.save(update_fields=["input_file", "updated_at"])
    transaction.on_commit(lambda: _enqueue(job.pk))
    logger.info("job %s: import of %s rows into %s queued by %s", job.pk, job.total, job.model_label, actor.pk)
    return job


@transaction.atomic
def job_start_export(*, actor, model_label: str, resource_path: str, file_format: str, ids: list | None = None,
                     fields: list[str] | None = None, queryset_path: str = "") -> BackgroundJob:
    """Queue an export of ``ids`` (in this order; all rows if None) with the resource's ``fields``
    (all if empty). The rows are listed now, so the file holds what the person saw."""
    model = _job_model(actor, model_label, resource_path, file_format, can_start_export, _("You may not export %(model)s."))
    if queryset_path:
        try:
            import_string(queryset_path)
        except ImportError as exc:
            raise ValidationError(_("Unknown queryset factory %(path)s.") % {"path": queryset_path}) from exc
    params: dict = {}
    if ids is not None:
        params["ids"] = [int(pk) if str(pk).isdigit() else pk for pk in ids]
    if fields:
        params["fields"] = [str(f) for f in fields]
    job = BackgroundJob.objects.create(
        kind=JobKind.EXPORT, model_label=model._meta.label_lower, resource_path=resource_path, queryset_path=queryset_path,
        file_format=file_format, params=params, total=len(ids) if ids is not None else None, started_by=actor,
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    logger.info("job %s: export of %s from %s queued by %s", job.pk, job.total if job.total is not None else "all", job.model_label, actor.pk)
    return job


@transaction.atomic
def job_start_report(*, actor, model_label: str, builder_path: str, params: dict, steps: int) -> BackgroundJob:
    """Queue a report built by ``builder_path`` (see ``runner.run_report``) in ``steps`` steps.
    Starting one needs the add permission of ``model_label`` (what the report creates)."""
    model = _model(model_label)
    if not can_start_import(actor, model):
        raise PermissionDenied(_("You may not create %(model)s.") % {"model": model._meta.verbose_name_plural})
    try:
        import_string(builder_path)
    except ImportError as exc:
        raise ValidationError(_("Unknown report builder %(path)s.") % {"path": builder_path}) from exc
    job = BackgroundJob.objects.create(
        kind=JobKind.REPORT, model_label=model._meta.label_lower, resource_path=builder_path, file_format=JobFormat.XLSX,
        params=params, total=max(int(steps), 1), started_by=actor,
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    logger.info("job %s: report %s queued by %s", job.pk, builder_path, actor.pk)
    return job


# --- run -------------------------------------------------------------------------------------


def _claim(job_id: int) -> BackgroundJob | None:
    """``queued → running`` (or a stale ``running`` whose worker died): exactly one worker wins."""
    now = timezone.now()
    stale = now - timedelta(seconds=int(setting("JOBS_STALE_AFTER_SECONDS")))
    claimed = (
        BackgroundJob.objects.filter(pk=job_id)
        .filter(Q(status=Status.QUEUED) | Q(status=Status.RUNNING, updated_at__lt=stale))
        .update(status=Status.RUNNING, started_at=now, attempts=F("attempts") + 1, updated_at=now)
    )
    if claimed != 1:
        return None
    return BackgroundJob.objects.select_related("started_by").get(pk=job_id)


def job_run(*, job_id: int) -> BackgroundJob | None:
    """Claim the job and do its work; returns the job as it ended, or None if another worker has it
    (or it is no longer queued). Never raises for a problem of the job itself: that is recorded."""
    job = _claim(job_id)
    if job is None:
        logger.info("job %s: not claimed (already running, finished or unknown)", job_id)
        return None
    if job.attempts > int(setting("JOBS_MAX_ATTEMPTS")):
        return _finish(job.pk, runner.Outcome(ok=False, error=_("The job was started %(n)d times and never finished; it was given up.")
                                              % {"n": job.attempts - 1}))
    confirmed = bool(job.params.get("confirmed"))
    try:
        if job.kind == JobKind.IMPORT:
            with runner.acting_as(job.started_by):
                outcome = runner.run_import(job, confirmed=confirmed, on_success=lambda o: _finish(job.pk, o))
            if outcome.finished:
                return BackgroundJob.objects.get(pk=job.pk)
        elif job.kind == JobKind.REPORT:
            with runner.acting_as(job.started_by):
                outcome = runner.run_report(job)
        else:
            with runner.acting_as(job.started_by):
                outcome = runner.run_export(job)
            if outcome.result_path:
                runner.store_result(job, outcome.result_path)
                BackgroundJob.objects.filter(pk=job.pk).update(result_file=job.result_file.name)
    except ValidationError as exc:
        outcome = runner.Outcome(ok=False, error=" ".join(exc.messages))
    except Exception as exc:  # recorded on the job and logged with its traceback
        logger.exception("job %s failed", job.pk)
        if job.kind == JobKind.IMPORT:
            text = _("An unexpected error stopped the job (%(error)s). Nothing was imported.")
        else:
            text = _("An unexpected error stopped the job (%(error)s).")
        outcome = runner.Outcome(ok=False, error=text % {"error": type(exc).__name__})
    return _finish(job.pk, outcome)


@transaction.atomic
def _finish(job_id: int, outcome: runner.Outcome) -> BackgroundJob:
    job = BackgroundJob.objects.select_for_update().select_related("started_by").get(pk=job_id)
    now = timezone.now()
    job.summary = outcome.summary or job.summary
    if outcome.total is not None:
        job.total = outcome.total
    if not outcome.ok:
        job.status = Status.FAILED
        if outcome.error == runner.ROW_ERRORS:
            rows = job.summary.get("error_rows", 0)
            if rows:
                job.error = ngettext(
                    "%(rows)d row has errors; nothing was imported. Correct it and upload the file again.",
                    "%(rows)d rows have errors; nothing was imported. Correct them and upload the file again.", rows,
                ) % {"rows": rows}
            else:
                job.error = _("The file has errors; nothing was imported. Correct them and upload the file again.")
            job.processed = job.total or job.processed  # every row was checked
        else:
            job.error = outcome.error
        job.finished_at = now
    elif job.summary.get("awaiting_confirmation"):
        job.status = Status.AWAITING_CONFIRMATION
        job.processed = job.total or 0
    else:
        job.status = Status.DONE
        job.processed = job.total or job.processed
        job.finished_at = now
        job.error = ""
    job.save(update_fields=["status", "summary", "total", "processed", "error", "finished_at", "updated_at"])
    _notify_if_long(job, now=now)
    logger.info("job %s: %s", job.pk, job.status)
    return job


def is_long(job: BackgroundJob, *, now=None) -> bool:
    """The e-mail rule: more than JOBS_NOTIFY_AFTER_SECONDS from the request to now, or more than
    JOBS_NOTIFY_MIN_ROWS rows."""
    end = job.finished_at or now or timezone.now()
    seconds = (end - job.created_at).total_seconds()
    return seconds > float(setting("JOBS_NOTIFY_AFTER_SECONDS")) or (job.total or 0) > int(setting("JOBS_NOTIFY_MIN_ROWS"))


def job_url(job: BackgroundJob) -> str:
    return settings.SITE_URL + reverse("admin:jobs_backgroundjob_change", args=[job.pk])


def _notify_if_long(job: BackgroundJob, *, now) -> None:
    if job.status not in (Status.DONE, Status.FAILED, Status.AWAITING_CONFIRMATION) or not is_long(job, now=now):
        return
    if job.kind == JobKind.REPORT:
        return  # a report's own service tells the people it concerns (the e-mail templates speak of files)
    message = notify(
        recipient=job.started_by, template="jobs/email/job_finished", kind="job_finished",
        key=f"job-finished:{job.pk}:{job.status}:{job.attempts}",
        context={"job": job, "link": job_url(job), "summary": job.summary, "model_name": job.model_verbose_name},
    )
    if message is not None:
        BackgroundJob.objects.filter(pk=job.pk).update(notified_at=now)
        job.notified_at = now


# --- the starter's decisions -----------------------------------------------------------------


@transaction.atomic
def job_confirm(*, job_id: int, actor) -> BackgroundJob:
    """Import a checked file: back to queued, marked confirmed (the worker imports without a new check;
    the import is still one transaction that is rolled back if a row fails now)."""
    job = BackgroundJob.objects.select_for_update().get(pk=job_id)
    if not can_act_on_job(actor, job):
        raise PermissionDenied(_("You may not confirm this job."))
    if job.status != Status.AWAITING_CONFIRMATION:
        raise ValidationError(_("Only a checked import waiting for confirmation can be confirmed; this job is %(status)s.")
                              % {"status": job.get_status_display()})
    job.status = Status.QUEUED
    job.params = {**job.params, "confirmed": True}
    job.processed = 0
    job.save(update_fields=["status", "params", "processed", "updated_at"])
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


@transaction.atomic
def job_cancel(*, job_id: int, actor) -> BackgroundJob:
    """Drop a job that has not started, or a checked import: nothing is imported."""
    job = BackgroundJob.objects.select_for_update().get(pk=job_id)
    if not can_act_on_job(actor, job):
        raise PermissionDenied(_("You may not cancel this job."))
    if job.status not in (Status.QUEUED, Status.AWAITING_CONFIRMATION):
        raise ValidationError(_("Only a queued job or a checked import can be cancelled; this job is %(status)s.")
                              % {"status": job.get_status_display()})
    job.status = Status.CANCELLED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at", "updated_at"])
    return job


# --- sweep -----------------------------------------------------------------------------------


def job_sweep(*, now=None, batch_size: int = 100) -> dict:
    """Celery beat, every 5 minutes: keep jobs moving and the disk tidy.

    - a job still queued ``JOBS_REQUEUE_AFTER_SECONDS`` after its last change lost its task
      (broker down at commit time): its task is queued again (a job merely waiting behind others may
      get a second task this way; the claim lets only one of them run it);
    - a running job without progress for ``JOBS_STALE_AFTER_SECONDS`` lost its worker: it is queued
      again (an import's transaction was rolled back with the worker, so nothing is imported twice),
      or failed once it was tried ``JOBS_MAX_ATTEMPTS`` times;
    - jobs finished, or left unconfirmed, more than ``JOBS_RETENTION_DAYS`` ago are deleted with
      their files.
    """
    now = now or timezone.now()
    requeue_before = now - timedelta(seconds=int(setting("JOBS_REQUEUE_AFTER_SECONDS")))
    stale_before = now - timedelta(seconds=int(setting("JOBS_STALE_AFTER_SECONDS")))
    with transaction.atomic():
        lost = list(
            BackgroundJob.objects.select_for_update(skip_locked=True)
            .filter(Q(status=Status.QUEUED, updated_at__lt=requeue_before) | Q(status=Status.RUNNING, updated_at__lt=stale_before))
            .order_by("updated_at").values_list("pk", "status", "attempts")[:batch_size]
        )
        requeue = [pk for pk, status, attempts in lost if status == Status.QUEUED or attempts < int(setting("JOBS_MAX_ATTEMPTS"))]
        give_up = [pk for pk, status, attempts in lost if pk not in requeue]
        if requeue:
            BackgroundJob.objects.filter(pk__in=requeue).update(status=Status.QUEUED, updated_at=now)
            transaction.on_commit(lambda: [_enqueue(pk) for pk in requeue])
    for pk in give_up:
        _finish(pk, runner.Outcome(ok=False, error=_("The worker running this job was lost %(n)d times; the job was given up. "
                                                     "Nothing was imported.") % {"n": int(setting("JOBS_MAX_ATTEMPTS"))}))
    purged = job_purge(now=now)
    if lost or purged:
        logger.info("jobs sweep: %s re-queued, %s given up, %s purged", len(requeue), len(give_up), purged)
    return {"requeued": requeue, "failed": give_up, "purged": purged}


def job_purge(*, now=None, batch_size: int = 500) -> int:
    """Delete jobs finished (or left waiting for a confirmation) more than JOBS_RETENTION_DAYS ago,
    and their files."""
    cutoff = (now or timezone.now()) - timedelta(days=int(setting("JOBS_RETENTION_DAYS")))
    old = list(
        BackgroundJob.objects.filter(
            Q(status__in=[Status.DONE, Status.FAILED, Status.CANCELLED], finished_at__lt=cutoff)
            | Q(status=Status.AWAITING_CONFIRMATION, updated_at__lt=cutoff)
        ).order_by("pk")[:batch_size]
    )
    for job in old:
        for f in (job.input_file, job.result_file):
            if f:
                try:
                    f.storage.delete(f.name)
                except OSError:
                    logger.warning("job %s: could not delete %s", job.pk, f.name)
    if old:
        BackgroundJob.objects.filter(pk__in=[j.pk for j in old]).delete()
    return len(old)
