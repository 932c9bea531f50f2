"""Presentation files of past events: PDFs per event (optionally per agenda session), kept private
(under ``PRIVATE_MEDIA_ROOT``, no public URL) and served by ``public_views.presentation_file`` only
while the event is public and the file is published. Imported by ``models.py`` (the model) and
changed only through ``services.presentation_add`` / ``services.presentation_update``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.models import TimeStampedModel
from kitb_portal.common.storage import PrivateStorage


@deconstructible(path="events.presentations.PrivatePresentationStorage")
class PrivatePresentationStorage(PrivateStorage):
    """The core's private storage (under settings.PRIVATE_MEDIA_ROOT, read at use); asking a
    presentation's URL is an error, not an empty link. The class stays here: migrations name it."""

    def url(self, name):
        raise ValueError("Presentation files have no public URL; use the download view.")


presentation_storage = PrivatePresentationStorage()


def presentation_upload_to(instance: Presentation, filename: str) -> str:
    return f"events/presentations/{instance.event_id}/{uuid.uuid4().hex}.pdf"


class Presentation(TimeStampedModel):
    """A presentation (PDF) shown at an event, or at one session of its agenda."""

    event = models.ForeignKey("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="presentations")
    session = models.ForeignKey(
        "events.Session", verbose_name=_("agenda session"), on_delete=models.CASCADE, related_name="presentations",
        null=True, blank=True,
    )
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(
        _("language"), max_length=2, choices=[("id", _("Indonesian")), ("ko", _("Korean")), ("en", _("English"))], default="en"
    )
    file = models.FileField(_("file"), storage=presentation_storage, upload_to=presentation_upload_to, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Shown on the public page of the event once the event is public."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("presentation file")
        verbose_name_plural = _("presentation files")
        ordering = ["event", "session", "title", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(language__in=["id", "ko", "en"]), name="presentation_language_valid"),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="presentation_size_positive"),
            models.CheckConstraint(condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="presentation_sha256_hex"),
            models.CheckConstraint(condition=~models.Q(title=""), name="presentation_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        if self.session_id and self.event_id and self.session.event_id != self.event_id:
            raise ValidationError({"session": _("This session belongs to another event.")})
