"""Uploaded PDF documents, checked by content: magic bytes, a readable unencrypted PDF with pages,
at most ``settings.MAX_UPLOAD_MB``. Used by every app that accepts documents (MoU versions,
application documents), so the rule and its messages are the same everywhere.
"""

from __future__ import annotations

import hashlib
import io
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


def _too_large(size: int | None = None) -> ValidationError:
    if size is not None:
        return ValidationError(
            _("The file is %(size).1f MB; the largest accepted is %(max)d MB.")
            % {"size": size / (1024 * 1024), "max": settings.MAX_UPLOAD_MB},
            code="too_large",
        )
    return ValidationError(
        _("The file is larger than %(max)d MB, the largest accepted.") % {"max": settings.MAX_UPLOAD_MB}, code="too_large"
    )


def _check_readable(stream) -> None:
    """pypdf must open it, unencrypted, with at least one page."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise ValidationError(_("The PDF is password-protected. Upload a copy without a password."), code="encrypted")
        pages = len(reader.pages)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError):
        raise ValidationError(
            _("The PDF file is damaged or cannot be read. Export it again and upload the new copy."), code="unreadable"
        ) from None
    if pages < 1:
        raise ValidationError(_("The PDF has no pages."), code="no_pages")


def _check_magic(head: bytes, name: str) -> None:
    if not head.startswith(PDF_MAGIC):
        raise ValidationError(
            _("“%(name)s” is not a PDF file (its content does not start like a PDF). Only PDF documents are accepted.")
            % {"name": safe_display_name(name)},
            code="not_pdf",
        )


def check_pdf(uploaded) -> CheckedFile:
    """Validate an uploaded file as a PDF of at most MAX_UPLOAD_MB; return size, SHA-256 and a safe name.

    Reads the file in chunks (never all of it in memory); stores nothing. Raises ValidationError with a
    message that says what is wrong and a code (too_large, empty, not_pdf, encrypted, unreadable, no_pages).
    """
    limit = max_upload_bytes()
    name = getattr(uploaded, "name", "") or ""
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise _too_large(size)
    uploaded.seek(0)
    head = uploaded.read(len(PDF_MAGIC))
    if not head:
        raise ValidationError(_("The file is empty."), code="empty")
    _check_magic(head, name)
    digest = hashlib.sha256()
    total = 0
    uploaded.seek(0)
    chunks = uploaded.chunks() if hasattr(uploaded, "chunks") else iter(lambda: uploaded.read(65536), b"")
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise _too_large()
        digest.update(chunk)
    uploaded.seek(0)
    try:
        _check_readable(uploaded)
    finally:
        uploaded.seek(0)
    return CheckedFile(size=total, sha256=digest.hexdigest(), display_name=safe_display_name(name))


def check_pdf_bytes(content: bytes, name: str = "") -> None:
    """The same checks on content already in memory (size aside)."""
    if not content:
        raise ValidationError(_("The file is empty."), code="empty")
    _check_magic(content[: len(PDF_MAGIC)], name)
    _check_readable(io.BytesIO(content))

