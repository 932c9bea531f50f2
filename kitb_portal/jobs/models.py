"""A background job: one import or export of a django-import-export resource, run by Celery."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.models import TimeStampedModel, choices_check

from .storage import input_path, private_storage, result_path


class JobKind(models.TextChoices):
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    REPORT = "report", _("Report")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Checked, waiting for confirmation")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class JobPhase(models.TextChoices):
    """What a running job is doing now (the progress bar's label)."""

    NONE = "", _("Not started")
    CHECK = "check", _("Checking the rows")
    IMPORT = "import", _("Importing")
    EXPORT = "export", _("Writing the file")
    REPORT = "report", _("Building the report")


class JobFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


FINISHED = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


class BackgroundJob(TimeStampedModel):
    """One import, export or report (a report's ``resource_path`` names its builder, a function
    ``(job=, reporter=) -> summary``; its ``summary["url"]`` is where the result is seen). The resource is named by dotted path, so the core imports no app.

    Import: the uploaded file is checked (a dry run that collects every row error), then imported in
    one transaction if no row has an error (or after the starter confirms, when they asked to).
    Export: the rows (``params["ids"]``, in the admin list's order; all rows if absent) are written in
    chunks to the result file. ``processed`` / ``total`` feed the progress bar; ``summary`` holds the
    counts and the row errors (``{"row", "line", "field", "column", "messages", "values"}``, ``values`` being
    ``[[column, value], ...]`` of the bad row in the file's order).
    """

    Kind = JobKind
    Status = JobStatus
    Phase = JobPhase
    Format = JobFormat

    kind = models.CharField(_("kind"), max_length=10, choices=JobKind.choices)
    status = models.CharField(_("status"), max_length=24, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    phase = models.CharField(_("phase"), max_length=10, choices=JobPhase.choices, default=JobPhase.NONE, blank=True)
    model_label = models.CharField(_("model"), max_length=100, help_text=_("app_label.model_name, e.g. partnerships.mou"))
    resource_path = models.CharField(_("resource"), max_length=255, help_text=_("Dotted path of the import-export resource class."))
    queryset_path = models.CharField(
        _("queryset factory"), max_length=255, blank=True,
        help_text=_("Dotted path of a function without arguments returning the export's base queryset; "
                    "empty: the resource's own queryset."),
    )
    file_format = models.CharField(_("format"), max_length=8, choices=JobFormat.choices)
    input_file = models.FileField(_("uploaded file"), storage=private_storage, upload_to=input_path, blank=True, max_length=255)
    input_name = models.CharField(_("file name"), max_length=255, blank=True)
    result_file = models.FileField(_("result file"), storage=private_storage, upload_to=result_path, blank=True, max_length=255)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    total = models.PositiveIntegerField(_("rows in total"), null=True, blank=True)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    summary = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("failure reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="background_jobs",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("starter e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["started_by", "-created_at"], name="job_starter_recent")]
        constraints = [
            models.CheckConstraint(condition=choices_check("kind", JobKind), name="job_kind_valid"),
            models.CheckConstraint(condition=choices_check("status", JobStatus), name="job_status_valid"),
            models.CheckConstraint(condition=choices_check("phase", JobPhase), name="job_phase_valid"),
            models.CheckConstraint(condition=choices_check("file_format", JobFormat), name="job_format_valid"),
            # An import always has its file; a finished job has its end time; a finished export its result.
            models.CheckConstraint(condition=~models.Q(kind=JobKind.IMPORT) | ~models.Q(input_name=""), name="job_import_has_file"),
            models.CheckConstraint(
                condition=~models.Q(status__in=FINISHED) | models.Q(finished_at__isnull=False), name="job_finished_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=JobKind.EXPORT, status=JobStatus.DONE) | ~models.Q(result_file=""),
                name="job_export_done_has_file",
            ),
            models.CheckConstraint(
                condition=models.Q(total__isnull=True) | models.Q(processed__lte=models.F("total")), name="job_processed_le_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} · {self.model_label} · {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == JobStatus.DONE else 0
        return min(100, int(100 * self.processed / self.total))

    @property
    def duration_seconds(self) -> float | None:
        """Time the starter waited: from the request (created_at) to the end."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.created_at).total_seconds()

    @property
    def model_verbose_name(self) -> str:
        from django.apps import apps

        try:
            return str(apps.get_model(self.model_label)._meta.verbose_name_plural)
        except (LookupError, ValueError):
            return self.model_label

    @property
    def error_rows(self) -> int:
        return int((self.summary or {}).get("error_rows", 0))
