"""Checking an uploaded PDF by its content, not its name or declared type."""

from __future__ import annotations

import hashlib
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"


def max_upload_bytes() -> int:
    return int(settings.MAX_UPLOAD_MB) * 1024 * 1024


def read_and_check_pdf(uploaded) -> tuple[bytes, str]:
    """Return (content, sha256) of an uploaded file that is a readable PDF within the size limit;
    raise ValidationError with a message that says what to fix otherwise."""
    size = getattr(uploaded, "size", None)
    limit = max_upload_bytes()
    if size is not None and size > limit:
        raise ValidationError(
            _("The file is %(size).1f MB; the largest accepted is %(max)d MB.") % {"size": size / 1024 / 1024, "max": settings.MAX_UPLOAD_MB},
            code="too_large",
        )
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(_("The file is larger than %(max)d MB.") % {"max": settings.MAX_UPLOAD_MB}, code="too_large")
    if not content:
        raise ValidationError(_("The file is empty."), code="empty")
    check_pdf_bytes(content)
    return content, hashlib.sha256(content).hexdigest()


def check_pdf_bytes(content: bytes) -> None:
    # The header may follow a little junk (the PDF spec tolerates up to 1024 bytes); be strict-ish.
    if PDF_MAGIC not in content[:1024]:
        raise ValidationError(_("This is not a PDF file. Upload the document as a PDF."), code="not_pdf")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise ValidationError(_("The PDF is password-protected. Upload a copy without a password."), code="encrypted")
        pages = len(reader.pages)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError):
        raise ValidationError(_("The PDF file is damaged or cannot be read. Export it again and upload the new copy."), code="unreadable")
    if pages < 1:
        raise ValidationError(_("The PDF has no pages."), code="no_pages")


def sample_pdf_bytes(text: str = "KITB") -> bytes:
    """A small valid one-page PDF (demo data and tests)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
