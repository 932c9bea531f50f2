"""Checking uploaded MoU documents: PDF by content, size limit, safe display names."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class CheckedFile:
    size: int
    sha256: str
    display_name: str


def max_upload_bytes() -> int:
    return int(settings.MAX_UPLOAD_MB) * 1024 * 1024


def safe_display_name(name: str, default: str = "document.pdf") -> str:
    """The original file name without any path parts or control characters (kept for display only).

    ``../../etc/passwd.pdf`` becomes ``passwd.pdf``; Korean and Indonesian letters are kept.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]  # drop any directory part, Windows or POSIX
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # control/format characters
    name = re.sub(r'[<>:"|?*]', "_", name).strip().strip(".").strip()
    if not name:
        return default
    root, ext = os.path.splitext(name)
    if len(name) > 200:
        name = root[: 200 - len(ext)] + ext
    return name


def check_pdf(uploaded) -> CheckedFile:
    """Validate an uploaded file as a PDF of at most MAX_UPLOAD_MB; return size, SHA-256 and a safe name.

    Raises ValidationError with a message that says what is wrong. Reads the file; stores nothing.
    """
    limit = max_upload_bytes()
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("The file is %(size).1f MB; the largest accepted is %(max)d MB.")
            % {"size": size / (1024 * 1024), "max": settings.MAX_UPLOAD_MB},
            code="too_large",
        )
    uploaded.seek(0)
    head = uploaded.read(len(PDF_MAGIC))
    if head != PDF_MAGIC:
        raise ValidationError(
            _("“%(name)s” is not a PDF file (its content does not start like a PDF). Only PDF documents are accepted.")
            % {"name": safe_display_name(getattr(uploaded, "name", ""))},
            code="not_pdf",
        )
    digest = hashlib.sha256()
    total = 0
    uploaded.seek(0)
    for chunk in uploaded.chunks() if hasattr(uploaded, "chunks") else iter(lambda: uploaded.read(65536), b""):
        total += len(chunk)
        if total > limit:
            raise ValidationError(
                _("The file is larger than %(max)d MB, the largest accepted.") % {"max": settings.MAX_UPLOAD_MB},
                code="too_large",
            )
        digest.update(chunk)
    if total == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    uploaded.seek(0)
    try:
        from pypdf import PdfReader

        reader = PdfReader(uploaded)
        if reader.is_encrypted:
            raise ValueError("encrypted")
        if len(reader.pages) < 1:
            raise ValueError("no pages")
    except Exception:  # pypdf raises many kinds of errors on a broken file
        raise ValidationError(
            _("“%(name)s” starts like a PDF but cannot be read as one (damaged, encrypted or empty). "
              "Please upload a valid, unencrypted PDF.") % {"name": safe_display_name(getattr(uploaded, "name", ""))},
            code="bad_pdf",
        ) from None
    finally:
        uploaded.seek(0)
    return CheckedFile(size=total, sha256=digest.hexdigest(), display_name=safe_display_name(getattr(uploaded, "name", "")))
