"""From referral to a running factory: an expression of interest, a draft application made from it,
a site visit in both time zones, screening, the committee, the milestones up to commercial
operation. And the land view partners see: no tenant names, nothing of an internal zone."""
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from tenants import services
from tenants.models import Application, ExpressionOfInterest, TenantProject
from tests.factories import UserFactory

from .conftest import add_required_documents, complete_review, decide_through_meeting, pdf_upload
from .factories import ApplicationFactory, PlotFactory, ZoneFactory


@pytest.mark.django_db
def test_the_whole_path_from_expression_of_interest_to_commercial_operation(
    client_a, partner_a, technopark, kitb_admin, reviewer1, reviewer2, criteria, sector, land, admin_client,
):
    wanted = land["plots"][2]
    # 1. the partner sends an expression of interest from the portal, naming a preferred plot
    response = client_a.post("/portal/applications/interest/new/", {
        "company_name": "Cheongju Battery Co.", "company_country": "kr", "sector": sector.pk, "investment_min": "20000000",
        "investment_max": "35000000", "investment_currency": "USD", "land_ha": "12", "timing": "Construction in 2026",
        "preferred_plots": [wanted.pk],
    })
    interest = ExpressionOfInterest.objects.get(company_name="Cheongju Battery Co.")
    assert response.status_code == 302 and interest.referrer == technopark and interest.company_country == "KR"
    plot_page = admin_client.get(f"/admin/tenants/plot/{wanted.pk}/change/").content.decode()
    assert "Cheongju Battery Co." in plot_page  # staff see the request on the plot
    # 2. staff turn it into a draft application, prefilled; the preferred plot carries over
    response = admin_client.post(f"/admin/tenants/expressionofinterest/{interest.pk}/convert/")
    interest.refresh_from_db()
    application = interest.application
    assert response.status_code == 302 and interest.status == "converted"
    assert (application.status, application.referrer, application.company_name, application.investment_amount, application.land_ha) == (
        "draft", technopark, "Cheongju Battery Co.", Decimal("35000000.00"), Decimal("12.00"))
    assert list(application.plot_preferences.values_list("plot_id", flat=True)) == [wanted.pk]
    with pytest.raises(ValidationError):  # handled once
        services.interest_close(interest_id=interest.pk, actor=kitb_admin, reason="Late")
    # 3. the partner completes the draft and submits it
    services.application_update_draft(application_id=application.pk, actor=partner_a, data={
        "company_registration_number": "110111-0000001", "contact_name": "Kim Ji-woo", "contact_email": "jiwoo@cheongju.example",
        "products": "Battery cells", "jobs_planned": 400, "export_share_pct": Decimal("70"), "power_mva": Decimal("20"),
        "water_m3_per_day": Decimal("800"),
    })
    add_required_documents(application, partner_a)
    services.application_submit(application_id=application.pk, actor=partner_a)
    # 4. a site visit, shown to the partner in WIB and KST (never the outcome notes)
    at = datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    services.site_visit_schedule(application_id=application.pk, scheduled_at=at, host=kitb_admin, visitors="Kim Ji-woo (CEO)",
                                 outcome_notes="INTERNAL: strong team, weak financing", actor=kitb_admin)
    page = client_a.get(f"/portal/applications/{application.pk}/").content.decode()
    assert "09:00 WIB" in page and "11:00 KST" in page and "Kim Ji-woo (CEO)" in page and "INTERNAL" not in page
    # 5. screening, reviews, the committee decides in a closed meeting
    services.application_start_screening(application_id=application.pk, actor=kitb_admin)
    for reviewer in (reviewer1, reviewer2):
        complete_review(application, reviewer, {c: 4 for c in criteria}, assigner=kitb_admin)
    services.application_start_due_diligence(application_id=application.pk, actor=kitb_admin)
    services.application_to_committee(application_id=application.pk, actor=kitb_admin)
    decide_through_meeting(application, "approve", chair=kitb_admin, voters=[reviewer1, reviewer2])
    project = TenantProject.objects.get(application=application)
    # 6. the milestones, in order, up to commercial operation (trial production is optional: skipped)
    start = timezone.localdate() - timedelta(days=400)
    for i, kind in enumerate(["licence", "land_lease", "construction_start", "commercial_operation"]):
        milestone = project.milestones.get(kind=kind)
        services.milestone_confirm(milestone_id=milestone.pk, actual_on=start + timedelta(days=90 * i),
                                   evidence=pdf_upload(f"{kind}.pdf"), actor=kitb_admin)
    services.project_update(project_id=project.pk, actor=kitb_admin, owner=kitb_admin, investment_realised="31000000",
                            jobs_realised=380, jobs_local=350)
    detail = client_a.get(f"/portal/applications/projects/{project.pk}/").content.decode()
    assert detail.count("Done") == 4 and "31,000,000" in detail and "350" in detail
    assert Application.objects.get(pk=application.pk).status == "approved"


@pytest.mark.django_db
def test_land_view_shows_no_tenant_names_and_nothing_of_an_internal_zone(client_a, land, approved_factory, kitb_admin, client):
    holder = approved_factory(company_name="Secret Holder Corp")
    services.plot_allocate(plot_id=land["plots"][0].pk, application_id=holder.pk, actor=kitb_admin)
    hidden = ZoneFactory(code="kitb-reserve", name="KITB strategic reserve", area_ha=Decimal("30"), parent=land["phase"], is_internal=True)
    hidden_child = ZoneFactory(code="reserve-east", name="Reserve east", area_ha=Decimal("10"), parent=hidden)
    PlotFactory(code="HID-1", zone=hidden, area_ha=Decimal("5"), grid_row=3, grid_col=0)
    PlotFactory(code="HID-2", zone=hidden_child, area_ha=Decimal("5"), grid_row=3, grid_col=1)
    page = client_a.get("/portal/applications/land/").content.decode()
    assert "<svg" in page and "P1-A00" in page and "Allocated" in page and "S-0" in page
    for secret in ("Secret Holder Corp", "KITB strategic reserve", "Reserve east", "HID-1", "HID-2"):
        assert secret not in page
    with pytest.raises(ValidationError):  # a partner cannot prefer a plot of an internal zone either
        services.preferred_plots_set(application_id=ApplicationFactory(referrer=holder.referrer).pk,
                                     plot_ids=[hidden.plots.get().pk], actor=UserFactory(organization=holder.referrer))
    client.force_login(kitb_admin)
    assert client.get("/portal/applications/land/").status_code == 404  # staff use the admin's site plan


@pytest.mark.django_db
def test_expressions_of_interest_are_scoped_to_the_referrer(client_a, partner_a, partner_b, sector, kitb_admin, viewer):
    interest = services.interest_submit(actor=partner_a, company_name="Scoped Co.", company_country="KR", sector=sector,
                                        investment_min=1, investment_max=2, investment_currency="USD", land_ha=1, timing="2027")
    assert client_a.get(f"/portal/applications/interest/{interest.pk}/").status_code == 200
    other = Client()
    other.force_login(partner_b)
    assert other.get(f"/portal/applications/interest/{interest.pk}/").status_code == 404
    assert "Scoped Co." not in other.get("/portal/applications/interest/").content.decode()
    with pytest.raises(ValidationError) as exc:  # bad input: a clear message per field
        services.interest_submit(actor=partner_a, company_name="", company_country="Korea", sector=sector, investment_min=5,
                                 investment_max=2, investment_currency="XXX", land_ha=0, timing="")
    assert set(exc.value.error_dict) == {"company_name", "company_country", "investment_max", "investment_currency", "land_ha", "timing"}
    response = client_a.post("/portal/applications/interest/new/", {"company_name": "X", "investment_min": "9", "investment_max": "1"})
    assert response.status_code == 400 and "must not be below the lowest" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.interest_close(interest_id=interest.pk, actor=viewer, reason="No")
    services.interest_close(interest_id=interest.pk, actor=kitb_admin, reason="Phase 1 has no room for this sector.")
    assert "Phase 1 has no room" in client_a.get(f"/portal/applications/interest/{interest.pk}/").content.decode()


@pytest.mark.django_db
def test_a_site_visit_changed_in_the_admin_goes_through_the_service_and_keeps_its_history(kitb_admin):
    """Rescheduling a visit was a raw update (no check of the host, no updated_at, no history)."""
    from tenants.models import SiteVisit

    application = ApplicationFactory()
    at = datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    visit = services.site_visit_schedule(application_id=application.pk, scheduled_at=at, host=kitb_admin, visitors="Kim Ji-woo (CEO)",
                                         actor=kitb_admin)
    other_host = UserFactory(staff=True, email="host@kitb.example")
    client = Client()
    client.force_login(kitb_admin)
    response = client.post(f"/admin/tenants/sitevisit/{visit.pk}/change/", {
        "application": application.pk, "scheduled_at_0": "2025-03-04", "scheduled_at_1": "10:00:00", "host": other_host.pk,
        "visitors": "Kim Ji-woo (CEO), Park Min (CFO)", "outcome_notes": "Went well",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    visit.refresh_from_db()
    assert visit.host == other_host and visit.visitors == "Kim Ji-woo (CEO), Park Min (CFO)" and visit.outcome_notes == "Went well"
    assert visit.scheduled_at == datetime(2025, 3, 4, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    latest = SiteVisit.history.filter(id=visit.pk).latest("history_date")
    assert latest.history_user == kitb_admin and latest.host_id == other_host.pk

    other_host.is_active = False
    other_host.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        services.site_visit_change(visit_id=visit.pk, scheduled_at=at, host=other_host, visitors="X", outcome_notes="", actor=kitb_admin)
    with pytest.raises(PermissionDenied):
        services.site_visit_change(visit_id=visit.pk, scheduled_at=at, host=kitb_admin, visitors="X", outcome_notes="",
                                   actor=UserFactory(email="partner@example.org"))
