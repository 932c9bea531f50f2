"""Exports as background jobs: every row in the file (CSV and XLSX), from the admin's export pages."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kitb_portal.jobs import services
from kitb_portal.jobs.models import BackgroundJob
from partnerships.models import Commitment, MoU
from tests.partnerships.factories import mou_with_parties

from .conftest import COMMITMENT_RESOURCE, MOU_RESOURCE

pytestmark = pytest.mark.django_db

Status = BackgroundJob.Status


FIELDS = {f"commitmentresource_{f}": "on" for f in ["id", "mou", "description"]}


def make_commitments(mou, organization, n, **fields):
    Commitment.objects.bulk_create([
        Commitment(mou=mou, description=f"Commitment {i}", responsible_organization=organization, status="open", **fields)
        for i in range(n)
    ])


def read_csv(job) -> list[list[str]]:
    with job.result_file.open("rb") as fh:
        return list(csv.reader(io.StringIO(fh.read().decode("utf-8-sig"))))


def test_an_export_job_writes_every_row_to_csv(officer, mou, technopark, django_capture_on_commit_callbacks, client):
    make_commitments(mou, technopark, 1200)

    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start_export(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                        file_format="csv")
    job.refresh_from_db()
    assert job.status == Status.DONE, job.error
    assert (job.total, job.processed, job.summary["rows"]) == (1200, 1200, 1200)
    rows = read_csv(job)
    assert rows[0][:3] == ["id", "mou", "description"] and len(rows) == 1201
    assert {r[1] for r in rows[1:]} == {"KITB/JOB/1"} and {r[3] for r in rows[1:]} == {technopark.name}
    assert job.result_file.name.startswith(f"jobs/{job.pk}/") and job.result_file.name.endswith(".csv")

    client.force_login(officer)
    response = client.get(reverse("admin:jobs_backgroundjob_download", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.count("\n") == 1201


def test_an_export_job_writes_xlsx_with_the_chosen_rows_and_fields(officer, kitb, technopark, django_capture_on_commit_callbacks):
    mous = [mou_with_parties(kitb, technopark, owner=officer, reference=f"X/{i:03d}") for i in range(30)]
    chosen = [m.pk for m in reversed(mous[:25])]  # the admin list's order

    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start_export(actor=officer, model_label="partnerships.mou", resource_path=MOU_RESOURCE,
                                        file_format="xlsx", ids=chosen, fields=["reference", "parties", "owner"])
    job.refresh_from_db()
    assert job.status == Status.DONE and job.total == 25
    with job.result_file.open("rb") as fh:
        sheet = load_workbook(io.BytesIO(fh.read())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["reference", "owner", "parties"]  # the resource's export order
    assert [r[0] for r in rows[1:]] == [f"X/{i:03d}" for i in range(24, -1, -1)]
    assert rows[1][1] == officer.email and f"{technopark.name}|second_party" in rows[1][2]


def test_rows_deleted_after_the_request_are_left_out(officer, mou, technopark, django_capture_on_commit_callbacks):
    make_commitments(mou, technopark, 5)
    ids = list(Commitment.objects.order_by("pk").values_list("pk", flat=True))
    job = services.job_start_export(actor=officer, model_label="partnerships.commitment", resource_path=COMMITMENT_RESOURCE,
                                    file_format="csv", ids=ids)
    Commitment.objects.filter(pk=ids[0]).delete()
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Status.DONE and job.summary == {"rows": 4, "missing": 1}
    assert len(read_csv(job)) == 5


def test_formulas_are_written_as_text(officer, mou, technopark, django_capture_on_commit_callbacks):
    Commitment.objects.create(mou=mou, description='=HYPERLINK("http://evil.example","x")', responsible_organization=technopark,
                              status="open", responsible_person="+62 812 555")
    for fmt in ("csv", "xlsx"):
        with django_capture_on_commit_callbacks(execute=True):
            job = services.job_start_export(actor=officer, model_label="partnerships.commitment",
                                            resource_path=COMMITMENT_RESOURCE, file_format=fmt)
        job.refresh_from_db()
        if fmt == "csv":
            row = read_csv(job)[1]
            assert row[2] == "'=HYPERLINK(\"http://evil.example\",\"x\")" and row[4] == "+62 812 555"
        else:
            with job.result_file.open("rb") as fh:
                cell = load_workbook(io.BytesIO(fh.read())).active["C2"]
            assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK")


def test_the_admin_export_page_runs_the_filtered_list_in_background(officer, mou, technopark, client, django_capture_on_commit_callbacks):
    make_commitments(mou, technopark, 7)
    make_commitments(mou, technopark, 3, fulfilment_note="done")
    Commitment.objects.filter(fulfilment_note="done").update(status="done", closed_on=dt.date(2026, 1, 5))
    client.force_login(officer)
    url = reverse("admin:partnerships_commitment_export") + "?status__exact=done"

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_background"' in html and "onchange=" not in html and "jobs/export_fields.js" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"format": "0", "resource": "0", "_background": "1",
                                     **{f"commitmentresource_{f}": "on" for f in ["id", "mou", "status"]}})
    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("admin:jobs_backgroundjob_change", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Status.DONE and job.total == 3 and job.params["fields"] == ["id", "mou", "status"]
    rows = read_csv(job)
    assert rows[0] == ["id", "mou", "status"] and {r[2] for r in rows[1:]} == {"done"} and len(rows) == 4


def test_a_large_export_goes_to_the_background_on_its_own(officer, mou, technopark, client, settings,
                                                          django_capture_on_commit_callbacks):
    settings.JOBS_INLINE_EXPORT_MAX_ROWS = 10
    make_commitments(mou, technopark, 11)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:partnerships_commitment_export"), {"format": "1", "resource": "0", **FIELDS})
    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and job.file_format == "xlsx" and job.params["ids"] and job.total == 11
    # a small one stays on the page (the library's inline download)
    Commitment.objects.filter(pk__in=list(Commitment.objects.values_list("pk", flat=True)[:5])).delete()
    response = client.post(reverse("admin:partnerships_commitment_export"), {"format": "0", "resource": "0", **FIELDS})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert BackgroundJob.objects.count() == 1


def test_registrations_export_action_offers_the_background_button(officer, client, django_capture_on_commit_callbacks):
    from events.models import Registration
    from tests.events.factories import EventFactory

    event = EventFactory(capacity=100)
    Registration.objects.bulk_create([
        Registration(event=event, name=f"Guest {i}", email=f"g{i}@example.com", status="cancelled", token=f"tok-{i}")
        for i in range(12)
    ])
    client.force_login(officer)
    changelist = reverse("admin:events_registration_changelist")
    ids = [str(pk) for pk in Registration.objects.values_list("pk", flat=True)[:5]]
    page = client.post(changelist, {"action": "export_admin_action", "_selected_action": ids})
    assert page.status_code == 200 and 'name="_background"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:events_registration_export"),
                               {"format": "0", "resource": "0", "_background": "1", "export_items": ids,
                                **{f"registrationresource_{f}": "on" for f in ["id", "event", "name", "email", "status"]}})
    assert response.status_code == 302
    job = BackgroundJob.objects.get()
    job.refresh_from_db()
    assert job.status == Status.DONE and job.total == 5 and job.queryset_path == "events.selectors.registrations_for_export"
    rows = read_csv(job)
    assert len(rows) == 6 and {r[1] for r in rows[1:]} == {event.title_en}


def test_applications_export_in_background_keeps_the_pipeline_columns(
    officer, kitb_admin, client, django_capture_on_commit_callbacks
):
    from tenants.models import ExchangeRate
    from tests.tenants.factories import ApplicationFactory

    ExchangeRate.objects.update_or_create(currency="USD", defaults={"usd_rate": 1, "idr_rate": 16000})
    ApplicationFactory.create_batch(4, submitted=True)
    client.force_login(kitb_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:tenants_application_export"), {
            "format": "0", "resource": "0", "_background": "1",
            **{f"applicationresource_{f}": "on" for f in ["id", "company_name", "score", "investment_usd", "status"]}})
    assert response.status_code == 302
    job = BackgroundJob.objects.get()
    job.refresh_from_db()
    assert job.status == Status.DONE, job.error
    rows = read_csv(job)
    header = rows[0]
    assert len(rows) == 5 and "investment (USD)" in header and "weighted score" in header
    usd = header.index("investment (USD)")
    assert {float(r[usd]) for r in rows[1:]} == {10_000_000.0}, rows  # computed by the annotated queryset


def test_mou_changelist_links_to_background_jobs(officer, client, mou):
    client.force_login(officer)
    html = client.get(reverse("admin:partnerships_mou_changelist")).content.decode()
    assert reverse("admin:jobs_backgroundjob_changelist") + "?model_label=partnerships.mou" in html
    assert reverse("admin:partnerships_mou_import") in html and reverse("admin:partnerships_mou_export") in html
    assert MoU.objects.count() == 1
