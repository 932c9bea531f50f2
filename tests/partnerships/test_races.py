"""Two uploads to the same MoU at the same moment get two distinct versions (the MoU row is locked)."""
import threading

import pytest
from django.db import connection

from partnerships import services
from partnerships.models import MoUDocument

from .factories import pdf_upload


@pytest.mark.django_db(transaction=True)
def test_simultaneous_uploads_get_distinct_versions(mou_a, officer):
    barrier = threading.Barrier(4)
    errors = []

    def upload(i):
        try:
            barrier.wait()
            services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=pdf_upload(f"v{i}.pdf", f"text {i}"))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    versions = sorted(MoUDocument.objects.filter(mou=mou_a).values_list("version", flat=True))
    assert versions == [1, 2, 3, 4]
    assert len(set(MoUDocument.objects.values_list("file", flat=True))) == 4
