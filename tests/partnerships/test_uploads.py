"""Document uploads: PDF by content, size limit, safe names, versions never overwritten, nothing stored on refusal."""
import hashlib
import os
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from kitb_portal.common.pdf import simple_pdf
from partnerships import services
from partnerships.models import MoUDocument

from .factories import pdf_upload, png_renamed_upload


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_real_pdf_is_accepted_with_size_and_sha256(mou_a, officer, private_media):
    upload = pdf_upload("Final draft.pdf")
    content = upload.read()
    upload.seek(0)
    doc = services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=upload, kind="draft", language="ko",
                                   governing_language="en")
    assert (doc.version, doc.size, doc.sha256) == (1, len(content), hashlib.sha256(content).hexdigest())
    assert (doc.original_name, doc.language, doc.governing_language, doc.uploaded_by) == ("Final draft.pdf", "ko", "en", officer)
    path = Path(doc.file.path)
    assert path.is_file() and path.read_bytes() == content
    assert private_media in path.parents
    assert path.name != "Final draft.pdf" and path.suffix == ".pdf"
    assert len(PdfReader(path).pages) == 1
    assert doc.history.count() == 1 and doc.history.first().history_user == officer


@pytest.mark.django_db
def test_renamed_png_is_refused_and_nothing_is_stored(mou_a, officer, private_media):
    with pytest.raises(ValidationError, match="not a PDF"):
        services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=png_renamed_upload("scan.pdf"))
    assert MoUDocument.objects.count() == 0
    assert stored_files(private_media) == []


@pytest.mark.django_db
def test_pdf_header_with_garbage_is_refused(mou_a, officer, private_media):
    fake = SimpleUploadedFile("fake.pdf", b"%PDF-1.7\nthis is not really a pdf\n" * 10)
    with pytest.raises(ValidationError, match="cannot be read"):
        services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=fake)
    assert MoUDocument.objects.count() == 0 and stored_files(private_media) == []


@pytest.mark.django_db
def test_oversized_file_is_refused(mou_a, officer, private_media, settings):
    settings.MAX_UPLOAD_MB = 1
    big = simple_pdf(["big"]) + b"%" + b"0" * (1024 * 1024)  # a PDF padded past 1 MB
    with pytest.raises(ValidationError, match="largest accepted is 1 MB"):
        services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=SimpleUploadedFile("big.pdf", big))
    assert MoUDocument.objects.count() == 0 and stored_files(private_media) == []


@pytest.mark.django_db
def test_file_name_with_path_parts_is_stored_safely(mou_a, officer, private_media):
    doc = services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=pdf_upload("../../etc/passwd.pdf"))
    assert doc.original_name == "passwd.pdf"
    path = Path(doc.file.path).resolve()
    assert private_media.resolve() in path.parents
    assert ".." not in doc.file.name and "passwd" not in doc.file.name
    assert doc.file.name.startswith(f"partnerships/mou_{mou_a.pk}/")
    assert not Path("/etc/passwd.pdf").exists()
    windows = services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=pdf_upload("..\\..\\초안\x00.pdf"))
    assert windows.original_name == "초안.pdf"


@pytest.mark.django_db
def test_versions_are_never_overwritten(mou_a, officer):
    first = services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=pdf_upload("mou.pdf", "one"))
    second = services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=pdf_upload("mou.pdf", "two"))
    assert (first.version, second.version) == (1, 2)
    assert first.file.name != second.file.name
    assert first.sha256 != second.sha256
    first.refresh_from_db()
    assert hashlib.sha256(Path(first.file.path).read_bytes()).hexdigest() == first.sha256


@pytest.mark.django_db
def test_portal_upload_by_partner_records_their_name(client_a, mou_a, partner_a):
    url = reverse("partnerships:document_upload", args=[mou_a.pk])
    response = client_a.post(url, {"file": pdf_upload("counter-proposal.pdf"), "kind": "draft", "language": "ko",
                                   "governing_language": "en", "comment": "Our comments"})
    assert response.status_code == 302
    doc = MoUDocument.objects.get(mou=mou_a)
    assert doc.uploaded_by == partner_a and doc.original_name == "counter-proposal.pdf"
    detail = client_a.get(reverse("partnerships:mou_detail", args=[mou_a.pk]))
    assert partner_a.full_name in detail.content.decode()


@pytest.mark.django_db
def test_portal_upload_of_png_shows_a_form_error_and_stores_nothing(client_a, mou_a, private_media):
    url = reverse("partnerships:document_upload", args=[mou_a.pk])
    response = client_a.post(url, {"file": png_renamed_upload("photo.pdf"), "kind": "draft", "language": "en",
                                   "governing_language": "en"})
    assert response.status_code == 400
    assert "is not a PDF file" in response.content.decode()
    assert MoUDocument.objects.count() == 0 and stored_files(private_media) == []


@pytest.mark.django_db
def test_download_serves_the_file_as_attachment_with_the_original_name(client_a, mou_a, officer):
    doc = services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=pdf_upload("MoU 초안.pdf"))
    response = client_a.get(reverse("partnerships:document_download", args=[mou_a.pk, doc.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''MoU%20%EC%B4%88%EC%95%88.pdf" in disposition
    assert b"".join(response.streaming_content) == Path(doc.file.path).read_bytes()
    assert os.path.basename(doc.file.name) not in disposition
