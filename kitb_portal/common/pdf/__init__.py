"""PDFs, one place for the whole portal: checking uploaded PDFs (:mod:`.uploads`), printing a
template to PDF (:mod:`.rendering`), small valid PDFs for demo data and tests (:mod:`.samples`)."""

from .rendering import html_to_pdf, render_pdf
from .samples import sample_pdf_bytes, simple_pdf
from .uploads import (
    PDF_MAGIC,
    CheckedFile,
    check_pdf,
    check_pdf_bytes,
    max_upload_bytes,
    safe_display_name,
)

__all__ = [
    "PDF_MAGIC",
    "CheckedFile",
    "check_pdf",
    "check_pdf_bytes",
    "html_to_pdf",
    "max_upload_bytes",
    "render_pdf",
    "safe_display_name",
    "sample_pdf_bytes",
    "simple_pdf",
]
