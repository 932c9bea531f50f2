"""Frozen versions: the PDF (fonts embedded, Korean and Indonesian headings searchable), the XLSX,
freezing, sign-off per party and only on the current version, access (404 for other organisations),
the job that builds a version, and the pack's query count."""
from __future__ import annotations

import io
import shutil

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test.utils import override_settings
from django.urls import reverse
from pypdf import PdfReader

from kitb_portal.reports import services as reports
from kitb_portal.reports.compose import compose
from kitb_portal.reports.models import ReviewPackFile, ReviewPackSignOff, ReviewPackVersion
from partnerships import services
from partnerships.models import MoUNote, MoUTarget
from partnerships.review import mou_context
from tests.factories import UserFactory, people
from tests.utils import SharedByTheClass, assert_flat_queries, built_once, count_queries, own_copy

from .conftest import AS_OF, YEAR, active_mou, make_officer, make_rates, make_year

pytestmark = pytest.mark.django_db


def _version(mou_a, officer):
    """The first version of ``mou_a``'s pack of a year of rows, with a target and a Korean narrative."""
    make_year(mou_a, size=1)
    MoUTarget.objects.create(mou=mou_a, year=YEAR, kind="events_held", target_value=3)
    reports.review_narrative_save(actor=officer, subject="mou", subject_id=mou_a.pk, period_kind="calendar", year=YEAR,
                                  language="ko", summary="올해 공동 세미나를 두 번 열었습니다.", next_plan="")
    return services.review_pack_build(actor=officer, mou_id=mou_a.pk, year=YEAR, as_of=AS_OF)


def _one_version(media_root) -> dict:
    """What the fixtures of the same names give, with ``version`` built of them (its files under
    ``media_root``)."""
    with override_settings(PRIVATE_MEDIA_ROOT=media_root, MEDIA_ROOT=media_root):
        made = people()
        officer = make_officer(made["kitb"])
        mou_a = active_mou(made["kitb"], made["technopark"], owner=officer, reference="KITB/A/1")
        make_rates()
        return {**made, "media_root": media_root, "officer": officer, "mou_a": mou_a, "version": _version(mou_a, officer)}


def _pdf(version, language) -> PdfReader:
    pack_file = reports.file_of(version, "pdf", language)
    return PdfReader(io.BytesIO(reports.read_verified(pack_file)))


def _fonts(reader: PdfReader) -> list:
    fonts = []
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            fonts.append(font)
    return fonts


def _embedded(font) -> bool:
    descendants = font.get("/DescendantFonts")
    target = descendants[0].get_object() if descendants else font
    descriptor = target.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


class TestOneVersion(SharedByTheClass):
    """The tests of one version, built once for the class (tests.utils.built_once; its PDFs are printed
    by WeasyPrint, seconds, and read by the first test; versions a test builds itself get plain PDFs,
    see ``plain_pack_pdfs``): the fixtures of what it is made of (mou_a, officer, partner_a...) give the world's. Each
    test gets its own copy of the version's files in its own PRIVATE_MEDIA_ROOT, so one that alters
    a file alters its copy only."""

    shares = ("version", "kitb", "technopark", "province", "officer", "mou_a", "admin_user", "partner_a", "partner_b")

    @pytest.fixture(scope="class")
    @classmethod
    def shared(cls, django_db_setup, django_db_blocker, tmp_path_factory):
        yield from built_once(django_db_blocker, _one_version, tmp_path_factory.mktemp("version"))

    @pytest.fixture
    def own(self, shared, private_media):
        shutil.copytree(shared["media_root"], private_media, dirs_exist_ok=True)
        return own_copy(shared)

    @pytest.mark.parametrize("language,headings", [
        ("ko", ["연간 협력 검토", "공동 행사", "올해 공동 세미나를 두 번 열었습니다."]),
        ("id", ["Tinjauan Kerja Sama Tahunan", "Acara bersama", "Perusahaan dan investasi"]),
    ])
    def test_the_pdf_has_its_headings_as_text_and_its_fonts_embedded(self, version, language, headings):
        reader = _pdf(version, language)
        text = " ".join(page.extract_text() for page in reader.pages)
        squashed = "".join(text.split()).casefold()  # the kicker is set in capitals by the stylesheet
        for heading in headings:
            assert "".join(heading.split()).casefold() in squashed, heading
        fonts = _fonts(reader)
        assert fonts
        assert all(_embedded(f) for f in fonts), [f.get("/BaseFont") for f in fonts]

    def test_the_xlsx_holds_the_figures_behind_every_table(self, version):
        from openpyxl import load_workbook

        pack_file = reports.file_of(version, "xlsx", "en")
        workbook = load_workbook(io.BytesIO(reports.read_verified(pack_file)))
        captions = [ws["B1"].value or ws["A2"].value for ws in workbook.worksheets[1:]]
        assert "Referral funnel" in captions and "Attendees by country" in captions
        funnel = next(ws for ws in workbook.worksheets if ws["A2"].value == "Referral funnel")
        assert [row[1].value for row in funnel.iter_rows(min_row=4)] == [5, 4, 3, 1]

    def test_a_frozen_version_does_not_change_when_data_change(self, version, mou_a, officer, plain_pack_pdfs):
        before = {(f.file_format, f.language): (f.sha256, reports.read_verified(f)) for f in version.files.all()}
        measures = dict(version.measures)
        make_year(mou_a, size=1)  # more events, applications, commitments
        version.refresh_from_db()
        after = {(f.file_format, f.language): (f.sha256, reports.read_verified(f)) for f in version.files.all()}
        assert after == before and version.measures == measures
        second = services.review_pack_build(actor=officer, mou_id=mou_a.pk, year=YEAR, as_of=AS_OF)
        assert second.number == version.number + 1
        assert second.measures[str(mou_a.pk)]["events_held"] != measures[str(mou_a.pk)]["events_held"]

    def test_an_altered_file_is_refused(self, version):
        pack_file = reports.file_of(version, "pdf", "en")
        with pack_file.file.open("ab") as fh:
            fh.write(b"tampered")
        with pytest.raises(ValidationError):
            reports.read_verified(pack_file)

    def test_an_altered_file_answers_404_in_the_admin_and_the_portal(self, version, mou_a, admin_user, partner_a, client):
        pack_file = reports.file_of(version, "pdf", "en")
        with pack_file.file.open("ab") as fh:
            fh.write(b"tampered")
        client.force_login(admin_user)
        assert client.get(reverse("admin:reports_reviewpackversion_file", args=[version.pk, "pdf", "en"])).status_code == 404
        assert client.get(reverse("admin:reports_reviewpackversion_file", args=[version.pk, "html", "en"])).status_code == 200
        client.force_login(partner_a)
        assert client.get(reverse("partnerships:review_download", args=[mou_a.pk, version.pk, "pdf", "en"])).status_code == 404
        assert client.get(reverse("partnerships:review_download", args=[mou_a.pk, version.pk, "html", "en"])).status_code == 200

    def test_each_party_signs_off_the_current_version_only(self, version, mou_a, officer, kitb, partner_a, technopark, client,
                                                         plain_pack_pdfs):
        client.force_login(partner_a)
        url = reverse("partnerships:review_sign_off", args=[mou_a.pk, version.pk])
        response = client.post(url, {"decision": "approved"})
        assert response.status_code == 302
        kitb_user = UserFactory(organization=kitb, email="host@kitb.example")  # KITB as a party, through a non-staff user
        services.review_pack_sign_off(actor=kitb_user, version_id=version.pk, decision="changes_requested", comment="Add the 2026 plan.")
        answers = {s.organization_id: s.decision for s in ReviewPackSignOff.objects.filter(version=version)}
        assert answers == {technopark.pk: "approved", kitb.pk: "changes_requested"}
        assert MoUNote.objects.filter(mou=mou_a, kind="decision", text__contains="approved version 1").exists()
        with pytest.raises(ValidationError):
            services.review_pack_sign_off(actor=kitb_user, version_id=version.pk, decision="changes_requested", comment="")
        newer = services.review_pack_build(actor=officer, mou_id=mou_a.pk, year=YEAR, as_of=AS_OF)
        with pytest.raises(ValidationError):
            services.review_pack_sign_off(actor=partner_a, version_id=version.pk, decision="approved")
        services.review_pack_sign_off(actor=partner_a, version_id=newer.pk, decision="approved")
        assert ReviewPackSignOff.objects.filter(version=newer).count() == 1

    def test_a_partner_sees_only_packs_of_their_organisations_mous(self, version, mou_a, partner_a, partner_b, client):
        urls = [
            reverse("partnerships:review_list", args=[mou_a.pk]),
            reverse("partnerships:review_version", args=[mou_a.pk, version.pk]),
            reverse("partnerships:review_download", args=[mou_a.pk, version.pk, "pdf", "ko"]),
            reverse("partnerships:review_download", args=[mou_a.pk, version.pk, "xlsx", "en"]),
        ]
        client.force_login(partner_a)
        for url in urls:
            assert client.get(url).status_code == 200, url
        client.force_login(partner_b)
        for url in urls:
            assert client.get(url).status_code == 404, url
        assert client.post(reverse("partnerships:review_sign_off", args=[mou_a.pk, version.pk]), {"decision": "approved"}).status_code == 404
        assert not ReviewPackSignOff.objects.exists()


def test_the_admin_page_and_the_job_build_a_version(mou_a, officer, rates, client, django_capture_on_commit_callbacks, plain_pack_pdfs):
    make_year(mou_a, size=1)
    client.force_login(officer)
    url = reverse("admin:partnerships_mou_review", args=[mou_a.pk, YEAR])
    page = client.get(url)
    assert page.status_code == 200 and b'id="review-funnel-title"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"period": "calendar"})
    assert response.status_code == 302
    version = ReviewPackVersion.objects.get(subject="mou", subject_id=mou_a.pk)
    job_page = client.get(response["Location"])
    assert reverse("admin:reports_reviewpackversion_change", args=[version.pk]).encode() in job_page.content
    assert ReviewPackFile.objects.filter(version=version).count() == 9
    assert client.get(reverse("admin:reports_reviewpackversion_file", args=[version.pk, "pdf", "id"])).status_code == 200
    assert client.get(reverse("admin:partnerships_mou_programme_review", args=[YEAR])).status_code == 200


@pytest.mark.slow  # builds the data twice: the query count at two sizes
def test_the_pack_query_count_does_not_grow_with_the_data(mou_a, mou_b, rates):
    make_year(mou_a, size=1)
    small = count_queries(lambda: compose(mou_context(mou_a, year=YEAR, as_of=AS_OF)))
    make_year(mou_a, size=4)
    make_year(mou_b, size=2)
    large = count_queries(lambda: compose(mou_context(mou_a, year=YEAR, as_of=AS_OF)))
    assert_flat_queries(small, large, limit=20)


def test_generating_a_version_asks_for_the_permission_once_and_refuses_without_it(mou_a, officer, rates, client, monkeypatch):
    """The POST asked for the add permission in the view, in review_pack_generate and in job_start_report;
    the jobs core asks, once. Without it: 403, no job."""
    from kitb_portal.accounts.models import User
    from kitb_portal.jobs.models import BackgroundJob

    asked = []
    has_perm = User.has_perm

    def counting(self, perm, obj=None):
        asked.append(perm)
        return has_perm(self, perm, obj)

    client.force_login(officer)
    url = reverse("admin:partnerships_mou_review", args=[mou_a.pk, YEAR])
    monkeypatch.setattr(User, "has_perm", counting)
    assert client.post(url, {"period": "calendar"}).status_code == 302
    assert asked.count("reports.add_reviewpackversion") == 1
    monkeypatch.undo()

    reader = UserFactory(staff=True, email="reader@kitb.example")
    reader.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_mou", "view_reviewpackversion"], content_type__app_label__in=["partnerships", "reports"]))
    client.force_login(reader)
    jobs = BackgroundJob.objects.count()
    assert client.post(url, {"period": "calendar"}).status_code == 403
    assert BackgroundJob.objects.count() == jobs

