"""The new portal pages and the dashboard's projects panel cost the same number of queries with few
and with many rows; the dashboard and the digest show the project figures."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tenants import dashboard, selectors, services
from tenants.models import Application, Milestone
from tests.utils import assert_flat_queries, count_queries

from .factories import ApplicationFactory, PlotFactory, ZoneFactory


def _projects(n, referrer, sector, *, currency="USD", late=False):
    made = []
    for _ in range(n):
        app = ApplicationFactory(referrer=referrer, sector=sector, status=Application.Status.APPROVED, decided_at=timezone.now(),
                                 investment_amount=Decimal("1000000"), investment_currency=currency, jobs_planned=100)
        project = services.project_open(application=app, actor=None)
        project.investment_realised = Decimal("250000")
        project.jobs_realised, project.jobs_local = 40, 30
        project.save()
        if late:
            Milestone.objects.filter(project=project, kind="licence").update(planned_on=timezone.localdate() - timedelta(days=90))
        made.append(project)
    return made


def _interests(n, partner, sector):
    for i in range(n):
        services.interest_submit(actor=partner, company_name=f"Interested {i}", company_country="KR", sector=sector,
                                 investment_min=1, investment_max=2, investment_currency="USD", land_ha=1, timing="2027")


def _land(n, parent):
    zone = ZoneFactory(code=f"zone-{n}", name=f"Zone {n}", area_ha=Decimal("400"), parent=parent)
    for i in range(n):
        PlotFactory(code=f"Z{n}-{i:03d}", zone=zone, area_ha=Decimal("1"))


@pytest.mark.django_db
def test_new_portal_pages_have_flat_query_counts(partner_client, partner_a, technopark, sector, land):
    _projects(2, technopark, sector, late=True)
    _interests(2, partner_a, sector)
    _land(2, land["kitb"])
    urls = ["/portal/applications/projects/", "/portal/applications/interest/", "/portal/applications/land/"]
    first = selectors.project_list_for(partner_a).first()
    urls.append(f"/portal/applications/projects/{first.pk}/")
    partner_client.get(urls[0])
    small = {url: count_queries(partner_client.get, url) for url in urls}
    _projects(30, technopark, sector)
    _interests(30, partner_a, sector)
    _land(40, land["kitb"])
    for url in urls:
        large = count_queries(partner_client.get, url)
        assert small[url][2].status_code == large[2].status_code == 200, url
        assert_flat_queries(small[url], large, limit=14)


@pytest.mark.django_db
def test_dashboard_projects_panel_figures_and_flat_queries(kitb_admin, technopark, sector):
    services.exchange_rate_set(actor=kitb_admin, currency="KRW", usd_rate=Decimal("0.00075"), idr_rate=Decimal("11.5"))
    services.exchange_rate_set(actor=kitb_admin, currency="USD", usd_rate=Decimal("1"), idr_rate=Decimal("16000"))
    _projects(2, technopark, sector, late=True)
    _projects(1, technopark, sector, currency="KRW")  # 1,000,000 KRW planned = USD 750
    small = count_queries(dashboard.project_panels)
    panel = small[2][0]
    values = {str(f.label): f.value for f in panel.figures}
    assert values["Investment realised / planned"] == "USD 500,187 / USD 2,000,750"  # 500,187.50, rounded half to even
    assert values["Jobs realised / planned (local)"] == "120 / 300 (90)"
    assert values["Projects at risk"] == "2"
    _projects(25, technopark, sector, late=True)
    large = count_queries(dashboard.project_panels)
    assert_flat_queries(small, large, limit=1)  # one query: the page budget is tight
    assert {str(f.label): f.value for f in large[2][0].figures}["Projects at risk"] == "27"


@pytest.mark.django_db
def test_digest_shows_the_project_figures(kitb_admin, technopark, sector):
    from tenants import digest

    _projects(3, technopark, sector, late=True)
    now = timezone.now()
    answer = digest.section([kitb_admin], {kitb_admin.pk: now - timedelta(days=1)}, now)
    groups = {str(g.title): g for g in answer[kitb_admin.pk].groups}
    items = {str(i.text): str(i.detail) for i in groups["Tenant projects"].items}
    assert items["Investment realised / planned"] == "USD 750,000 of USD 3,000,000"
    assert items["Jobs realised / planned"] == "120 of 300, 90 of them local"
    assert items["Projects at risk"] == "3"
