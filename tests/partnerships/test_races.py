"""Two uploads to the same MoU at the same moment get two distinct versions (the MoU row is locked)."""
import pytest

from partnerships import services
from partnerships.models import MoUDocument
from tests.utils import race

from .factories import pdf_upload


@pytest.mark.django_db(transaction=True)
def test_simultaneous_uploads_get_distinct_versions(mou_a, officer):
    def upload(i):
        services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=pdf_upload(f"v{i}.pdf", f"text {i}"))

    assert race(upload, [(i,) for i in range(4)]) == []
    versions = sorted(MoUDocument.objects.filter(mou=mou_a).values_list("version", flat=True))
    assert versions == [1, 2, 3, 4]
    assert len(set(MoUDocument.objects.values_list("file", flat=True))) == 4
