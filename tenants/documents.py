"""Application documents are PDFs checked by content: the portal-wide rule (kitb_portal.common.pdf)."""

from __future__ import annotations

from kitb_portal.common.pdf import check_pdf, check_pdf_bytes, max_upload_bytes, sample_pdf_bytes

__all__ = ["check_pdf_bytes", "max_upload_bytes", "read_and_check_pdf", "sample_pdf_bytes"]


def read_and_check_pdf(uploaded) -> tuple[bytes, str]:
    """Return (content, sha256) of an uploaded file that is a readable PDF within the size limit;
    raise ValidationError with a message that says what to fix otherwise."""
    checked = check_pdf(uploaded)
    uploaded.seek(0)
    content = uploaded.read()
    uploaded.seek(0)
    return content, checked.sha256
