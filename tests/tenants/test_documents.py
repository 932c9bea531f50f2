"""PDF checks by content: magic bytes, a readable PDF (pypdf), pages, no password, size limit."""
import io

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfWriter

from tenants.documents import check_pdf_bytes, read_and_check_pdf, sample_pdf_bytes

from .conftest import pdf_upload


def test_a_real_pdf_passes():
    content, digest = read_and_check_pdf(pdf_upload())
    assert content.startswith(b"%PDF-") and len(digest) == 64


@pytest.mark.parametrize("content,code", [
    (b"\x89PNG\r\n\x1a\n fake", "not_pdf"),
    (b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF", "unreadable"),
    (sample_pdf_bytes()[:200], "unreadable"),
])
def test_bad_content_is_refused_with_a_message(content, code):
    with pytest.raises(ValidationError) as exc:
        check_pdf_bytes(content)
    assert exc.value.code == code and exc.value.messages[0]


def test_password_protected_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ValidationError) as exc:
        check_pdf_bytes(buffer.getvalue())
    assert exc.value.code == "encrypted"


def test_size_limit_from_settings(settings):
    settings.MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationError) as exc:
        read_and_check_pdf(pdf_upload(content=sample_pdf_bytes() + b"0" * (1024 * 1024)))
    assert exc.value.code == "too_large"
