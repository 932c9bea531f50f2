"""Staff pages: pipeline, steps, reviewer assignment, review form, criteria, land, site plan, export."""
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.test import Client
from django.urls import reverse

from tenants import services
from tenants.models import Allocation, Application, Plot, Review, ScreeningCriterion

from .conftest import committee_meeting_votes, complete_review
from .factories import ApplicationFactory

CHANGELIST = "/admin/tenants/application/"


@pytest.fixture
def admin_client(client, kitb_admin):
    client.force_login(kitb_admin)
    return client


@pytest.mark.django_db
def test_pipeline_lists_with_filters_and_score(admin_client, screening_a, kitb_admin, reviewer1, reviewer2, criteria, technopark, sector):
    complete_review(screening_a, reviewer1, {c: 4 for c in criteria}, assigner=kitb_admin)
    complete_review(screening_a, reviewer2, {c: 5 for c in criteria}, assigner=kitb_admin)
    low = ApplicationFactory(referrer=technopark, sector=sector, company_name="Unscored Co.", status="submitted")
    page = admin_client.get(CHANGELIST).content.decode()
    assert screening_a.company_name in page and "4.50" in page and "2/2" in page
    for flt in ("By status", "By sector", "By company country", "By referring organisation", "By weighted score"):
        assert flt in page
    high = admin_client.get(CHANGELIST + "?score=gte4").content.decode()
    assert screening_a.company_name in high and low.company_name not in high
    none = admin_client.get(CHANGELIST + "?score=none").content.decode()
    assert low.company_name in none and screening_a.company_name not in none
    by_status = admin_client.get(CHANGELIST + "?status__exact=submitted").content.decode()
    assert low.company_name in by_status and screening_a.company_name not in by_status


@pytest.mark.django_db
def test_a_score_band_is_counted_like_a_search(admin_client, technopark, sector, monkeypatch):
    """The weighted score is worked out per row, so a band's count stops at search_exact_limit and
    the page says "more than N"; the other filters still count every match."""
    from kitb_portal.common.admin_tools import BoundedCountPaginator

    monkeypatch.setattr(BoundedCountPaginator, "search_exact_limit", 2)
    for i in range(3):
        ApplicationFactory(referrer=technopark, sector=sector, company_name=f"Unscored {i}", status="submitted")
    response = admin_client.get(CHANGELIST + "?score=none")
    cl = response.context["cl"]
    assert cl.paginator.count_is_lower_bound and cl.paginator.exact_limit == 2
    assert "More than 2 applications" in response.content.decode()
    response = admin_client.get(CHANGELIST + "?status__exact=submitted")
    cl = response.context["cl"]
    assert not cl.paginator.count_is_lower_bound and cl.result_count == 3
    assert "3 applications" in response.content.decode()


@pytest.mark.django_db
def test_change_page_shows_score_disagreement_amounts_and_step_buttons(admin_client, screening_a, kitb_admin, reviewer1, reviewer2, criteria):
    from tenants.models import ExchangeRate

    ExchangeRate.objects.create(currency="USD", usd_rate=1, idr_rate=16000)
    fit, tech, jobs = criteria
    complete_review(screening_a, reviewer1, {fit: 5, tech: 4, jobs: 4}, assigner=kitb_admin)
    complete_review(screening_a, reviewer2, {fit: 1, tech: 4, jobs: 4}, assigner=kitb_admin)
    page = admin_client.get(reverse("admin:tenants_application_change", args=[screening_a.pk])).content.decode()
    assert "scores differ by more than 2 points" in page and "quorum met" in page
    assert "USD 10,000,000.00" in page and "IDR 160,000,000,000" in page
    assert reverse("admin:tenants_application_transition", args=[screening_a.pk, "start_due_diligence"]) in page
    assert reverse("admin:tenants_application_transition", args=[screening_a.pk, "withdraw"]) in page
    assert reverse("admin:tenants_application_transition", args=[screening_a.pk, "approve"]) not in page  # not in committee


@pytest.mark.django_db
def test_step_buttons_call_the_services(admin_client, screening_a):
    target = reverse("admin:tenants_application_transition", args=[screening_a.pk, "start_due_diligence"])
    assert admin_client.get(target).status_code == 302  # GET changes nothing
    assert Application.objects.get(pk=screening_a.pk).status == "screening"
    admin_client.post(target)
    assert Application.objects.get(pk=screening_a.pk).status == "due_diligence"
    response = admin_client.post(target, follow=True)  # again: a message, not a 500
    assert "not possible while the application is due diligence" in response.content.decode()


@pytest.mark.django_db
def test_reject_page_requires_a_reason(admin_client, screening_a, kitb_admin, reviewer1, reviewer2, criteria):
    for reviewer in (reviewer1, reviewer2):
        complete_review(screening_a, reviewer, {c: 2 for c in criteria}, assigner=kitb_admin)
    services.application_start_due_diligence(application_id=screening_a.pk, actor=kitb_admin)
    services.application_to_committee(application_id=screening_a.pk, actor=kitb_admin)
    target = reverse("admin:tenants_application_transition", args=[screening_a.pk, "reject"])
    assert "Reason for the rejection" in admin_client.get(target).content.decode()
    response = admin_client.post(target, {"reason": "  "})
    assert response.status_code == 200 and "Give the reason" in response.content.decode()
    response = admin_client.post(target, {"reason": "Too much water."}, follow=True)  # no meeting voted yet
    assert "needs a closed committee meeting" in response.content.decode()
    assert Application.objects.get(pk=screening_a.pk).status == "committee"
    committee_meeting_votes(screening_a, "reject", chair=kitb_admin)
    admin_client.post(target, {"reason": "Too much water."})
    screening_a.refresh_from_db()
    assert screening_a.status == "rejected" and screening_a.decision_reason == "Too much water."


@pytest.mark.django_db
def test_bulk_actions_and_the_reject_action_with_its_intermediate_page(admin_client, technopark, sector, kitb_admin, reviewer1, reviewer2, criteria):
    apps = [ApplicationFactory(referrer=technopark, sector=sector, status="submitted") for _ in range(2)]
    ids = [a.pk for a in apps]
    admin_client.post(CHANGELIST, {"action": "start_screening", ACTION_CHECKBOX_NAME: ids, "index": 0})
    assert set(Application.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"screening"}
    for app in apps:
        for reviewer in (reviewer1, reviewer2):
            complete_review(app, reviewer, {c: 3 for c in criteria}, assigner=kitb_admin)
    admin_client.post(CHANGELIST, {"action": "start_due_diligence", ACTION_CHECKBOX_NAME: ids, "index": 0})
    admin_client.post(CHANGELIST, {"action": "to_committee", ACTION_CHECKBOX_NAME: ids, "index": 0})
    for app in apps:
        committee_meeting_votes(app, "reject", chair=kitb_admin)
    page = admin_client.post(CHANGELIST, {"action": "reject", ACTION_CHECKBOX_NAME: ids, "index": 0}).content.decode()
    assert "Reason for the rejection" in page
    admin_client.post(CHANGELIST, {"action": "reject", ACTION_CHECKBOX_NAME: ids, "apply": "1", "reason": "Phase 2 fits better."})
    assert set(Application.objects.filter(pk__in=ids).values_list("decision_reason", flat=True)) == {"Phase 2 fits better."}


@pytest.mark.django_db
def test_failed_action_is_an_admin_message(admin_client, draft_a):
    response = admin_client.post(CHANGELIST, {"action": "start_screening", ACTION_CHECKBOX_NAME: [draft_a.pk], "index": 0}, follow=True)
    assert response.status_code == 200 and "not possible while the application is draft" in response.content.decode()


@pytest.mark.django_db
def test_viewers_and_reviewers_get_no_step_actions(client, viewer, reviewer1, screening_a):
    for user in (viewer, reviewer1):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # reviewer1 prefers Indonesian; read it in English
        page = client.get(CHANGELIST).content.decode()
        assert screening_a.company_name in page
        assert 'value="start_screening"' not in page and 'value="approve"' not in page
        response = client.post(reverse("admin:tenants_application_transition", args=[screening_a.pk, "start_due_diligence"]), follow=True)
        assert Application.objects.get(pk=screening_a.pk).status == "screening"
        assert "You may not" in response.content.decode()


@pytest.mark.django_db
def test_assign_reviewers_action_notifies_each(admin_client, screening_a, reviewer1, reviewer2, django_capture_on_commit_callbacks):
    page = admin_client.post(CHANGELIST, {"action": "assign_reviewers", ACTION_CHECKBOX_NAME: [screening_a.pk], "index": 0}).content.decode()
    assert reviewer1.full_name in page and reviewer2.full_name in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(CHANGELIST, {"action": "assign_reviewers", ACTION_CHECKBOX_NAME: [screening_a.pk], "apply": "1",
                                       "reviewers": [reviewer1.pk, reviewer2.pk]})
    assert Review.objects.filter(assignment__application=screening_a).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([reviewer1.email, reviewer2.email])
    # from the change page as well; assigning twice is a message, not an error page
    response = admin_client.post(reverse("admin:tenants_application_assign", args=[screening_a.pk]),
                                 {"apply": "1", "reviewers": [reviewer1.pk]}, follow=True)
    assert "already assigned" in response.content.decode()


@pytest.mark.django_db
def test_review_form_for_the_reviewer_only(client, screening_a, kitb_admin, reviewer1, reviewer2, criteria):
    review = services.review_assign(application_id=screening_a.pk, reviewer=reviewer1, actor=kitb_admin).review
    other = services.review_assign(application_id=screening_a.pk, reviewer=reviewer2, actor=kitb_admin).review
    client.force_login(reviewer1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # reviewer1 prefers Indonesian; read it in English
    listing = client.get("/admin/tenants/review/").content.decode()
    assert reverse("admin:tenants_review_change", args=[review.pk]) in listing
    assert reverse("admin:tenants_review_change", args=[other.pk]) not in listing
    assert client.get(reverse("admin:tenants_review_change", args=[other.pk])).status_code == 404
    target = reverse("admin:tenants_review_change", args=[review.pk])
    page = client.get(target).content.decode()
    assert all(c.name in page for c in criteria) and "Submit the review" in page
    data = {f"score_{c.pk}": "4" for c in criteria} | {f"comment_{c.pk}": "ok" for c in criteria} | {"comment": "Solid."}
    data[f"score_{criteria[2].pk}"] = ""
    response = client.post(target, {**data, "_submit_review": "1"})
    assert response.status_code == 200 and "Score every criterion" in response.content.decode()
    data[f"score_{criteria[2].pk}"] = "9"
    response = client.post(target, {**data, "_save_review": "1"})
    assert response.status_code == 200 and response.context["form"].has_error(f"score_{criteria[2].pk}")
    data[f"score_{criteria[2].pk}"] = "2"
    client.post(target, {**data, "_submit_review": "1"})
    review.refresh_from_db()
    assert review.is_complete and sorted(review.scores.values_list("score", flat=True)) == [2, 4, 4]
    assert "Submit the review" not in client.get(target).content.decode()  # read-only now
    # the administrator reads every review but cannot change it
    client.force_login(kitb_admin)
    assert client.get(reverse("admin:tenants_review_change", args=[other.pk])).status_code == 200
    assert client.post(reverse("admin:tenants_review_change", args=[other.pk]), data).status_code == 403


@pytest.mark.django_db
def test_criteria_and_settings_editable_by_the_administrator_only(client, kitb_admin, viewer, reviewer1, criteria):
    target = reverse("admin:tenants_screeningcriterion_change", args=[criteria[0].pk])
    data = {"code": "fit", "name": "Sector fit", "description": "", "weight": "7", "position": "1", "is_active": "on"}
    for user in (viewer, reviewer1):
        client.force_login(user)
        assert client.post(target, data).status_code == 403
    assert ScreeningCriterion.objects.get(pk=criteria[0].pk).weight == Decimal("1")
    client.force_login(kitb_admin)
    assert client.post(target, data).status_code == 302
    criterion = ScreeningCriterion.objects.get(pk=criteria[0].pk)
    assert criterion.weight == Decimal("7") and criterion.history.first().history_user == kitb_admin
    settings_url = reverse("admin:tenants_screeningsettings_change", args=[1])
    assert client.post(settings_url, {"quorum": "3", "overdue_days": "10"}).status_code == 302
    client.force_login(viewer)
    assert client.post(settings_url, {"quorum": "1", "overdue_days": "1"}).status_code == 403


@pytest.mark.django_db
def test_land_summary_and_site_plan_pages(admin_client, land, approved_factory, kitb_admin):
    services.plot_allocate(plot_id=land["plots"][0].pk, application_id=approved_factory(company_name="Holder Co.").pk, actor=kitb_admin)
    services.plot_reserve(plot_id=land["plots"][1].pk, application_id=approved_factory().pk, actor=kitb_admin)
    summary = admin_client.get(reverse("admin:tenants_land_summary")).content.decode()
    assert "Phase 1" in summary and "<td>426.00</td>" in summary and "<td>2.7</td>" in summary  # free ha, allocated %
    page = admin_client.get(reverse("admin:tenants_site_plan")).content.decode()
    assert "<svg" in page and "P1-A00" in page and "Holder Co." in page
    svg = admin_client.get(reverse("admin:tenants_site_plan_svg"))
    assert svg["Content-Type"].startswith("image/svg+xml")
    body = svg.content.decode()
    for expected in ("P1-A00", "12.00 ha", "url(#siteplan-hatch)", "url(#siteplan-cross)", ">A<", ">R<", ">X<", "Legend",
                     'role="img"', "<title", "Available: 7", "Reserved: 1", "Allocated: 1"):
        assert expected in body, expected


@pytest.mark.django_db
def test_site_plan_is_for_staff_only(client_a, land):
    assert client_a.get(reverse("admin:tenants_site_plan_svg")).status_code == 302  # to the admin login
    assert client_a.get(reverse("admin:tenants_land_summary")).status_code == 302


@pytest.mark.django_db
def test_allocation_add_page_uses_the_services(admin_client, land, approved_factory, technopark, sector):
    app = approved_factory(company_name="Approved Co.")
    unapproved = ApplicationFactory(referrer=technopark, sector=sector, status="committee", company_name="Pending Co.")
    page = admin_client.get(reverse("admin:tenants_allocation_add") + f"?application={app.pk}").content.decode()
    assert "Approved Co." in page and "Pending Co." not in page
    plot = land["plots"][0]
    response = admin_client.post(reverse("admin:tenants_allocation_add"), {"application": app.pk, "plot": plot.pk, "kind": "allocated", "note": ""})
    assert response.status_code == 302 and Plot.objects.get(pk=plot.pk).status == "allocated"
    response = admin_client.post(reverse("admin:tenants_allocation_add"), {"application": unapproved.pk, "plot": land["plots"][1].pk, "kind": "reserved"})
    assert response.status_code == 200 and not Allocation.objects.filter(application=unapproved).exists()
    small = land["small_plots"]
    for p in small[:2]:
        admin_client.post(reverse("admin:tenants_allocation_add"), {"application": approved_factory().pk, "plot": p.pk, "kind": "allocated"})
    response = admin_client.post(reverse("admin:tenants_allocation_add"), {"application": app.pk, "plot": small[2].pk, "kind": "allocated"})
    assert response.status_code == 200 and "Small block has 5.00 ha free" in response.content.decode()


@pytest.mark.django_db
def test_release_action(admin_client, land, approved_factory, kitb_admin):
    allocation = services.plot_allocate(plot_id=land["plots"][0].pk, application_id=approved_factory().pk, actor=kitb_admin)
    admin_client.post("/admin/tenants/allocation/", {"action": "release", ACTION_CHECKBOX_NAME: [allocation.pk], "index": 0})
    allocation.refresh_from_db()
    assert not allocation.is_live and Plot.objects.get(pk=land["plots"][0].pk).status == "available"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt,content_type", [("0", "text/csv"), ("1", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
def test_pipeline_export(admin_client, screening_a, fmt, content_type):
    response = admin_client.post(CHANGELIST + "export/", {"format": fmt, "resource": "0", "applicationresource_company_name": "on",
                                                          "applicationresource_status": "on", "applicationresource_score": "on",
                                                          "applicationresource_investment_usd": "on", "applicationresource_referrer": "on"})
    assert response.status_code == 200 and response["Content-Type"].startswith(content_type)
    if fmt == "0":
        text = response.content.decode()
        assert screening_a.company_name in text and "Screening" in text and "Chungbuk Technopark" in text


@pytest.mark.django_db
def test_documents_downloaded_by_staff_through_the_admin(admin_client, viewer, draft_a, partner_a):
    document = draft_a.documents.first()
    target = reverse("admin:tenants_application_document", args=[draft_a.pk, document.pk])
    response = admin_client.get(target)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    for user in (partner_a,):
        other = Client()
        other.force_login(user)
        assert other.get(target).status_code == 302  # partners never use the admin


@pytest.mark.django_db
def test_staff_comment_page(admin_client, screening_a, partner_a):
    target = reverse("admin:tenants_application_comment", args=[screening_a.pk])
    response = admin_client.get(target)
    assert response.status_code == 200, response
    assert "Shared with the referrer" in response.content.decode()
    admin_client.post(target, {"body": "Question for you", "visibility": "shared"})
    admin_client.post(target, {"body": "Staff-only thought", "visibility": "internal"})
    page = admin_client.get(reverse("admin:tenants_application_change", args=[screening_a.pk])).content.decode()
    assert "Question for you" in page and "Staff-only thought" in page
    partner_client = Client()
    partner_client.force_login(partner_a)
    portal = partner_client.get(f"/portal/applications/{screening_a.pk}/").content.decode()
    assert "Question for you" in portal and "Staff-only thought" not in portal


@pytest.mark.django_db
@pytest.mark.parametrize("score, band", [
    ("0.50", "lt2"), ("1.99", "lt2"), ("2.00", "2to3"), ("2.99", "2to3"), ("3.00", "3to4"), ("3.99", "3to4"),
    ("4.00", "gte4"), ("5.00", "gte4"), (None, "none"),
])
def test_the_weighted_score_filter_puts_each_score_in_one_band(rf, admin_user, technopark, sector, score, band):
    from decimal import Decimal

    from django.contrib import admin
    from django.db.models import DecimalField, Value

    from tenants.admin.application_changelist import ScoreRangeFilter
    from tenants.models import Application

    application = ApplicationFactory(referrer=technopark, sector=sector)
    scored = Application.objects.filter(pk=application.pk).annotate(
        score=Value(Decimal(score) if score else None, output_field=DecimalField(max_digits=5, decimal_places=2)))
    found = set()
    for choice in ("none", "lt2", "2to3", "3to4", "gte4"):
        request = rf.get("/", {"score": choice})
        request.user = admin_user
        flt = ScoreRangeFilter(request, {"score": [choice]}, Application, admin.site._registry[Application])
        if flt.queryset(request, scored).exists():
            found.add(choice)
    assert found == {band}
