"""An MoU's timeline of dated notes (contacts, decisions), internal to KITB unless shared."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.models import TimeStampedModel, choices_check
from kitb_portal.search.documents import trigram_index

from .mous import MoU


class NoteKind(models.TextChoices):
    CONTACT = "contact", _("Contact")
    DECISION = "decision", _("Decision")
    NOTE = "note", _("Note")


class MoUNote(TimeStampedModel):
    """A dated entry in an MoU's timeline of contacts and decisions."""

    Kind = NoteKind

    mou = models.ForeignKey(MoU, verbose_name=_("MoU"), on_delete=models.CASCADE, related_name="notes")
    noted_on = models.DateField(_("date"), default=timezone.localdate)
    kind = models.CharField(_("kind"), max_length=16, choices=NoteKind.choices, default=NoteKind.NOTE)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="mou_notes",
    )
    internal = models.BooleanField(
        _("internal (KITB only)"), default=True,
        help_text=_("Internal notes are for KITB staff only: partners never see them, on the portal or by e-mail."),
    )

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["mou", "-noted_on", "-id"]
        indexes = [trigram_index("text", name="mounote_text_trgm_idx")]  # the admin's search
        constraints = [
            models.CheckConstraint(condition=choices_check("kind", NoteKind), name="mounote_kind_valid"),
            models.CheckConstraint(condition=~models.Q(text=""), name="mounote_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.noted_on}: {self.text[:60]}"
