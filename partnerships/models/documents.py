"""An MoU's document versions (uploaded PDFs, never overwritten) and each party's answer to a draft."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.history import HistoricalRecords
from kitb_portal.common.models import TimeStampedModel, choices_check
from kitb_portal.common.storage import private_storage
from kitb_portal.search.documents import trigram_index

from .mous import MoU, MoUParty


def mou_document_upload_to(instance: MoUDocument, filename: str) -> str:
    """A random, safe name under the MoU's folder; the original name is kept apart, sanitised."""
    return f"partnerships/mou_{instance.mou_id}/{uuid.uuid4().hex}.pdf"


class Language(models.TextChoices):
    INDONESIAN = "id", _("Indonesian")
    KOREAN = "ko", _("Korean")
    ENGLISH = "en", _("English")


class DocumentKind(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED_COPY = "signed_copy", _("Signed copy")
    AMENDMENT = "amendment", _("Amendment")
    TRANSLATION = "translation", _("Translation")


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


class MoUDocument(TimeStampedModel):
    """One uploaded version of an MoU's text (a PDF). Never overwritten: a new upload is a new version."""

    Kind = DocumentKind

    mou = models.ForeignKey(MoU, verbose_name=_("MoU"), on_delete=models.PROTECT, related_name="documents")
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices, default=DocumentKind.DRAFT)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH)
    governing_language = models.CharField(
        _("governing language"), max_length=2, choices=Language.choices, default=Language.ENGLISH,
        help_text=_("The language that prevails when the translations differ."),
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=mou_document_upload_to, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    comment = models.TextField(_("comment"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="mou_documents",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["mou", "-version"]
        indexes = [  # the admin's search
            trigram_index("original_name", name="moudocument_name_trgm_idx"),
            trigram_index("sha256", name="moudocument_sha256_trgm_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["mou", "version"], name="moudocument_unique_version"),
            models.CheckConstraint(condition=choices_check("kind", DocumentKind), name="moudocument_kind_valid"),
            models.CheckConstraint(condition=choices_check("language", Language), name="moudocument_language_valid"),
            models.CheckConstraint(
                condition=choices_check("governing_language", Language), name="moudocument_governing_language_valid"
            ),
            models.CheckConstraint(condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="moudocument_sha256_hex"),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="moudocument_size_positive"),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.get_kind_display()} ({self.original_name})"

    @property
    def uploaded_at(self):
        return self.created_at


class DocumentApproval(TimeStampedModel):
    """A party's answer to a draft version: approved, or changes requested (with a comment)."""

    Decision = ApprovalDecision

    document = models.ForeignKey(MoUDocument, verbose_name=_("document version"), on_delete=models.CASCADE, related_name="approvals")
    party = models.ForeignKey(MoUParty, verbose_name=_("party"), on_delete=models.CASCADE, related_name="approvals")
    decision = models.CharField(_("decision"), max_length=20, choices=ApprovalDecision.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="mou_document_approvals",
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("draft approval")
        verbose_name_plural = _("draft approvals")
        ordering = ["document", "party"]
        indexes = [trigram_index("comment", name="docapproval_comment_trgm_idx")]  # the admin's search
        constraints = [
            models.UniqueConstraint(fields=["document", "party"], name="documentapproval_one_per_party"),
            models.CheckConstraint(condition=choices_check("decision", ApprovalDecision), name="documentapproval_decision_valid"),
            models.CheckConstraint(
                condition=~models.Q(decision="changes_requested") | ~models.Q(comment=""),
                name="documentapproval_changes_have_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} → v{self.document.version}: {self.get_decision_display()}"
