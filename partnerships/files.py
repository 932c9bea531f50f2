"""Checking uploaded MoU documents: the portal-wide PDF rule (kitb_portal.common.pdf)."""

from kitb_portal.common.pdf import CheckedFile, check_pdf, max_upload_bytes, safe_display_name

__all__ = ["CheckedFile", "check_pdf", "max_upload_bytes", "safe_display_name"]
