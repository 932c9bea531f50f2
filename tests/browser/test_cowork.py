"""Partners as co-workers in Chromium: the partner proposes an event from the portal, KITB's events
officer accepts it in the admin (a draft event with the partner as co-organiser), the partner adds
a session to its agenda. Selectors use names and link targets (the demo users read Korean and
Indonesian)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from .conftest import login, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_proposes_staff_accept_partner_adds_a_session(demo, page, browser, live_server, shot):
    from events.models import Event, EventProposal, Session

    day = (timezone.now() + dt.timedelta(days=60)).strftime("%Y-%m-%d")
    login(page, demo.partner.email, demo.partner.password)
    page.goto("/portal/events/proposals/")
    with page.expect_navigation():
        page.locator("a[href='/portal/events/proposals/new/']").click()
    page.select_option("select[name=kind]", "workshop")
    page.fill("input[name=title_en]", "Battery recycling workshop")
    page.fill("input[name=title_ko]", "배터리 재활용 워크숍")
    page.fill("input[name=preferred_start]", f"{day}T09:00")
    page.fill("input[name=preferred_end]", f"{day}T13:00")
    page.select_option("select[name=mode]", "on_site")
    page.fill("input[name=expected_audience]", "45")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    proposal = EventProposal.objects.get(title_en="Battery recycling workshop")
    assert page.url.endswith(f"/portal/events/proposals/{proposal.pk}/"), page.url
    shot(page, "01-proposed")

    staff_context = new_context(browser, live_server)
    staff = staff_context.new_page()
    login(staff, demo.events_officer.email, demo.events_officer.password, expect_path="/admin/")
    staff.goto(f"/admin/events/eventproposal/{proposal.pk}/change/")
    with staff.expect_navigation():
        staff.locator(f"a[href='/admin/events/eventproposal/{proposal.pk}/decide/']").click()
    staff.check("input[name=decision][value=accept]")
    staff.fill("textarea[name=message]", "Selamat datang, mari kita adakan bersama.")
    staff.select_option("select[name=venue]", index=1)
    with staff.expect_navigation():
        staff.locator("form input[type=submit]").click()
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.event_id, staff.locator("#content").inner_text()
    event = Event.objects.get(pk=proposal.event_id)
    assert event.status == "draft" and event.organizers.filter(name__icontains="Technopark").exists()
    assert staff.url.endswith(f"/admin/events/event/{event.pk}/change/"), staff.url
    staff_context.close()

    page.goto(f"/portal/events/proposals/{proposal.pk}/")
    with page.expect_navigation():
        page.locator(f"a[href='/portal/events/manage/{event.pk}/']").click()
    with page.expect_navigation():
        page.locator(f"a[href='/portal/events/manage/{event.pk}/sessions/new/']").click()
    page.fill("input[name=title]", "Opening and welcome")
    page.fill("input[name=title_ko]", "개회 및 환영사")
    page.fill("input[name=start]", f"{day}T09:00")
    page.fill("input[name=end]", f"{day}T09:30")
    page.select_option("main select#id_language", "ko")  # not the site's language switcher
    page.check("input[name=interpretation]")
    page.fill("textarea[name=speakers]", "Kim Min-jun — Chungbuk Technopark")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith(f"/portal/events/manage/{event.pk}/"), page.locator("main").inner_text()
    session = Session.objects.get(event=event)
    assert session.title_ko == "개회 및 환영사" and session.interpretation and session.language == "ko"
    assert page.get_by_text("개회 및 환영사").is_visible()
    event.refresh_from_db()
    assert event.status == "draft" and event.capacity == 45
    shot(page, "02-session-added")
