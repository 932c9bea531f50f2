"""Fixtures of the background-job tests: private files per test, eager Celery, staff users, CSV builders."""
from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from kitb_portal.accounts.roles import KITB_ADMINISTRATOR, PARTNERSHIPS_OFFICER, sync_role_permissions
from tests.factories import UserFactory
from tests.live import celery_worker, smtp_server  # noqa: F401 - fixtures
from tests.partnerships.factories import mou_with_parties

COMMITMENT_RESOURCE = "partnerships.resources.CommitmentResource"
MOU_RESOURCE = "partnerships.resources.MoUResource"


@pytest.fixture
def celery_worker_env(private_media):
    """The worker reads and writes job files in this test's private folder."""
    return {"PRIVATE_MEDIA_ROOT": str(private_media)}


def _group(name: str) -> Group:
    sync_role_permissions()
    return Group.objects.get(name=name)


@pytest.fixture
def officer(db, kitb):
    """A partnerships officer (role group, not superuser) who starts the jobs."""
    user = UserFactory(staff=True, organization=kitb, email="officer@kitb.example", full_name="Budi Santoso",
                       preferred_language="en")
    user.groups.add(_group(PARTNERSHIPS_OFFICER))
    return user


@pytest.fixture
def other_officer(db, kitb):
    """Another staff member with the same role: must not see the officer's jobs."""
    user = UserFactory(staff=True, organization=kitb, email="other@kitb.example", full_name="Sari Wulandari")
    user.groups.add(_group(PARTNERSHIPS_OFFICER))
    return user


@pytest.fixture
def kitb_admin(db, kitb):
    """A KITB administrator (role group, not superuser): sees every job."""
    user = UserFactory(staff=True, organization=kitb, email="kitb-admin@kitb.example", full_name="Dewi Lestari")
    user.groups.add(_group(KITB_ADMINISTRATOR))
    return user


@pytest.fixture
def mou(db, kitb, technopark, officer):
    return mou_with_parties(kitb, technopark, owner=officer, reference="KITB/JOB/1", title_en="Jobs MoU")


def commitments_csv(mou, organization, rows: int, *, bad: dict | None = None) -> str:
    """``rows`` new commitments of ``mou``; ``bad``: {row number (1 = first data row): {column: value}}."""
    bad = bad or {}
    lines = ["id,mou,description,responsible_organization,due_date,status"]
    for i in range(1, rows + 1):
        values = {"id": "", "mou": mou.reference, "description": f"Commitment {i}", "responsible_organization": organization.name,
                  "due_date": "2027-06-30", "status": "open", **bad.get(i, {})}
        lines.append(",".join(str(values[c]) for c in ["id", "mou", "description", "responsible_organization", "due_date", "status"]))
    return "\n".join(lines) + "\n"


def upload(text: str, name: str = "commitments.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows: list[list], name: str = "commitments.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())
