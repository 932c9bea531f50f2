"""The admin index as the staff dashboard: content, figures, links that filter, permissions,
accessible charts, and a number of queries that does not grow with the data."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Commitment, MoU
from tenants.models import Application, ExchangeRate
from tests.factories import UserFactory
from tests.partnerships.factories import mou_with_parties
from tests.tenants.factories import ApplicationFactory, SectorFactory
from tests.utils import SharedByTheClass, assert_flat_queries, count_queries

from .conftest import build, cast, confirmed_count, figure, panel

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"


def _dashboard_html(response) -> str:
    html = response.content.decode()
    start = html.index('id="kitb-dashboard"')
    end = html.index('id="content-main"')
    return html[start:end]


def _result_count(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    assert "cl" in response.context, f"{url} is not a changelist"
    # An unknown filter parameter would redirect with ?e=1; a known one filters.
    assert "e=1" not in response.request.get("QUERY_STRING", ""), url
    return response.context["cl"].result_count


def _two_organisations_and_land() -> dict:
    people = cast(land=True)
    kitb, actor = people["kitb"], people["kitb_admin"]
    a = build(4, kitb=kitb, org=people["technopark"], actor=actor, partner=people["partner_a"], land=people["land"], tag="TP")
    b = build(2, kitb=kitb, org=people["province"], actor=actor, partner=people["partner_b"], tag="PV")
    return {**people, "world": (a, b)}


class TestTwoOrganisationsAndLand(SharedByTheClass):
    """Technopark has 4 of everything and a plot allocated and one reserved; the province 2. Built
    once for the class (tests.utils.built_once): the fixtures of what it holds (kitb, land...) give
    the world's."""
    build = staticmethod(_two_organisations_and_land)
    shares = ("world", "kitb", "technopark", "province", "kitb_admin", "partner_a", "partner_b", "land")

    def test_dashboard_is_above_the_app_list(self, admin_client, world):
        response = admin_client.get(ADMIN)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.index('id="kitb-dashboard"') < html.index('id="content-main"')
        assert [s.key for s in response.context["dashboard"]] == ["partnerships", "events", "tenants"]
        # The app list and the recent actions are still there.
        assert 'href="/admin/partnerships/"' in html and "recent-actions-module" in html
        dashboard = _dashboard_html(response)
        for text in ("MoUs by status", "Commitments", "Fill rate of the next published events", "Events held per quarter by kind",
                     "Screening pipeline by step", "Planned investment by sector", "Land per zone", "Site plan of Phase 1"):
            assert text in dashboard, text
        assert 'href="/static/css/dashboard.css"' in html

    def test_mou_and_commitment_figures(self, admin_client, world):
        a, b = world
        sections = admin_client.get(ADMIN).context["dashboard"]
        mous = panel(sections, "partnerships", "mous")
        assert figure(mous, "Active").value == str(MoU.objects.filter(status="active").count()) == "4"
        assert figure(mous, "In negotiation").value == "1"
        # One MoU in four expires in 30 days: one of TP's four, one of PV's two.
        assert figure(mous, "Expiring within 90 days").value == "2"
        assert figure(mous, "Expiring within 90 days").tone == "attention"
        commitments = panel(sections, "partnerships", "commitments")
        assert figure(commitments, "Overdue").value == "4"
        assert figure(commitments, "Due within 30 days").value == "4"
        assert figure(commitments, "Open").value == str(Commitment.objects.filter(status="open").count()) == "12"
        # The tables list what needs attention, soonest first, with its state in words.
        table = commitments.tables[0]
        states = [row[1].text for row in table.rows]
        assert states[:4] == ["overdue by 5 days"] * 4 and states[4:] == ["due in 10 days"] * 4
        expiring = mous.tables[0]
        assert {row[0].text.split(" — ")[0] for row in expiring.rows} == {"TP/MOU/0000", "PV/MOU/0000"}

    def test_mou_and_commitment_links_filter(self, admin_client, world):
        sections = admin_client.get(ADMIN).context["dashboard"]
        mous = panel(sections, "partnerships", "mous")
        for f in mous.figures:
            assert _result_count(admin_client, f.url) == int(f.value), f.label
        chart_table = mous.charts[0].table
        for row in chart_table.rows:
            assert row[1].url and _result_count(admin_client, row[1].url) == int(row[1].text), row[0].text
        assert "/admin/partnerships/mou/?status__exact=active" in [row[1].url for row in chart_table.rows]
        commitments = panel(sections, "partnerships", "commitments")
        for f in commitments.figures:
            assert _result_count(admin_client, f.url) == int(f.value), f.label

    def test_event_figures_and_links(self, admin_client, world):
        a, b = world
        sections = admin_client.get(ADMIN).context["dashboard"]
        upcoming = panel(sections, "events", "upcoming-events")
        assert figure(upcoming, "Published events").value == "6"
        assert _result_count(admin_client, figure(upcoming, "Published events").url) == 6
        taken = sum(confirmed_count(e) for e in a.events + b.events if e.status == "published")
        assert figure(upcoming, "Places taken").value == f"{taken} / 24"
        table = upcoming.charts[0].table
        first = next(e for e in a.events if e.title_en == "TP seminar 0")
        row = next(r for r in table.rows if r[0].text == first.title)
        assert row[0].url == reverse("admin:events_event_summary", args=[first.pk])
        assert row[2].text == str(confirmed_count(first))
        assert _result_count(admin_client, row[2].url) == confirmed_count(first)
        assert row[4].text == f"{100 * confirmed_count(first) // 4}%"

        quarters = panel(sections, "events", "events-per-quarter")
        held = [e for e in a.events + b.events if e.status == "completed"]
        assert figure(quarters, "Held in the last 8 quarters").value == str(len(held))
        assert _result_count(admin_client, figure(quarters, "Held in the last 8 quarters").url) == len(held)
        qtable = quarters.charts[0].table
        assert len(qtable.rows) == 8 and qtable.columns == ["Quarter", "Conference", "Seminar", "Workshop", "Total"]
        assert sum(int(r[4].text) for r in qtable.rows) == len(held)
        for r in qtable.rows:  # every cell lists the events it counts
            for c in r[1:]:
                assert _result_count(admin_client, c.url) == int(c.text), (r[0].text, c.url)

    def test_pipeline_figures_in_usd_and_links(self, admin_client, world):
        sections = admin_client.get(ADMIN).context["dashboard"]
        pipeline = panel(sections, "tenants", "pipeline")
        live = Application.objects.filter(status__in=["submitted", "screening", "due_diligence", "committee", "approved"])
        usd = Decimal(0)
        for app_ in live:  # USD amounts as they are; KRW at the staff's rate (0.00075)
            usd += app_.investment_amount if app_.investment_currency == "USD" else app_.investment_amount * Decimal("0.00075")
        assert figure(pipeline, "Planned investment, in review or approved").value == f"USD {int(usd):,}"
        assert figure(pipeline, "Jobs planned, in review or approved").value == f"{sum(a.jobs_planned for a in live):,}"
        assert figure(pipeline, "In review").value == str(live.exclude(status="approved").count())
        expected = {
            "In review": live.exclude(status="approved").count(), "Approved": live.filter(status="approved").count(),
            "Planned investment, in review or approved": live.count(), "Jobs planned, in review or approved": live.count(),
        }
        for f in pipeline.figures:
            assert _result_count(admin_client, f.url) == expected[str(f.label)], f.label
        steps = pipeline.charts[0].table
        assert [r[0].text for r in steps.rows] == ["Submitted", "Screening", "Due diligence", "Committee decision", "Approved", "Rejected", "Withdrawn"]
        for r in steps.rows:
            assert _result_count(admin_client, r[1].url) == int(r[1].text), r[0].text
        sectors = panel(sections, "tenants", "pipeline-sectors").charts[0].table
        assert sectors.rows[0][0].text == "New energy"
        assert _result_count(admin_client, sectors.rows[0][1].url) == live.count() == int(sectors.rows[0][1].text)

    def test_land_chart_and_site_plan(self, admin_client, world, land):
        sections = admin_client.get(ADMIN).context["dashboard"]
        land_panel = panel(sections, "tenants", "land")
        chart = land_panel.charts[0]
        assert [r[0].text for r in chart.table.rows] == ["KITB", "Cluster 1", "Phase 1"]
        phase = chart.table.rows[2]
        assert [c.text for c in phase[1:]] == ["450", "20", "20", "410", "6"]
        # Each zone's links count its sub-zones' plots too: KITB's allocated link lists the phase-1 plot.
        kitb_row = chart.table.rows[0]
        assert _result_count(admin_client, kitb_row[2].url) == 1  # allocated
        assert _result_count(admin_client, kitb_row[3].url) == 1  # reserved
        assert _result_count(admin_client, kitb_row[4].url) == 4  # available plots
        assert _result_count(admin_client, kitb_row[5].url) == 6
        # Patterns as well as colours, a legend, and every segment's value written out.
        assert chart.svg.count("<pattern") == 2
        for text in ("Allocated", "Reserved", "Free", "Allocated 20 ha (4.4%)", "Free 410 ha (91.1%)"):
            assert text in chart.svg, text
        site = panel(sections, "tenants", "site-plan")
        assert 'aria-labelledby="siteplan-title siteplan-desc"' in site.html and "P1-00" in site.html
        legend = {r[0].text: (r[1].text, r[1].url) for r in site.tables[0].rows}
        assert legend["X · Allocated"][0] == "1" and _result_count(admin_client, legend["X · Allocated"][1]) == 1
        assert legend["A · Available"][0] == "4" and _result_count(admin_client, legend["A · Available"][1]) == 4

    def test_charts_are_accessible_and_csp_clean(self, admin_client, world):
        response = admin_client.get(ADMIN)
        html = _dashboard_html(response)
        svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
        assert len(svgs) == 7  # six charts and the site plan
        for svg in svgs:
            assert 'role="img"' in svg and "viewBox=" in svg
            ids = re.search(r'aria-labelledby="([^"]+) ([^"]+)"', svg).groups()
            assert f'<title id="{ids[0]}">' in svg and f'<desc id="{ids[1]}">' in svg
            assert "<a " not in svg  # figures link from the tables, not from inside role="img"
        # Every chart is followed by the table of its numbers.
        assert html.count('<figure class="dash-chart"') == 6
        for figure_html in re.findall(r'<figure class="dash-chart".*?</figure>', html, flags=re.S):
            assert "<table" in figure_html and "<caption" in figure_html and 'scope="col"' in figure_html
        # CSP (style-src 'self'): no style attribute or element anywhere, no inline script.
        page = response.content.decode()
        assert "style=" not in html and "<style" not in html
        assert "<script>" not in page.replace("<script src=", "")
        ids = re.findall(r'\bid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), "duplicate ids"


def test_amounts_without_an_exchange_rate_are_left_out_and_said_so(admin_client, technopark):
    sector = SectorFactory()
    ApplicationFactory(referrer=technopark, sector=sector, status="screening", investment_amount=Decimal("1000"), investment_currency="USD")
    ApplicationFactory(referrer=technopark, sector=sector, status="screening", investment_amount=Decimal("5000"), investment_currency="EUR")
    sections = admin_client.get(ADMIN).context["dashboard"]
    pipeline = panel(sections, "tenants", "pipeline")
    assert figure(pipeline, "Planned investment, in review or approved").value == "USD 1,000"
    assert "1 planned investments are in a currency without an exchange rate" in pipeline.note
    ExchangeRate.objects.create(currency="EUR", usd_rate=Decimal("1.1"), idr_rate=Decimal("17000"))
    pipeline = panel(admin_client.get(ADMIN).context["dashboard"], "tenants", "pipeline")
    assert figure(pipeline, "Planned investment, in review or approved").value == "USD 6,500"
    assert pipeline.note == ""
    # a rate staff set for next week counts from next week (as in the tenant projects' figures)
    ExchangeRate.objects.create(currency="EUR", usd_rate=Decimal("2"), idr_rate=Decimal("30000"),
                                valid_from=timezone.localdate() + dt.timedelta(days=7))
    pipeline = panel(admin_client.get(ADMIN).context["dashboard"], "tenants", "pipeline")
    assert figure(pipeline, "Planned investment, in review or approved").value == "USD 6,500"


def test_site_plan_panel_says_when_there_is_no_phase_1(admin_client, kitb_admin):
    sections = admin_client.get(ADMIN).context["dashboard"]
    site = panel(sections, "tenants", "site-plan")
    assert site.is_empty and site.empty == "There is no phase-1 zone yet."
    html = _dashboard_html(admin_client.get(ADMIN))
    assert "There is no phase-1 zone yet." in html and "No published event in the next 60 days." in html


def test_charts_scale_on_a_phone():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "dashboard.css").read_text()
    assert re.search(r"\.dash-chart__svg svg \{[^}]*width: 100%; height: auto;", css)
    assert "minmax(min(100%, 26rem), 1fr)" in css  # the grid falls to one column on a 375-px screen
    assert ".dash-table-wrap { overflow-x: auto;" in css


def test_sections_follow_the_staff_permissions(client, kitb):
    """An events officer without partnership or tenant rights sees the events section only;
    staff without any view right see the admin index without a dashboard."""
    officer = UserFactory(staff=True, organization=kitb, email="events-officer@kitb.example")
    officer.user_permissions.add(Permission.objects.get(codename="view_event", content_type__app_label="events"))
    client.force_login(officer)
    response = client.get(ADMIN)
    assert response.status_code == 200
    assert [s.key for s in response.context["dashboard"]] == ["events"]
    bare = UserFactory(staff=True, organization=kitb, email="bare@kitb.example")
    client.force_login(bare)
    response = client.get(ADMIN)
    assert response.status_code == 200 and response.context["dashboard"] == []
    assert 'id="kitb-dashboard"' not in response.content.decode()


def test_partners_and_visitors_never_reach_the_staff_dashboard(client, partner_a):
    response = client.get(ADMIN)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(partner_a)
    response = client.get(ADMIN)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.slow  # builds the data twice: the query count at two sizes
def test_staff_dashboard_queries_do_not_grow(admin_client, kitb, technopark, province, kitb_admin, partner_a, land):
    world = build(2, kitb=kitb, org=technopark, actor=kitb_admin, partner=partner_a, land=land, tag="S")
    admin_client.get(ADMIN)  # warm the session and the permission cache of this process
    cache.clear()  # the sections drawn, not kept (kitb_portal.dashboard.cached)
    small = count_queries(admin_client.get, ADMIN)
    assert small[2].status_code == 200
    build(8, kitb=kitb, org=province, actor=kitb_admin, world=world, tag="L")
    build(4, kitb=kitb, org=technopark, actor=kitb_admin, world=world, tag="M")
    cache.clear()
    large = count_queries(admin_client.get, ADMIN)
    assert large[2].status_code == 200
    assert figure(panel(large[2].context["dashboard"], "partnerships", "mous"), "Active").value == str(
        MoU.objects.filter(status="active").count())
    assert MoU.objects.count() == 14 and Application.objects.count() >= 14
    assert_flat_queries(small, large, limit=20)


def test_dashboard_shows_a_saved_record_on_the_next_page(admin_client, kitb, technopark, kitb_admin):
    mou_with_parties(kitb, technopark, reference="NOW/1", status=MoU.Status.NEGOTIATION)
    assert figure(panel(admin_client.get(ADMIN).context["dashboard"], "partnerships", "mous"), "In negotiation").value == "1"
    mou_with_parties(kitb, technopark, reference="NOW/2", status=MoU.Status.NEGOTIATION)
    assert figure(panel(admin_client.get(ADMIN).context["dashboard"], "partnerships", "mous"), "In negotiation").value == "2"


def test_figures_follow_the_locale(client, kitb, technopark):
    """Numbers are grouped as the viewer's language writes them (Indonesian: 1.000)."""
    staff = UserFactory(staff=True, is_superuser=True, organization=kitb, email="id@kitb.example", preferred_language="id")
    sector = SectorFactory()
    ApplicationFactory(referrer=technopark, sector=sector, status="screening", investment_amount=Decimal("1234567"), investment_currency="USD")
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    pipeline = panel(client.get(ADMIN).context["dashboard"], "tenants", "pipeline")
    assert "1.234.567" in pipeline.figures[2].value
