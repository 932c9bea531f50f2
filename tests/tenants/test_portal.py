"""The referrers' portal: list, multi-step draft, documents, submission, comments, isolation."""
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from kitb_portal.notifications.models import OutboxMessage
from tenants import services
from tenants.documents import sample_pdf_bytes
from tenants.models import Application, ApplicationComment, ApplicationDocument, StatusChange

from .conftest import complete_review, decide_through_meeting, pdf_upload
from .factories import ApplicationFactory


def url(name, *args):
    return reverse(f"tenants:{name}", args=args)


@pytest.mark.django_db
def test_list_shows_only_the_organisations_applications(client_a, draft_a, draft_b):
    page = client_a.get(url("application_list")).content.decode()
    assert draft_a.company_name in page and draft_b.company_name not in page


@pytest.mark.django_db
def test_list_paginates(client_a, technopark, sector):
    for i in range(25):
        ApplicationFactory(referrer=technopark, sector=sector, company_name=f"Paged {i:02d}")
    first = client_a.get(url("application_list")).content.decode()
    second = client_a.get(url("application_list") + "?page=2").content.decode()
    assert first.count("Paged ") == 20 and second.count("Paged ") == 5


@pytest.mark.django_db
def test_list_filters_by_status_and_keeps_the_filter_across_pages(client_a, technopark, sector, partner_a):
    for i in range(22):
        ApplicationFactory(referrer=technopark, sector=sector, company_name=f"Draft {i:02d}")
    submitted = ApplicationFactory(referrer=technopark, sector=sector, company_name="Submitted One", created_by=partner_a)
    Application.objects.filter(pk=submitted.pk).update(status="submitted")
    page = client_a.get(url("application_list") + "?status=submitted").content.decode()
    assert "Submitted One" in page and "Draft 00" not in page
    drafts = client_a.get(url("application_list") + "?status=draft").content.decode()
    assert "Submitted One" not in drafts and "status=draft&amp;page=2" in drafts
    # an unknown status is ignored, not an error
    assert client_a.get(url("application_list") + "?status=nonsense").status_code == 200


@pytest.mark.django_db
def test_multi_step_form_saves_a_draft_at_each_step(client_a, partner_a, technopark, sector):
    response = client_a.post(url("application_create"), {
        "company_name": "Osong Bio Co.", "company_country": "kr", "company_registration_number": "110111-1234567",
        "company_website": "osong.example", "contact_name": "Park Ji-ho", "contact_email": "ji-ho@osong.example",
        "contact_phone": "+82 43 000 0000", "contact_language": "ko", "next": "1",
    })
    application = Application.objects.get(company_name="Osong Bio Co.")
    assert response.status_code == 302 and response["Location"] == url("application_step", application.pk, 2)
    assert (application.referrer, application.created_by, application.status, application.company_country) == (technopark, partner_a, "draft", "KR")
    assert application.company_website == "https://osong.example"

    # step 2 with an error: the draft keeps step 1, the form says what to fix
    response = client_a.post(url("application_step", application.pk, 2), {
        "sector": sector.pk, "products": "Diagnostic kits", "investment_amount": "48000000000", "investment_currency": "KRW",
        "jobs_planned": "180", "export_share_pct": "120", "timeline": "2026", "claims_pioneer": "on", "pioneer_reason": "", "next": "1",
    })
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"export_share_pct", "pioneer_reason"}
    response = client_a.post(url("application_step", application.pk, 2), {
        "sector": sector.pk, "products": "Diagnostic kits", "investment_amount": "48000000000", "investment_currency": "KRW",
        "jobs_planned": "180", "export_share_pct": "55", "timeline": "2026", "claims_pioneer": "on",
        "pioneer_reason": "First maker in Indonesia", "save": "1",
    })
    assert response["Location"] == url("application_step", application.pk, 2)  # "save draft" stays on the step
    response = client_a.post(url("application_step", application.pk, 3), {
        "land_ha": "10", "power_mva": "6", "water_m3_per_day": "400", "next": "1",
    })
    assert response["Location"] == url("application_step", application.pk, 4)
    application.refresh_from_db()
    assert (application.sector, application.investment_amount, application.land_ha, application.claims_pioneer) == (
        sector, Decimal("48000000000.00"), Decimal("10.00"), True)

    page = client_a.get(url("application_step", application.pk, 4)).content.decode()
    assert "Business plan" in page and "Company registration certificate" in page  # still missing
    response = client_a.post(url("application_submit", application.pk))
    assert response["Location"] == url("application_step", application.pk, 4)
    assert Application.objects.get(pk=application.pk).status == "draft"

    for kind in ("business_plan", "registration"):
        response = client_a.post(url("document_upload", application.pk), {"kind": kind, "title": "", "file": pdf_upload(f"{kind}.pdf"), "back": "step"})
        assert response["Location"] == url("application_step", application.pk, 4)
    response = client_a.post(url("application_submit", application.pk))
    assert response["Location"] == url("application_detail", application.pk)
    application.refresh_from_db()
    assert application.status == "submitted" and StatusChange.objects.filter(application=application, actor=partner_a).exists()
    # no longer editable
    response = client_a.get(url("application_step", application.pk, 1))
    assert response.status_code == 302 and response["Location"] == url("application_detail", application.pk)


@pytest.mark.django_db
def test_bad_country_code_is_a_form_error(client_a):
    response = client_a.post(url("application_create"), {"company_name": "X", "company_country": "Korea", "contact_language": "en"})
    assert response.status_code == 200 and "two-letter country code" in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("content,expected", [
    (b"MZ\x90\x00 this is an executable", "not a PDF"),
    (b"%PDF-1.7\n garbage that is not a PDF body", "damaged"),
    (b"", "empty"),
])
def test_upload_checks_the_content_not_the_name(client_a, draft_a, content, expected):
    before = ApplicationDocument.objects.count()
    response = client_a.post(url("document_upload", draft_a.pk), {"kind": "other", "file": pdf_upload("looks-fine.pdf", content)})
    assert response.status_code in (200, 400)
    assert expected in response.content.decode()
    assert ApplicationDocument.objects.count() == before


@pytest.mark.django_db
def test_upload_size_limit(client_a, draft_a, settings):
    settings.MAX_UPLOAD_MB = 1
    big = sample_pdf_bytes() + b"%" + b"0" * (1024 * 1024)
    response = client_a.post(url("document_upload", draft_a.pk), {"kind": "other", "file": pdf_upload("big.pdf", big)})
    assert "largest accepted is 1 MB" in response.content.decode()


@pytest.mark.django_db
def test_documents_are_stored_privately_and_downloaded_through_the_view(client_a, draft_a, settings):
    document = draft_a.documents.first()
    path = document.file.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT)) and "static" not in path
    response = client_a.get(url("document_download", draft_a.pk, document.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
def test_partner_answers_staff_questions_and_the_officer_is_told(client_a, draft_a, partner_a, kitb_admin, django_capture_on_commit_callbacks):
    services.application_submit(application_id=draft_a.pk, actor=partner_a)
    services.application_set_officer(application_id=draft_a.pk, officer=kitb_admin, actor=kitb_admin)
    services.comment_add(application_id=draft_a.pk, actor=kitb_admin, body="What is the peak power demand?", visibility="shared")
    assert "What is the peak power demand?" in client_a.get(url("application_detail", draft_a.pk)).content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(url("comment_add", draft_a.pk), {"body": "About 6 MVA in year one."})
    assert response.status_code == 302
    comment = ApplicationComment.objects.get(body="About 6 MVA in year one.")
    assert comment.visibility == "shared" and comment.author == partner_a
    assert [m.to for m in mail.outbox] == [[kitb_admin.email]]
    response = client_a.post(url("comment_add", draft_a.pk), {"body": "   "})
    assert response.status_code == 400 and "Write a message first" in response.content.decode()


@pytest.mark.django_db
def test_partners_never_see_reviewers_scores_or_internal_comments(client_a, draft_a, partner_a, kitb_admin, reviewer1, reviewer2, criteria):
    services.application_submit(application_id=draft_a.pk, actor=partner_a)
    services.application_start_screening(application_id=draft_a.pk, actor=kitb_admin)
    complete_review(draft_a, reviewer1, {c: 4 for c in criteria}, assigner=kitb_admin)
    complete_review(draft_a, reviewer2, {c: 2 for c in criteria}, assigner=kitb_admin)
    services.comment_add(application_id=draft_a.pk, actor=reviewer1, body="INTERNAL: the CEO seems unreliable", visibility="internal")
    services.application_start_due_diligence(application_id=draft_a.pk, actor=kitb_admin)
    services.application_to_committee(application_id=draft_a.pk, actor=kitb_admin)
    decide_through_meeting(draft_a, "reject", chair=kitb_admin, reason="Power demand too high for phase 1.")
    page = client_a.get(url("application_detail", draft_a.pk)).content.decode()
    assert "Power demand too high for phase 1." in page
    for secret in (reviewer1.full_name, reviewer2.full_name, reviewer1.email, "INTERNAL: the CEO", "comment 4", "Weighted", kitb_admin.full_name):
        assert secret not in page
    partner_mail = " ".join(m.body_text + m.body_html for m in OutboxMessage.objects.filter(to_email__in=[partner_a.email, draft_a.contact_email]))
    for secret in (reviewer1.full_name, reviewer2.full_name, "INTERNAL", "comment 4"):
        assert secret not in partner_mail


@pytest.mark.django_db
def test_staff_are_sent_to_the_admin(client, admin_user, draft_a):
    client.force_login(admin_user)
    assert client.get(url("application_list"))["Location"] == reverse("admin:tenants_application_changelist")
    assert client.get(url("application_detail", draft_a.pk)).status_code == 404


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_log_in(client, draft_a):
    response = client.get(url("application_detail", draft_a.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_withdraw_from_the_portal(client_a, draft_a, partner_a):
    services.application_submit(application_id=draft_a.pk, actor=partner_a)
    assert client_a.get(url("application_withdraw", draft_a.pk)).status_code == 200
    client_a.post(url("application_withdraw", draft_a.pk), {"note": "Plans changed"})
    assert Application.objects.get(pk=draft_a.pk).status == "withdrawn"
    response = client_a.post(url("document_upload", draft_a.pk), {"kind": "other", "file": pdf_upload()})
    assert response.status_code == 302 and not draft_a.documents.filter(kind="other").exists()


# --- isolation: partner A never reaches partner B's application through any URL ---------------

def _intruder_urls(app_b, doc_b):
    return [
        ("get", url("application_detail", app_b.pk), {}),
        ("get", url("application_step", app_b.pk, 1), {}),
        ("post", url("application_step", app_b.pk, 1), {"company_name": "Hijacked", "company_country": "KR", "contact_language": "en"}),
        ("get", url("application_step", app_b.pk, 2), {}),
        ("post", url("application_step", app_b.pk, 2), {"products": "Hijacked", "investment_currency": "USD"}),
        ("get", url("application_step", app_b.pk, 3), {}),
        ("post", url("application_step", app_b.pk, 3), {"land_ha": "1"}),
        ("get", url("application_step", app_b.pk, 4), {}),
        ("get", url("document_upload", app_b.pk), {}),
        ("post", url("document_upload", app_b.pk), {"kind": "other", "file": pdf_upload()}),
        ("get", url("document_download", app_b.pk, doc_b.pk), {}),
        ("post", url("comment_add", app_b.pk), {"body": "Hello from A"}),
        ("post", url("application_submit", app_b.pk), {}),
        ("get", url("application_withdraw", app_b.pk), {}),
        ("post", url("application_withdraw", app_b.pk), {}),
    ]


@pytest.mark.django_db
def test_every_portal_url_of_another_organisations_application_answers_404(client_a, draft_b):
    doc_b = draft_b.documents.first()
    for method, target, data in _intruder_urls(draft_b, doc_b):
        response = getattr(client_a, method)(target, data)
        assert response.status_code == 404, (method, target, response.status_code)
    draft_b.refresh_from_db()
    assert draft_b.status == "draft" and draft_b.company_name == "Province Co." and draft_b.products == "Battery cells"
    assert draft_b.documents.count() == 2 and not draft_b.comments.exists() and not StatusChange.objects.exists()


@pytest.mark.django_db
def test_own_document_under_another_application_url_answers_404(client_a, draft_a, draft_b):
    """The document id must belong to the application in the URL."""
    doc_b = draft_b.documents.first()
    assert client_a.get(url("document_download", draft_a.pk, doc_b.pk)).status_code == 404


@pytest.mark.django_db
def test_intruder_urls_work_for_the_owner(client, partner_b, draft_b):
    """The same URLs answer the referring organisation (so the 404s above are about scope)."""
    client.force_login(partner_b)
    doc_b = draft_b.documents.first()
    for method, target, _data in _intruder_urls(draft_b, doc_b):
        if method == "get":
            assert client.get(target).status_code == 200, target


@pytest.mark.django_db
def test_missing_application_answers_404(client_a):
    assert client_a.get(url("application_detail", 999999)).status_code == 404
    assert client_a.get(url("application_step", 999999, 1)).status_code == 404


@pytest.mark.django_db
def test_step_number_outside_1_to_4_answers_404(client_a, draft_a):
    assert client_a.get(url("application_step", draft_a.pk, 5)).status_code == 404


@pytest.mark.django_db
def test_portal_pages_have_no_inline_script_or_style(client_a, draft_a):
    for target in (url("application_list"), url("application_create"), url("application_detail", draft_a.pk),
                   url("application_step", draft_a.pk, 2), url("application_step", draft_a.pk, 4), url("document_upload", draft_a.pk)):
        page = client_a.get(target).content.decode()
        assert "style=" not in page, target
        assert "<script>" not in page and "<script type" not in page and "onclick" not in page, target




@pytest.mark.django_db
def test_the_application_page_shows_a_new_shared_message_and_never_an_internal_one(client_a, draft_a, partner_a, kitb_admin):
    services.application_submit(application_id=draft_a.pk, actor=partner_a)
    page_url = url("application_detail", draft_a.pk)
    assert "No messages yet." in client_a.get(page_url).content.decode()
    services.comment_add(application_id=draft_a.pk, actor=kitb_admin, body="INTERNAL: check the land use", visibility="internal")
    services.comment_add(application_id=draft_a.pk, actor=kitb_admin, body="Which power supply do you need?", visibility="shared")
    page = client_a.get(page_url).content.decode()
    assert "Which power supply do you need?" in page and "INTERNAL" not in page
