"""The work of a job: run a resource's import (check, then import) or export (in chunks).

Called by ``services.job_run`` once it has claimed the job; nothing here changes the job's status.
Resources are loaded by dotted path (``import_string``), so the core never imports an app.
"""

from __future__ import annotations

import copy
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from .formats import read_dataset, writer_for
from .models import BackgroundJob
from .progress import ProgressReporter

DEFAULT_MAX_STORED_ERRORS = 1000
DEFAULT_EXPORT_CHUNK = 500
VALUE_COLUMNS = 6  # columns of a bad row kept to help find it
VALUE_CHARS = 80


def max_stored_errors() -> int:
    return int(getattr(settings, "JOBS_MAX_STORED_ERRORS", DEFAULT_MAX_STORED_ERRORS))


@dataclass
class Outcome:
    """What a run produced, for the service to record."""

    ok: bool
    summary: dict = field(default_factory=dict)
    error: str = ""
    result_path: str | None = None  # a local temporary file holding the export
    total: int | None = None
    finished: bool = False  # the job was already finished (inside the import's transaction)


#: ``Outcome.error`` of an import refused for row errors (the service words the message).
ROW_ERRORS = "rows"


# --- context of a run ------------------------------------------------------------------------


@contextmanager
def acting_as(user):
    """Run as the starter: their language and time zone (column names, numbers and dates as the
    admin's own export would write them for them) and their name on every history row."""
    from simple_history.models import HistoricalRecords

    language = getattr(user, "preferred_language", None) or settings.LANGUAGE_CODE
    zone = getattr(user, "time_zone", None) or settings.TIME_ZONE
    had_request = hasattr(HistoricalRecords.context, "request")
    saved = getattr(HistoricalRecords.context, "request", None)
    HistoricalRecords.context.request = SimpleNamespace(user=user, META={}, GET={}, POST={})
    try:
        with translation.override(language), timezone.override(zone):
            yield
    finally:
        if had_request:
            HistoricalRecords.context.request = saved
        else:
            del HistoricalRecords.context.request


def resource_for(job: BackgroundJob):
    resource_class = import_string(job.resource_path)
    resource = resource_class()
    # A per-instance copy of the options: no HTML diff per row (memory), and the library's own
    # per-run changes (store_instance) stay on this instance.
    resource._meta = copy.copy(resource_class._meta)
    resource._meta.skip_diff = True
    resource._meta.skip_html_diff = True
    return resource


def _with_progress(resource, reporter: ProgressReporter):
    original = resource.import_row

    def import_row(row, instance_loader, **kwargs):
        try:
            return original(row, instance_loader, **kwargs)
        finally:
            reporter.advance(1)

    resource.import_row = import_row
    return resource


# --- import ----------------------------------------------------------------------------------


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def _values(row: dict | None) -> list[list[str]]:
    """[[column, value], ...] in the file's order (a list: a JSON object in PostgreSQL loses the order)."""
    if not row:
        return []
    return [[str(k), _short(v)] for k, v in list(row.items())[:VALUE_COLUMNS] if k not in (None, "")]


def collect_errors(result, resource, dataset=None) -> tuple[list[dict], int, int]:
    """Row errors of an import result as JSON: (errors, rows with an error, errors in total).

    ``row`` is the data row (1 = the first row under the header), ``line`` the line of the file
    (the header is line 1), ``field`` the resource field (its column name in ``column``), or "" for
    an error of the whole row or file.
    """
    errors: list[dict] = []
    rows_with_errors: set = set()
    count = 0

    headers = [str(h) for h in (dataset.headers or [])] if dataset is not None else []

    def row_values(number: int, fallback: list) -> list:
        """The bad row as it is in the file (its first columns), to help find it."""
        if dataset is not None and 0 < number <= len(dataset):
            return _values(dict(zip(headers, dataset[number - 1], strict=False)))
        return fallback

    def column_of(name: str) -> str:
        fld = resource.fields.get(name)
        return str(fld.column_name) if fld is not None and fld.column_name else name

    for base in result.base_errors:
        count += 1
        errors.append({"row": None, "line": None, "field": "", "column": "", "messages": [str(base.error)], "values": []})
    for invalid in result.invalid_rows:
        rows_with_errors.add(invalid.number)
        values = row_values(invalid.number, [])
        for name, messages in invalid.error_dict.items():
            count += len(messages)
            fld = "" if name == NON_FIELD_ERRORS else name
            errors.append({
                "row": invalid.number, "line": invalid.number + 1, "field": fld, "column": column_of(fld) if fld else "",
                "messages": [str(m) for m in messages], "values": values,
            })
    for error_row in result.error_rows:
        rows_with_errors.add(error_row.number)
        for err in error_row.errors:
            count += 1
            errors.append({
                "row": error_row.number, "line": error_row.number + 1, "field": "", "column": "",
                "messages": [str(err.error)], "values": row_values(error_row.number, _values(err.row)),
            })
    errors.sort(key=lambda e: (e["row"] is not None, e["row"] or 0))
    return errors[: max_stored_errors()], len(rows_with_errors), count


def _totals(result) -> dict:
    return {str(k): v for k, v in result.totals.items()}


def run_import(job: BackgroundJob, *, confirmed: bool, on_success=None) -> Outcome:
    """Check every row (dry run, rolled back), then import them all in one transaction if none has
    an error and the starter did not ask to confirm first (``confirmed``: they have confirmed).

    Row errors: nothing is imported, ``summary["errors"]`` names row and field. ``on_success(outcome)``
    runs inside the import's transaction, so the job is recorded done in the same commit as its rows
    (a worker lost between the two can never import a file twice).
    """
    with job.input_file.open("rb") as fh:
        data = fh.read()
    dataset = read_dataset(data, job.file_format)
    total = len(dataset)
    kwargs = {"user": job.started_by, "file_name": job.input_name}
    auto = bool(job.params.get("auto_confirm", True))
    summary: dict = {"rows": total}

    if not confirmed:
        reporter = ProgressReporter(job.pk)
        try:
            _set_phase(job, BackgroundJob.Phase.CHECK, reporter)
            resource = _with_progress(resource_for(job), reporter)
            result = resource.import_data(dataset, dry_run=True, raise_errors=False, use_transactions=True,
                                          rollback_on_validation_errors=True, **kwargs)
            reporter.set(total)
        finally:
            reporter.close()
        errors, error_rows, error_count = collect_errors(result, resource, dataset)
        summary.update(checked=_totals(result), errors=errors, error_rows=error_rows, error_count=error_count)
        if errors:
            return Outcome(ok=False, summary=summary, total=total, error=ROW_ERRORS)
        if not auto:
            summary["awaiting_confirmation"] = True
            return Outcome(ok=True, summary=summary, total=total)

    reporter = ProgressReporter(job.pk)
    summary.pop("awaiting_confirmation", None)
    try:
        _set_phase(job, BackgroundJob.Phase.IMPORT, reporter)
        resource = _with_progress(resource_for(job), reporter)
        with transaction.atomic():
            # The library's own transaction (a savepoint here) is rolled back whole if any row
            # fails, validation errors included.
            result = resource.import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True,
                                          rollback_on_validation_errors=True, **kwargs)
            reporter.set(total)
            errors, error_rows, error_count = collect_errors(result, resource, dataset)
            summary.update(imported=_totals(result), errors=errors, error_rows=error_rows, error_count=error_count)
            if errors:
                return Outcome(ok=False, summary=summary, total=total, error=ROW_ERRORS)
            outcome = Outcome(ok=True, summary=summary, total=total)
            if on_success is not None:
                on_success(outcome)
                outcome.finished = True
            return outcome
    finally:
        reporter.close()


def _set_phase(job: BackgroundJob, phase: str, reporter: ProgressReporter) -> None:
    """Phase and processed=0, visible at once (the job's connection is not in a transaction here)."""
    BackgroundJob.objects.filter(pk=job.pk).update(phase=phase, processed=0, updated_at=timezone.now())
    job.phase = phase
    reporter.processed = 0


# --- export ----------------------------------------------------------------------------------


def export_queryset(job: BackgroundJob, resource):
    if job.queryset_path:
        # The factory gets the job's starter: annotations it adds follow what that person may see.
        return import_string(job.queryset_path)(viewer=job.started_by)
    return resource.get_queryset()


def run_export(job: BackgroundJob) -> Outcome:
    """Write the rows to a temporary file, ``JOBS_EXPORT_CHUNK`` rows per query."""
    resource = resource_for(job)
    queryset = resource.filter_export(export_queryset(job, resource))
    ids = job.params.get("ids")
    if ids is None:
        ids = list(queryset.values_list("pk", flat=True))
    total = len(ids)
    fields = job.params.get("fields") or None
    chunk = int(getattr(settings, "JOBS_EXPORT_CHUNK", DEFAULT_EXPORT_CHUNK))
    BackgroundJob.objects.filter(pk=job.pk).update(phase=BackgroundJob.Phase.EXPORT, total=total, processed=0, updated_at=timezone.now())

    fd, path = tempfile.mkstemp(prefix=f"job-{job.pk}-", suffix=f".{job.file_format}")
    reporter = ProgressReporter(job.pk)
    written = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            writer = writer_for(job.file_format, fh, title=job.model_verbose_name)
            writer.writerow(resource.get_export_headers(selected_fields=fields))
            resource.before_export(queryset)
            for start in range(0, total, chunk):
                part = ids[start:start + chunk]
                objects = {obj.pk: obj for obj in queryset.filter(pk__in=part)}
                for pk in part:
                    obj = objects.get(pk)
                    if obj is None:
                        continue  # deleted since the job was started
                    writer.writerow(resource.export_resource(obj, selected_fields=fields, force_native_type=writer.native_types))
                    written += 1
                reporter.advance(len(part))
            writer.close()
        reporter.set(total)
    except BaseException:
        os.unlink(path)
        raise
    finally:
        reporter.close()
    return Outcome(ok=True, summary={"rows": written, "missing": total - written}, result_path=path, total=total)


def store_result(job: BackgroundJob, path: str) -> None:
    """Move the temporary export into the job's private storage."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"{job.model_label.replace('.', '-')}-{stamp}.{job.file_format}"
    try:
        with open(path, "rb") as fh:
            job.result_file.save(name, File(fh), save=False)
    finally:
        os.unlink(path)



# --- report ----------------------------------------------------------------------------------


def run_report(job: BackgroundJob) -> Outcome:
    """Call the report's builder (``job.resource_path``) with a progress reporter; ``job.total`` is
    its number of steps. The builder returns the summary (with ``url``: where to see the result)."""
    builder = import_string(job.resource_path)
    BackgroundJob.objects.filter(pk=job.pk).update(phase=BackgroundJob.Phase.REPORT, processed=0, updated_at=timezone.now())
    reporter = ProgressReporter(job.pk, every_rows=1)
    try:
        summary = builder(job=job, reporter=reporter)
    finally:
        reporter.close()
    return Outcome(ok=True, summary=summary or {}, total=job.total)
