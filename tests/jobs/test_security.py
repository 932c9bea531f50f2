"""Who may import and export (the admin's pages, the events admin's own exports, the background jobs),
formula cells neutralised by every export path, and the import limits (size, zip bombs, rows)."""
from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kitb_portal.accounts.roles import EVENTS_OFFICER, SCREENING_COMMITTEE
from kitb_portal.jobs import services
from kitb_portal.jobs.models import BackgroundJob
from partnerships.models import Commitment
from tests.factories import UserFactory

from .conftest import COMMITMENT_RESOURCE, _group, commitments_csv, upload

pytestmark = pytest.mark.django_db

FORMULA = "=HYPERLINK(\"http://evil.example\",\"x\")"
APPLICATION_EXPORT = "admin:tenants_application_export"
MOU_IMPORT = "admin:partnerships_mou_import"
REGISTRATION_EXPORT = "admin:events_registration_export"
COMMITMENT_IMPORT = "admin:partnerships_commitment_import"


def _staff(kitb, email, group):
    user = UserFactory(staff=True, organization=kitb, email=email)
    user.groups.add(_group(group))
    return user


@pytest.fixture
def events_officer(db, kitb):
    return _staff(kitb, "events@kitb.example", EVENTS_OFFICER)


@pytest.fixture
def reviewer(db, kitb):
    return _staff(kitb, "reviewer@kitb.example", SCREENING_COMMITTEE)


def _refused(response) -> bool:
    return response.status_code == 403 or (response.status_code == 302 and "/login/" in response["Location"])


# --- who may import and export ------------------------------------------------------------------


@pytest.mark.parametrize(("who", "url_name"), [
    ("events_officer", APPLICATION_EXPORT),
    ("events_officer", MOU_IMPORT),
    ("events_officer", COMMITMENT_IMPORT),
    ("reviewer", REGISTRATION_EXPORT),
])
def test_import_and_export_pages_are_refused_without_the_models_permission(request, client, who, url_name):
    client.force_login(request.getfixturevalue(who))
    url = reverse(url_name)
    assert _refused(client.get(url)), url
    data = {"format": "0", "resource": "0", "_background": "1"}
    if url_name.endswith("_import"):
        data["import_file"] = upload("id,reference\n,X\n", name="x.csv")
    assert _refused(client.post(url, data)), url
    assert not BackgroundJob.objects.exists()


def test_the_right_roles_still_get_the_pages(client, officer, events_officer, reviewer, kitb_admin):
    for user, url_name in [(events_officer, REGISTRATION_EXPORT), (officer, MOU_IMPORT), (officer, COMMITMENT_IMPORT),
                           (reviewer, APPLICATION_EXPORT), (kitb_admin, APPLICATION_EXPORT), (events_officer, "admin:partnerships_mou_export")]:
        client.force_login(user)
        assert client.get(reverse(url_name)).status_code == 200, (user.email, url_name)


def test_the_changelist_offers_no_import_button_without_the_permission(client, events_officer):
    client.force_login(events_officer)
    html = client.get(reverse("admin:partnerships_mou_changelist")).content.decode()
    assert reverse(MOU_IMPORT) not in html and reverse("admin:partnerships_mou_export") in html


def test_a_refused_background_export_does_not_fall_back_to_the_inline_file(client, officer, mou, technopark, monkeypatch):
    Commitment.objects.create(mou=mou, description="One", responsible_organization=technopark, status="open")

    def refuse(**kwargs):
        raise PermissionDenied("You may not export commitments.")

    monkeypatch.setattr(services, "job_start_export", refuse)
    client.force_login(officer)
    response = client.post(reverse("admin:partnerships_commitment_export"),
                           {"format": "0", "resource": "0", "_background": "1", "commitmentresource_id": "on"})
    assert response.status_code == 403
    assert not response.get("Content-Type", "").startswith("text/csv")


def test_a_jobs_file_is_not_downloaded_once_its_starter_lost_the_permission(
    client, officer, other_officer, mou, technopark, django_capture_on_commit_callbacks
):
    Commitment.objects.create(mou=mou, description="One", responsible_organization=technopark, status="open")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start_export(actor=officer, model_label="partnerships.commitment",
                                        resource_path=COMMITMENT_RESOURCE, file_format="csv")
    download = reverse("admin:jobs_backgroundjob_download", args=[job.pk])
    client.force_login(other_officer)
    assert client.get(download).status_code == 404  # someone else's job does not exist for them
    client.force_login(officer)
    assert client.get(download).status_code == 200
    # Moved to a role that keeps jobs but cannot read commitments: the file is refused.
    from django.contrib.auth.models import Group

    from kitb_portal.accounts import roles

    officer.groups.set([Group.objects.get(name=roles.SCREENING_COMMITTEE)])
    officer = type(officer).objects.get(pk=officer.pk)  # no cached permissions
    client.force_login(officer)
    assert client.get(download).status_code == 403
    officer.groups.clear()  # no role at all: no jobs pages either
    officer = type(officer).objects.get(pk=officer.pk)
    client.force_login(officer)
    assert client.get(download).status_code == 404


# --- formulas neutralised by every export path ------------------------------------------------------


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx_values(content: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


@pytest.fixture
def hostile_registration(db):
    from events.models import Registration
    from tests.events.factories import EventFactory

    event = EventFactory(capacity=100)
    return Registration.objects.create(event=event, name=FORMULA, email="g@example.com", organization_name="@SUM(A1)",
                                       country="KR", status="cancelled", token="tok-hostile")


def _assert_neutralised(cells: list) -> None:
    assert "'" + FORMULA in cells and "'@SUM(A1)" in cells, cells
    assert FORMULA not in cells and "@SUM(A1)" not in cells


def test_the_inline_export_page_neutralises_formulas(client, events_officer, hostile_registration):
    client.force_login(events_officer)
    fields = {f"registrationresource_{f}": "on" for f in ["id", "name", "organization_name"]}
    csv_file = client.post(reverse(REGISTRATION_EXPORT), {"format": "0", "resource": "0", **fields})
    assert csv_file.status_code == 200 and csv_file["Content-Type"].startswith("text/csv")
    row = _csv_rows(csv_file.content)[1]
    _assert_neutralised(row)
    assert row[0] == str(hostile_registration.pk)
    xlsx_file = client.post(reverse(REGISTRATION_EXPORT), {"format": "1", "resource": "0", **fields})
    assert xlsx_file.status_code == 200
    row = _xlsx_values(xlsx_file.content)[1]
    _assert_neutralised(row)
    assert row[0] == hostile_registration.pk  # numbers stay numbers


def test_the_events_admins_own_exports_neutralise_formulas(client, events_officer, reviewer, hostile_registration):
    event = hostile_registration.event
    client.force_login(events_officer)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("admin:events_event_export", args=[event.pk, fmt]))
        assert response.status_code == 200
        rows = _csv_rows(response.content) if fmt == "csv" else _xlsx_values(response.content)
        _assert_neutralised(rows[1])
        action = client.post(reverse("admin:events_event_changelist"),
                             {"action": f"export_registrations_{fmt}", "_selected_action": [str(event.pk)]})
        assert action.status_code == 200
        rows = _csv_rows(action.content) if fmt == "csv" else _xlsx_values(action.content)
        _assert_neutralised(rows[1])
    client.force_login(reviewer)
    assert client.get(reverse("admin:events_event_export", args=[event.pk, "csv"])).status_code == 403


def test_a_background_export_neutralises_formulas(events_officer, hostile_registration, django_capture_on_commit_callbacks):
    for fmt in ("csv", "xlsx"):
        with django_capture_on_commit_callbacks(execute=True):
            job = services.job_start_export(actor=events_officer, model_label="events.registration",
                                            resource_path="events.admin.RegistrationResource", file_format=fmt,
                                            queryset_path="events.selectors.registrations_for_export")
        job.refresh_from_db()
        with job.result_file.open("rb") as fh:
            content = fh.read()
        rows = _csv_rows(content) if fmt == "csv" else _xlsx_values(content)
        _assert_neutralised(rows[1])


def test_the_one_rule():
    from kitb_portal.jobs.formats import neutralise_formula

    for text in ("=1+1", "+A1", "-A1", "@SUM(A1)", "\t=1", "\r=1"):
        assert neutralise_formula(text) == "'" + text
    for value in ("Budi", "-12.5", "+62 812 555", 12, -3.5, None, ""):
        assert neutralise_formula(value) == value


# --- import limits ----------------------------------------------------------------------------------


def _xlsx_bytes(rows: int, *, padding_rows: int = 0) -> bytes:
    """A valid XLSX with a header and ``rows`` data rows; ``padding_rows`` more rows of the same
    text make the sheet huge once unpacked while the file stays small (it compresses very well)."""
    book = Workbook()
    book.active.append(["id", "mou", "description"])
    buf = io.BytesIO()
    book.save(buf)
    source = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    total = rows + padding_rows
    # Rows without their optional "r" numbers: identical, so they compress about a thousandfold.
    body = ('<row><c t="inlineStr"><is><t></t></is></c><c t="inlineStr"><is><t>X</t></is></c>'
            f'<c t="inlineStr"><is><t>{"x" * 40}</t></is></c></row>') * total
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>mou</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>description</t></is></c></row>'
        f"{body}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = sheet.encode() if info.filename == "xl/worksheets/sheet1.xml" else source.read(info.filename)
            target.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


@pytest.fixture
def loading_forbidden(monkeypatch):
    """Fail the test if anything parses the workbook into a dataset (tablib/import-export's loader)."""
    from import_export.formats import base_formats

    calls = []

    def forbidden(*args, **kwargs):
        calls.append(args)
        raise AssertionError("the XLSX was loaded")  # callers may swallow this: the test checks ``calls``

    monkeypatch.setattr(base_formats.XLSX, "create_dataset", forbidden)
    yield calls
    assert calls == [], "the XLSX was loaded"


def test_a_zip_bomb_xlsx_is_refused_unloaded_on_the_import_page_and_by_a_job(
    client, officer, mou, settings, loading_forbidden
):
    settings.JOBS_MAX_XLSX_UNCOMPRESSED_MB = 5
    data = _xlsx_bytes(1, padding_rows=200_000)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sum(i.file_size for i in archive.infolist()) > 20 * 1024 * 1024 and len(data) < 1024 * 1024
    client.force_login(officer)
    response = client.post(reverse(COMMITMENT_IMPORT),
                           {"format": "1", "resource": "0", "import_file": SimpleUploadedFile("bomb.xlsx", data)})
    assert response.status_code == 200
    assert "would unpack to" in response.content.decode() and "the largest accepted is 5 MB" in response.content.decode()
    with pytest.raises(ValidationError, match="would unpack to"):
        services.job_start_import(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                  file_format="xlsx", uploaded_file=SimpleUploadedFile("bomb.xlsx", data))
    assert not BackgroundJob.objects.exists()


def test_an_xlsx_with_too_many_rows_is_refused_before_it_is_loaded(client, officer, mou, settings, loading_forbidden):
    settings.JOBS_MAX_IMPORT_ROWS = 700
    data = _xlsx_bytes(701)
    client.force_login(officer)
    response = client.post(reverse(COMMITMENT_IMPORT),
                           {"format": "1", "resource": "0", "import_file": SimpleUploadedFile("many.xlsx", data)})
    assert response.status_code == 200 and "The file has more than 700 rows" in response.content.decode()
    assert not BackgroundJob.objects.exists()


def test_an_oversize_file_is_refused_from_its_size_before_it_is_read(client, officer, mou, technopark, settings, monkeypatch):
    settings.JOBS_MAX_IMPORT_MB = 1
    text = commitments_csv(mou, technopark, 3)
    text = text.replace("Commitment 1", "C" * (1024 * 1024 + 10))
    from kitb_portal.jobs import admin_mixins

    calls = []
    monkeypatch.setattr(admin_mixins, "read_dataset", lambda *args, **kwargs: calls.append(args))
    client.force_login(officer)
    response = client.post(reverse(COMMITMENT_IMPORT), {"format": "0", "resource": "0", "import_file": upload(text)})
    assert response.status_code == 200
    assert "the largest accepted is 1 MB" in response.content.decode()
    assert not Commitment.objects.exists() and not BackgroundJob.objects.exists() and calls == []
