"""The portal home as the partners' dashboard: their organisation's MoUs and commitments, their
upcoming registrations, the applications their organisation referred; nothing of another
organisation's; links that lead to the lists; a number of queries that does not grow."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from events import services as event_services
from partnerships.models import Commitment, MoU
from tenants.models import Application
from tests.factories import UserFactory
from tests.utils import SharedByTheClass, assert_flat_queries, count_queries

from .conftest import build, cast, figure, panel

pytestmark = pytest.mark.django_db

HOME = "/portal/"


def _figures(sections, section_key, panel_key) -> dict[str, str]:
    return {str(f.label): f.value for f in panel(sections, section_key, panel_key).figures}


def _two_organisations() -> dict:
    people = cast()
    a = build(4, kitb=people["kitb"], org=people["technopark"], actor=people["kitb_admin"], partner=people["partner_a"], tag="TP")
    b = build(9, kitb=people["kitb"], org=people["province"], actor=people["kitb_admin"], partner=people["partner_b"], tag="PV")
    return {**people, "worlds": (a, b)}


class TestTwoOrganisations(SharedByTheClass):
    """Partner A's organisation (Technopark) has 4 of everything; partner B's (the province) 9, so
    that B's counts (and names) are easy to tell from A's. Built once for the class (tests.utils.built_once):
    the fixtures of the people in it (kitb, technopark, partner_a...) give the world's."""
    build = staticmethod(_two_organisations)
    shares = ("worlds", "kitb", "technopark", "province", "kitb_admin", "partner_a", "partner_b")

    def test_partner_home_shows_their_figures(self, partner_client, worlds, technopark):
        response = partner_client.get(HOME)
        assert response.status_code == 200
        sections = response.context["dashboard"]
        assert [s.key for s in sections] == ["partnerships", "events", "tenants"]
        mous = _figures(sections, "partnerships", "mous")
        assert mous == {"Draft": "1", "Negotiation": "1", "Active": "2", "Expiring within 90 days": "1"}
        assert _figures(sections, "partnerships", "commitments") == {"Overdue": "2", "Due within 30 days": "2", "Open": "6", "Done": "2"}
        assert _figures(sections, "events", "registrations") == {"Upcoming registrations": "3", "Confirmed": "3", "Waitlisted": "0"}
        applications = _figures(sections, "tenants", "applications")
        assert applications == {"Draft": "1", "Submitted": "1", "Screening": "1", "Due diligence": "1"}
        html = response.content.decode()
        # The tables name the records with their state.
        for text in ("TP/MOU/0000", "TP overdue 0", "overdue by 5 days", "due in 10 days", "TP seminar 0", "TP Company 3", "Due diligence"):
            assert text in html, text
        assert 'href="/static/css/dashboard.css"' in html
        assert "style=" not in html.split('id="main"')[1] and "<svg" not in html  # no inline styles; partners get tables

    def test_partner_b_counts_and_names_never_appear_on_partner_a_home(self, partner_client, worlds, province):
        """The intruder check: B's organisation has 9 MoUs and 9 applications; A's home shows 4 and 4."""
        a, b = worlds
        response = partner_client.get(HOME)
        sections = response.context["dashboard"]
        html = response.content.decode()
        for mou in b.mous:
            assert mou.reference not in html
        for application in b.applications:
            assert application.company_name not in html
        assert "PV " not in html and "Chungcheongbuk-do Provincial Government" not in html.split('id="main"')[1].split("<footer")[0]
        mous = panel(sections, "partnerships", "mous")
        assert sum(int(v) for k, v in _figures(sections, "partnerships", "mous").items() if k != "Expiring within 90 days") == 4
        assert len(mous.tables[0].rows) == 4
        assert sum(int(v) for v in _figures(sections, "tenants", "applications").values()) == 4
        assert len(panel(sections, "tenants", "applications").tables[0].rows) == 4
        # And the other way round: B sees 9, never A's.
        client = Client()
        client.force_login(UserFactory(organization=province, email="b2@province.example"))
        other = client.get(HOME)
        assert sum(int(v) for k, v in _figures(other.context["dashboard"], "partnerships", "mous").items()
                   if k != "Expiring within 90 days") == 9
        assert "TP/MOU/" not in other.content.decode() and "TP Company" not in other.content.decode()

    def test_registrations_are_the_users_own(self, client, worlds, technopark):
        """A colleague of partner A (same organisation) does not see A's registrations as theirs."""
        colleague = UserFactory(organization=technopark, email="colleague@technopark.example")
        client.force_login(colleague)
        sections = client.get(HOME).context["dashboard"]
        registrations = panel(sections, "events", "registrations")
        assert figure(registrations, "Upcoming registrations").value == "0"
        assert registrations.is_empty and registrations.empty == "You are not registered for any upcoming event."

    def test_links_lead_to_the_lists(self, partner_client, worlds):
        response = partner_client.get(HOME)
        sections = response.context["dashboard"]
        # MoU status figures open the portal's MoU list filtered by that status.
        for f in panel(sections, "partnerships", "mous").figures:
            if f.url.startswith("#"):
                assert f'id="{f.url[1:]}"' in response.content.decode()
                continue
            page = partner_client.get(f.url)
            assert page.status_code == 200
            assert page.context["page"].paginator.count == int(f.value), f.label
            status = re.search(r"status=(\w+)", f.url).group(1)
            assert {m.status for m in page.context["page"].object_list} == {status}
        # Commitment figures lead to the table of open commitments on the page; its rows to the MoU.
        commitments = panel(sections, "partnerships", "commitments")
        assert figure(commitments, "Overdue").url == "#dash-partner-commitments"
        assert 'id="dash-partner-commitments"' in response.content.decode()
        row = commitments.tables[0].rows[0]
        mou = Commitment.objects.get(description=row[0].text).mou
        assert row[0].url == reverse("partnerships:mou_detail", args=[mou.pk]) + "#commitments"
        assert partner_client.get(row[0].url.split("#")[0]).status_code == 200
        # Registrations lead to the user's registrations and to each event.
        registrations = panel(sections, "events", "registrations")
        assert partner_client.get(figure(registrations, "Upcoming registrations").url).status_code == 200
        assert partner_client.get(registrations.tables[0].rows[0][0].url).status_code == 200
        # Applications lead to their pages and to the list.
        applications = panel(sections, "tenants", "applications")
        for row in applications.tables[0].rows:
            assert partner_client.get(row[0].url).status_code == 200
        for f in applications.figures:
            assert partner_client.get(f.url).status_code == 200


def test_waitlisted_and_pending_registrations_are_counted(partner_client, partner_a, kitb_admin):
    from tests.events.factories import EventFactory

    full = EventFactory(published=True, capacity=1, actor=kitb_admin)
    event_services.registration_create(event_id=full.pk, user=UserFactory(email="first@example.org"))
    event_services.registration_create(event_id=full.pk, user=partner_a)
    sections = partner_client.get(HOME).context["dashboard"]
    registrations = panel(sections, "events", "registrations")
    assert figure(registrations, "Waitlisted").value == "1" and figure(registrations, "Confirmed").value == "0"
    assert registrations.tables[0].rows[0][2].text == "Waitlisted"


def test_home_of_a_new_partner_says_there_is_nothing_yet(client, technopark):
    client.force_login(UserFactory(organization=technopark, email="new@technopark.example"))
    response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Your organisation is not a party to any MoU yet.", "No open commitment under your MoUs.",
                 "You are not registered for any upcoming event.", "Your organisation has not referred any application yet."):
        assert text in html, text


def test_staff_are_sent_to_the_admin_dashboard(client, staff_user):
    client.force_login(staff_user)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_visitors_are_sent_to_log_in(client):
    response = client.get(HOME)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_portal_home_in_korean(client, technopark, kitb, kitb_admin):
    """The page follows the user's language (labels come through gettext; the Korean catalogue is
    another helper's work, so this checks the language is active and numbers still render)."""
    user = UserFactory(organization=technopark, email="ko@technopark.example", preferred_language="ko")
    build(1, kitb=kitb, org=technopark, actor=kitb_admin, tag="KO")
    client.force_login(user)
    client.cookies["django_language"] = "ko"
    response = client.get(HOME)
    assert response.status_code == 200 and '<html lang="ko">' in response.content.decode()
    assert response.context["dashboard"][0].panels[0].figures[0].value == "1"


@pytest.mark.slow  # builds the data twice: the query count at two sizes
def test_portal_home_queries_do_not_grow(partner_client, kitb, technopark, province, kitb_admin, partner_a):
    world = build(2, kitb=kitb, org=technopark, actor=kitb_admin, partner=partner_a, tag="S")
    partner_client.get(HOME)  # warm the session
    small = count_queries(partner_client.get, HOME)
    assert small[2].status_code == 200
    build(12, kitb=kitb, org=technopark, actor=kitb_admin, partner=partner_a, world=world, tag="L")
    build(3, kitb=kitb, org=province, actor=kitb_admin, tag="PV")
    large = count_queries(partner_client.get, HOME)
    assert large[2].status_code == 200
    sections = large[2].context["dashboard"]
    assert len(panel(sections, "partnerships", "mous").tables[0].rows) == 10  # the list is bounded
    assert MoU.objects.filter(parties__organization=technopark).count() == 14
    assert Application.objects.filter(referrer=technopark).count() == 14
    assert_flat_queries(small, large, limit=12)
