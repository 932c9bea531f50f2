"""Letters and certificates KITB issued (visa invitation letters, certificates of attendance), each
with a code that proves it genuine at a public URL."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.models import TimeStampedModel, choices_check

from .common import LANGUAGES
from .registrations import Registration


def new_verification_code() -> str:
    """A code that cannot be guessed (128 bits), in the public verification URL."""
    return secrets.token_urlsafe(16)


class DocumentKind(models.TextChoices):
    VISA_LETTER = "visa_letter", _("Visa invitation letter")
    CERTIFICATE = "certificate", _("Certificate of attendance")


class IssuedDocument(TimeStampedModel):
    """A letter or certificate KITB issued; its code proves it genuine at a public URL (name, event,
    dates; nothing else). The PDF is drawn from this record each time it is downloaded."""

    Kind = DocumentKind

    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    code = models.CharField(_("verification code"), max_length=32, unique=True, default=new_verification_code, editable=False)
    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.PROTECT, related_name="issued_documents"
    )
    holder_name = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language"), max_length=2, default="en")
    signer_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("issued letter or certificate")
        verbose_name_plural = _("issued letters and certificates")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=choices_check("kind", DocumentKind), name="issueddocument_kind_valid"),
            models.UniqueConstraint(fields=["kind", "registration"], name="issueddocument_one_per_registration"),
            models.CheckConstraint(condition=models.Q(language__in=LANGUAGES), name="issueddocument_language_valid"),
            models.CheckConstraint(
                condition=~models.Q(kind="visa_letter") | ~models.Q(signer_name=""), name="issueddocument_letter_signed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.holder_name}"
