"""Narratives staff write for a pack, the frozen versions of a pack, their files and sign-offs.

A pack is about a *subject*: ``mou`` (``subject_id`` = the MoU's id) or ``programme`` (every MoU of
the year, ``subject_id`` = 0). The core names no app's model: the MoU is referred to by its id, and
the app that owns the subject checks who may see it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kitb_portal.common.models import TimeStampedModel, choices_check


class _PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT (read at use); served only by permission-checking views."""

    @property
    def base_location(self):  # type: ignore[override]
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):  # type: ignore[override]
        import os

        return os.path.abspath(self.base_location)


_storage = _PrivateStorage()


def pack_storage() -> _PrivateStorage:
    return _storage


def pack_file_upload_to(instance: ReviewPackFile, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1]
    return f"reports/version_{instance.version_id}/{uuid.uuid4().hex}.{ext}"


class Subject(models.TextChoices):
    MOU = "mou", _("MoU")
    PROGRAMME = "programme", _("Whole programme")


class PeriodKind(models.TextChoices):
    CALENDAR_YEAR = "calendar", _("Calendar year")
    ANNIVERSARY_YEAR = "anniversary", _("MoU anniversary year")


class PackLanguage(models.TextChoices):
    INDONESIAN = "id", _("Indonesian")
    KOREAN = "ko", _("Korean")
    ENGLISH = "en", _("English")


class FileFormat(models.TextChoices):
    HTML = "html", "HTML"
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"


class SignOffDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


class ReviewNarrative(TimeStampedModel):
    """What staff write for a pack, per language: the summary and next year's plan."""

    subject = models.CharField(_("subject"), max_length=12, choices=Subject.choices, default=Subject.MOU)
    subject_id = models.PositiveBigIntegerField(_("MoU id"), default=0, help_text=_("0 for the whole programme."))
    period_kind = models.CharField(_("period"), max_length=12, choices=PeriodKind.choices, default=PeriodKind.CALENDAR_YEAR)
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(_("language"), max_length=2, choices=PackLanguage.choices)
    summary = models.TextField(_("summary"), blank=True)
    next_plan = models.TextField(_("next year's plan"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("review narrative")
        verbose_name_plural = _("review narratives")
        ordering = ["-year", "subject", "subject_id", "language"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "subject_id", "period_kind", "year", "language"], name="reviewnarrative_unique"),
            models.CheckConstraint(condition=choices_check("subject", Subject), name="reviewnarrative_subject_valid"),
            models.CheckConstraint(condition=choices_check("period_kind", PeriodKind), name="reviewnarrative_period_valid"),
            models.CheckConstraint(condition=choices_check("language", PackLanguage), name="reviewnarrative_language_valid"),
            models.CheckConstraint(
                condition=(models.Q(subject="programme") & models.Q(subject_id=0)) | (models.Q(subject="mou") & models.Q(subject_id__gt=0)),
                name="reviewnarrative_subject_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.subject_id or ''} {self.year} ({self.language})"


class ReviewPackVersion(TimeStampedModel):
    """A generated pack, frozen: its files never change; regenerating makes the next version."""

    Subject = Subject

    subject = models.CharField(_("subject"), max_length=12, choices=Subject.choices, default=Subject.MOU)
    subject_id = models.PositiveBigIntegerField(_("MoU id"), default=0)
    title = models.CharField(_("title"), max_length=400)
    period_kind = models.CharField(_("period"), max_length=12, choices=PeriodKind.choices, default=PeriodKind.CALENDAR_YEAR)
    year = models.PositiveSmallIntegerField(_("year"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    as_of = models.DateField(_("measured on"))
    number = models.PositiveIntegerField(_("version"))
    measures = models.JSONField(_("measures"), default=dict, blank=True, help_text=_("The figures targets were judged on."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("generated by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("review pack version")
        verbose_name_plural = _("review pack versions")
        ordering = ["-year", "subject", "subject_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "subject_id", "period_kind", "year", "number"], name="reviewpackversion_unique"),
            models.CheckConstraint(condition=choices_check("subject", Subject), name="reviewpackversion_subject_valid"),
            models.CheckConstraint(condition=choices_check("period_kind", PeriodKind), name="reviewpackversion_period_valid"),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="reviewpackversion_period_order"),
            models.CheckConstraint(
                condition=(models.Q(subject="programme") & models.Q(subject_id=0)) | (models.Q(subject="mou") & models.Q(subject_id__gt=0)),
                name="reviewpackversion_subject_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.year} v{self.number}"


class ReviewPackFile(TimeStampedModel):
    """One frozen file of a version (HTML, PDF or XLSX in one language), with its SHA-256."""

    version = models.ForeignKey(ReviewPackVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="files")
    file_format = models.CharField(_("format"), max_length=4, choices=FileFormat.choices)
    language = models.CharField(_("language"), max_length=2, choices=PackLanguage.choices)
    file = models.FileField(_("file"), storage=pack_storage, upload_to=pack_file_upload_to, max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("review pack file")
        verbose_name_plural = _("review pack files")
        ordering = ["version", "file_format", "language"]
        constraints = [
            models.UniqueConstraint(fields=["version", "file_format", "language"], name="reviewpackfile_unique"),
            models.CheckConstraint(condition=choices_check("file_format", FileFormat), name="reviewpackfile_format_valid"),
            models.CheckConstraint(condition=choices_check("language", PackLanguage), name="reviewpackfile_language_valid"),
            models.CheckConstraint(condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="reviewpackfile_sha256_hex"),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="reviewpackfile_size_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.file_format} {self.language}"


class ReviewPackSignOff(TimeStampedModel):
    """A party's answer to a version: approved, or changes requested (with a comment)."""

    Decision = SignOffDecision

    version = models.ForeignKey(ReviewPackVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="sign_offs")
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("party"), on_delete=models.PROTECT, related_name="review_sign_offs",
    )
    decision = models.CharField(_("decision"), max_length=20, choices=SignOffDecision.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("review pack sign-off")
        verbose_name_plural = _("review pack sign-offs")
        ordering = ["version", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["version", "organization"], name="reviewpacksignoff_one_per_party"),
            models.CheckConstraint(condition=choices_check("decision", SignOffDecision), name="reviewpacksignoff_decision_valid"),
            models.CheckConstraint(
                condition=~models.Q(decision="changes_requested") | ~models.Q(comment=""), name="reviewpacksignoff_changes_have_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.version}: {self.get_decision_display()}"
