"""Tenant projects: opened by the approval with the declared milestones; confirmed in order, never in
the future, with a PDF as evidence; the at-risk reminder once per week and stage; partners see their
own companies' milestones only (no internal data); money in USD, IDR and KRW."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from kitb_portal.notifications.models import OutboxMessage
from tenants import milestones, selectors, services
from tenants.models import Milestone, TenantProject
from tests.factories import UserFactory

from .conftest import advance, complete_review, decide_through_meeting, pdf_upload


@pytest.fixture
def project(draft_a, partner_a, kitb_admin, reviewer1, reviewer2, criteria, kitb):
    officer = UserFactory(staff=True, organization=kitb, email="owner@kitb.example", full_name="Owner Officer")
    services.application_set_officer(application_id=draft_a.pk, officer=officer, actor=kitb_admin)
    advance(draft_a, "screening", partner=partner_a, officer=kitb_admin)
    for reviewer in (reviewer1, reviewer2):
        complete_review(draft_a, reviewer, {c: 4 for c in criteria}, assigner=kitb_admin)
    services.application_start_due_diligence(application_id=draft_a.pk, actor=kitb_admin)
    services.application_to_committee(application_id=draft_a.pk, actor=kitb_admin)
    decide_through_meeting(draft_a, "approve", chair=kitb_admin)
    return TenantProject.objects.get(application=draft_a)


def _m(project, kind) -> Milestone:
    return project.milestones.get(kind=kind)


@pytest.mark.django_db
def test_approval_opens_the_project_with_the_declared_milestones(project):
    rows = list(project.milestones.order_by("position").values_list("kind", "position", "required"))
    assert rows == [(k.code, i + 1, k.required) for i, k in enumerate(milestones.MILESTONES)]
    assert project.owner.email == "owner@kitb.example"
    decided = timezone.localdate(project.application.decided_at)
    assert _m(project, "licence").planned_on == decided + timedelta(days=60)


@pytest.mark.django_db
def test_milestones_follow_their_order_refuse_future_dates_and_non_pdf_evidence(project, kitb_admin, viewer):
    today = timezone.localdate()
    lease = _m(project, "land_lease")
    with pytest.raises(ValidationError) as exc:
        services.milestone_confirm(milestone_id=lease.pk, actual_on=today, evidence=pdf_upload(), actor=kitb_admin)
    assert exc.value.code == "order" and "Investment licence issued (OSS / NIB)" in exc.value.messages[0]
    licence = _m(project, "licence")
    with pytest.raises(ValidationError) as exc:
        services.milestone_confirm(milestone_id=licence.pk, actual_on=today + timedelta(days=1), evidence=pdf_upload(), actor=kitb_admin)
    assert "in the future" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        services.milestone_confirm(milestone_id=licence.pk, actual_on=today, evidence=pdf_upload("nib.pdf", b"GIF89a not a pdf"), actor=kitb_admin)
    assert "is not a PDF file" in exc.value.messages[0]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.milestone_confirm(milestone_id=licence.pk, actual_on=today, evidence=pdf_upload(), actor=viewer)
    services.milestone_confirm(milestone_id=licence.pk, actual_on=today, evidence=pdf_upload("nib.pdf"), actor=kitb_admin)
    licence.refresh_from_db()
    assert licence.confirmed_by == kitb_admin and licence.evidence_name == "nib.pdf" and len(licence.evidence_sha256) == 64
    with pytest.raises(ValidationError):  # jobs: local within realised
        services.project_update(project_id=project.pk, actor=kitb_admin, owner=project.owner, investment_realised="100", jobs_realised=5, jobs_local=6)


@pytest.mark.django_db
def test_at_risk_reminder_once_per_week_and_stage(project, kitb_admin, settings):
    settings.TENANTS_MILESTONE_LATE_DAYS = 10
    licence, lease = _m(project, "licence"), _m(project, "land_lease")
    today = timezone.localdate()
    services.milestone_plan(milestone_id=licence.pk, planned_on=today - timedelta(days=5), actor=kitb_admin)
    monday = timezone.now() - timedelta(days=timezone.localdate().weekday())  # a Monday of this week
    assert services.project_at_risk_sweep(now=monday) == 0  # 5 days late: within the grace
    services.milestone_plan(milestone_id=licence.pk, planned_on=today - timedelta(days=30), actor=kitb_admin)
    assert selectors.project_list_for(kitb_admin).get(pk=project.pk).at_risk
    assert services.project_at_risk_sweep(now=monday) == 1
    assert services.project_at_risk_sweep(now=monday + timedelta(days=3)) == 0  # same week, same stage
    assert services.project_at_risk_sweep(now=monday + timedelta(days=7)) == 1  # next week
    # the next stage in the same week is a new reminder
    services.milestone_confirm(milestone_id=licence.pk, actual_on=today - timedelta(days=1), evidence=pdf_upload(), actor=kitb_admin)
    services.milestone_plan(milestone_id=lease.pk, planned_on=today - timedelta(days=20), actor=kitb_admin)
    assert services.project_at_risk_sweep(now=monday + timedelta(days=7)) == 1
    keys = sorted(OutboxMessage.objects.filter(kind="project_at_risk").values_list("key", flat=True))
    assert len(keys) == 3 and all(k.startswith(f"project-at-risk:{project.pk}:") for k in keys)
    assert {m.to_email for m in OutboxMessage.objects.filter(kind="project_at_risk")} == {project.owner.email}


@pytest.mark.django_db
def test_money_in_usd_idr_and_krw_through_the_current_rates(kitb_admin):
    services.exchange_rate_set(actor=kitb_admin, currency="KRW", usd_rate=Decimal("0.00075"), idr_rate=Decimal("11.5"))
    services.exchange_rate_set(actor=kitb_admin, currency="EUR", usd_rate=Decimal("1.1"), idr_rate=Decimal("17000"))
    assert selectors.convert_money(Decimal("1000"), "EUR") == {"USD": Decimal("1100.00"), "IDR": Decimal("17000000.00"), "KRW": Decimal("1466666.67")}
    assert selectors.convert_money(Decimal("1000000"), "KRW")["USD"] == Decimal("750.00")
    assert selectors.convert_money(Decimal("5"), "JPY") == {"USD": None, "IDR": None, "KRW": None}


@pytest.mark.django_db
def test_a_rate_set_today_counts_whatever_day_the_database_clock_says(kitb_admin, settings):
    """The rate's ``valid_from`` is the site's date; the database's CURRENT_DATE is its session's
    (UTC in production, a day behind Jakarta from 17:00 UTC). Here the site is 26 hours ahead of the
    database session, so their dates always differ."""
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Etc/GMT+12'")  # UTC-12; undone with the test's transaction
    services.exchange_rate_set(actor=kitb_admin, currency="KRW", usd_rate=Decimal("0.00075"), idr_rate=Decimal("11.5"))
    assert "KRW" in selectors.current_rates()
    assert selectors.project_figures().missing_rates == []


@pytest.mark.django_db
def test_partner_sees_its_own_projects_only_and_no_internal_data(project, client_a, partner_b, client, kitb_admin, reviewer1):
    services.comment_add(application_id=project.application_id, actor=reviewer1, body="INTERNAL: doubts about the financing", visibility="internal")
    services.project_update(project_id=project.pk, actor=kitb_admin, owner=project.owner, investment_realised="2500000", jobs_realised=40, jobs_local=35)
    page = client_a.get("/portal/applications/projects/").content.decode()
    assert project.application.company_name in page
    detail = client_a.get(f"/portal/applications/projects/{project.pk}/").content.decode()
    for text in ("Investment licence issued (OSS / NIB)", "Commercial operation", "2,500,000", "35"):
        assert text in detail
    for secret in ("INTERNAL", "Weighted", reviewer1.full_name, project.owner.full_name, kitb_admin.full_name):
        assert secret not in detail
    client.force_login(partner_b)
    assert client.get(f"/portal/applications/projects/{project.pk}/").status_code == 404
    assert project.application.company_name not in client.get("/portal/applications/projects/").content.decode()


@pytest.mark.django_db
def test_admin_confirms_a_milestone_with_its_evidence(project, admin_client):
    licence = _m(project, "licence")
    url = f"/admin/tenants/tenantproject/{project.pk}/milestones/{licence.pk}/"
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = admin_client.post(url, {"actual_on": future, "evidence": pdf_upload(), "_confirm": "1"})
    assert response.status_code == 400 and "in the future" in response.content.decode()
    response = admin_client.post(url, {"actual_on": timezone.localdate().isoformat(), "evidence": pdf_upload("oss.pdf"), "_confirm": "1"})
    assert response.status_code == 302
    page = admin_client.get(f"/admin/tenants/tenantproject/{project.pk}/change/").content.decode()
    assert "oss.pdf" in page
    evidence = admin_client.get(f"{url}evidence/")
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content).startswith(b"%PDF-")


def test_declared_milestones_are_data():
    assert [k.code for k in milestones.MILESTONES][0] == "licence" and milestones.MILESTONES[-1].code == "commercial_operation"
    assert not milestones.BY_CODE["trial_production"].required
