"""The screening committee in Chromium: the KITB administrator chairs this week's meeting (the demo
puts the application waiting at the committee on its agenda), writes the minutes, records the
attendance and every member's vote, closes the meeting (the minutes are frozen, PDF with SHA-256),
downloads them, and records the committee's approval on the application."""

from __future__ import annotations

import hashlib

import pytest

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_committee_meeting_from_agenda_to_closed_minutes(demo, page, shot):
    from tenants.models import AgendaItem, Application, CommitteeMeeting

    meeting = CommitteeMeeting.objects.get(title="Screening committee: this week")
    item = meeting.agenda.select_related("application").get()
    application = item.application
    assert meeting.status == "scheduled" and application.status == "committee"

    login(page, demo.admin.email, demo.admin.password, expect_path="/admin/")
    page.goto(f"/admin/tenants/committeemeeting/{meeting.pk}/change/")
    assert application.company_name in page.locator("#content-main").inner_text()  # on the agenda
    shot(page, "01-meeting-with-its-agenda")

    # Closing without the attendance is refused: no quorum, a message, no 500.
    page.locator("textarea[name=minutes]").fill("The committee reviewed the business plan and the land request; approved.")
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    with page.expect_navigation():
        page.locator(f"form[action='/admin/tenants/committeemeeting/{meeting.pk}/close/'] button[type=submit]").click()
    assert page.locator(".messagelist .error").count() == 1
    shot(page, "02-close-refused-without-quorum")

    # Attendance and votes on one page.
    with page.expect_navigation():
        page.locator(f"a[href='/admin/tenants/committeemeeting/{meeting.pk}/votes/']").click()
    members = list(meeting.members.all())
    for member in members:
        page.locator(f"input[name=present_{member.pk}]").check()
        page.select_option(f"select[name=vote_{item.pk}_{member.pk}]", "approve")
    shot(page, "03-attendance-and-votes")
    with page.expect_navigation():
        page.locator("input[name=_save_votes]").click()
    assert page.url.endswith(f"/admin/tenants/committeemeeting/{meeting.pk}/change/"), page.url
    assert page.locator(".messagelist .success").count() == 1

    with page.expect_navigation():
        page.locator(f"form[action='/admin/tenants/committeemeeting/{meeting.pk}/close/'] button[type=submit]").click()
    assert page.locator(".messagelist .success").count() == 1
    meeting.refresh_from_db()
    assert meeting.status == "closed" and AgendaItem.objects.get(pk=item.pk).outcome == "approve"
    assert page.locator("textarea[name=minutes]").count() == 0  # frozen: read-only now
    shot(page, "04-closed-with-frozen-minutes")

    with page.expect_download() as info:
        page.locator(f"a[href='/admin/tenants/committeemeeting/{meeting.pk}/minutes/']").click()
    content = open(info.value.path(), "rb").read()
    assert content.startswith(b"%PDF-") and hashlib.sha256(content).hexdigest() == meeting.minutes_sha256

    # The decision the meeting voted is now recorded on the application.
    page.goto(f"/admin/tenants/application/{application.pk}/change/")
    with page.expect_navigation():
        page.locator(f"form[action='/admin/tenants/application/{application.pk}/step/approve/'] button[type=submit]").click()
    assert page.locator(".messagelist .success").count() == 1
    assert Application.objects.get(pk=application.pk).status == "approved"
    shot(page, "05-application-approved")
