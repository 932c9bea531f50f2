"""Commitments (what an MoU obliges someone to do, by when) and their progress conversation."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.history import HistoricalRecords
from kitb_portal.common.models import TimeStampedModel, choices_check
from kitb_portal.common.storage import private_storage
from kitb_portal.search.documents import ENGLISH, INDONESIAN, SIMPLE, document, document_index, search_field, trigram_index

from .mous import MoU

# What the search indexes (kitb_portal.search.documents): stored as the commitment's search_document.
COMMITMENT_SEARCH_DOCUMENT = document(
    ("description", ENGLISH, "A"), ("description", INDONESIAN, "A"), ("responsible_person", SIMPLE, "B"),
)


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    WAIVED = "waived", _("Waived")


class Commitment(TimeStampedModel):
    """What an MoU obliges someone to do, by when, and what fulfilled it."""

    Status = CommitmentStatus

    mou = models.ForeignKey(MoU, verbose_name=_("MoU"), on_delete=models.CASCADE, related_name="commitments")
    description = models.TextField(_("description"))
    responsible_organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("responsible organisation"), on_delete=models.PROTECT,
        related_name="mou_commitments",
    )
    responsible_person = models.CharField(_("responsible person"), max_length=200, blank=True)
    responsible_contact = models.ForeignKey(
        "accounts.Contact", verbose_name=_("responsible person (contact)"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="mou_commitments", help_text=_("The responsible person in the organisation's contact directory, if listed."),
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible user"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="mou_commitments", help_text=_("If the responsible person has an account, they get the reminders."),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN)
    fulfilment_note = models.TextField(_("what fulfilled it"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    search_document = search_field(COMMITMENT_SEARCH_DOCUMENT)


    done_proposed_at = models.DateTimeField(
        _("proposed as done at"), null=True, blank=True, editable=False,
        help_text=_("The responsible organisation proposed it done; the MoU owner confirms or sends it back."),
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "search_document"])

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["mou", "due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=choices_check("status", CommitmentStatus), name="commitment_status_valid"),
            models.CheckConstraint(
                condition=models.Q(status="open", closed_on__isnull=True) | (~models.Q(status="open") & models.Q(closed_on__isnull=False)),
                name="commitment_closed_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(done_proposed_at__isnull=True) | models.Q(status="open"),
                name="commitment_proposal_only_open",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="commitment_due_idx"),
            document_index(name="commitment_search_idx"),
            # the admin's search (IndexedSearchMixin): a word anywhere in these columns
            trigram_index("description", name="commitment_description_trgm"),
            trigram_index("responsible_person", name="commitment_person_trgm"),
        ]

    def clean(self):
        """Keep ``closed_on`` in step with the status (admin inline and import edit the status directly)."""
        super().clean()
        if (
            self.responsible_contact_id and self.responsible_organization_id
            and self.responsible_contact.organization_id != self.responsible_organization_id
        ):
            raise ValidationError({"responsible_contact": _("The responsible person must be a contact of the responsible organisation.")})
        if self.status == CommitmentStatus.OPEN:
            self.closed_on = None
        else:
            self.done_proposed_at = None  # closed by staff directly: the pending proposal is settled
            if self.closed_on is None:
                self.closed_on = timezone.localdate()

    def __str__(self) -> str:
        text = self.description if len(self.description) <= 80 else self.description[:77] + "…"
        return text


def commitment_evidence_upload_to(instance: CommitmentProgress, filename: str) -> str:
    return f"partnerships/commitment_{instance.commitment_id}/{uuid.uuid4().hex}.pdf"


class ProgressKind(models.TextChoices):
    PROGRESS = "progress", _("Progress report")
    DONE_PROPOSED = "done_proposed", _("Proposed as done")
    CONFIRMED = "confirmed", _("Confirmed as done")
    RETURNED = "returned", _("Sent back")


class CommitmentProgress(TimeStampedModel):
    """One entry of a commitment's conversation: the responsible organisation reports progress (and may
    propose it done, with optional PDF evidence); the MoU owner confirms or sends it back."""

    Kind = ProgressKind

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="progress_entries"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ProgressKind.choices, default=ProgressKind.PROGRESS)
    reported_on = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("text"), max_length=5000)
    evidence = models.FileField(
        _("evidence (PDF)"), storage=private_storage, upload_to=commitment_evidence_upload_to, max_length=255, blank=True
    )
    evidence_name = models.CharField(_("original file name"), max_length=255, blank=True)
    evidence_size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    evidence_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="commitment_progress",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("commitment progress")
        verbose_name_plural = _("commitment progress")
        ordering = ["commitment", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=choices_check("kind", ProgressKind), name="commitmentprogress_kind_valid"),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["progress", "done_proposed", "returned"]) | ~models.Q(text=""),
                name="commitmentprogress_text_not_empty",
            ),
            models.CheckConstraint(
                condition=models.Q(evidence="") | models.Q(evidence_sha256__regex=r"^[0-9a-f]{64}$"),
                name="commitmentprogress_evidence_hashed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reported_on}: {self.text[:60]}"
