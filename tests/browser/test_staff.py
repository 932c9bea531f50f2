"""KITB staff in Chromium, in the admin: approve an application and allocate a plot, publish an
event (through the warnings page), export a list as CSV from a changelist.

The demo staff prefer Indonesian, so selectors use form actions, names and values, not labels.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from .conftest import axe_violations, describe, login, new_context
from .test_accessibility import ADMIN_IGNORED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _transition(page, application_pk: int, name: str) -> None:
    with page.expect_navigation():
        page.locator(f"form[action='/admin/tenants/application/{application_pk}/step/{name}/'] button[type=submit]").click()
    assert page.url.endswith(f"/admin/tenants/application/{application_pk}/change/"), page.url


def _meeting_approves(application) -> None:
    from tenants import services
    from tenants.models import CommitteeMeeting

    meeting = CommitteeMeeting.objects.get(agenda__application=application, status="scheduled")
    chair = meeting.chair
    members = [m.user for m in meeting.members.select_related("user")]
    services.meeting_attendance_set(meeting_id=meeting.pk, present_user_ids=[u.pk for u in members], actor=chair)
    for user in members:
        services.meeting_vote(meeting_id=meeting.pk, application_id=application.pk, voter=user, choice="approve", actor=chair)
    services.meeting_minutes_write(meeting_id=meeting.pk, minutes="Approved unanimously.", actor=chair)
    services.meeting_close(meeting_id=meeting.pk, actor=chair)


def test_staff_approves_an_application_and_allocates_a_plot(demo, page, shot):
    from tenants.models import Allocation, Application, ApplicationStatus, Plot

    ready = Application.objects.get(company_name="Jecheon Premium Cosmetics")  # at the committee, two reviews in
    early = Application.objects.get(company_name="Eumseong EV Motor Systems")  # in due diligence, no review yet
    assert ready.status == ApplicationStatus.COMMITTEE and early.status == ApplicationStatus.DUE_DILIGENCE

    login(page, demo.admin.email, demo.admin.password, expect_path="/admin/")
    page.goto("/admin/tenants/application/")
    page.locator("#changelist-search input[name=q]").fill("Eumseong")
    with page.expect_navigation():
        page.locator("#changelist-search input[name=q]").press("Enter")
    assert page.locator("#result_list tbody tr").count() == 1
    with page.expect_navigation():
        page.locator(f"#result_list a[href^='/admin/tenants/application/{early.pk}/change/']").click()

    # Due diligence → committee in the browser; the decision is refused without the review quorum.
    _transition(page, early.pk, "to_committee")
    assert page.locator(".messagelist .success").count() == 1
    _transition(page, early.pk, "approve")
    assert page.locator(".messagelist .error").count() == 1, "no quorum: the admin says why, no 500"
    early.refresh_from_db()
    assert early.status == ApplicationStatus.COMMITTEE
    shot(page, "01-approve-refused-without-quorum")

    # The decision needs this week's committee meeting to have voted it: recorded here through the
    # services (test_committee.py drives the meeting itself in the browser).
    _meeting_approves(ready)
    page.goto(f"/admin/tenants/application/{ready.pk}/change/")
    _transition(page, ready.pk, "approve")
    assert page.locator(".messagelist .success").count() == 1
    ready.refresh_from_db()
    assert ready.status == ApplicationStatus.APPROVED and ready.decided_at is not None
    shot(page, "02-approved")

    # Allocate a free plot from the approved application's page.
    plot = Plot.objects.get(code="P1-C03")
    assert plot.status == Plot.Status.AVAILABLE
    with page.expect_navigation():
        page.locator(f"a[href='/admin/tenants/allocation/add/?application={ready.pk}']").click()
    assert page.locator("select[name=application]").input_value() == str(ready.pk)
    page.select_option("select[name=plot]", str(plot.pk))
    page.select_option("select[name=kind]", Allocation.Kind.ALLOCATED.value)
    page.fill("textarea[name=note]", "Committee decision of this week.")
    shot(page, "03-allocation-form")
    with page.expect_navigation():
        page.locator("#content-main form input[type=submit]").click()
    assert page.url.endswith("/admin/tenants/allocation/"), page.url
    assert page.locator(".messagelist .success").count() == 1
    allocation = Allocation.objects.get(plot=plot, is_live=True)
    assert allocation.application_id == ready.pk and allocation.kind == Allocation.Kind.ALLOCATED
    plot.refresh_from_db()
    assert plot.status == Plot.Status.ALLOCATED
    assert page.locator("#result_list").get_by_text("P1-C03").count() == 1
    shot(page, "04-allocation-list")

    # The plot is gone from the choices: allocating it twice is impossible from the form.
    page.goto(f"/admin/tenants/allocation/add/?application={ready.pk}")
    assert page.locator(f"select[name=plot] option[value='{plot.pk}']").count() == 0


def test_staff_publishes_an_event_after_the_warnings(demo, page, browser, live_server, shot):
    from events import services
    from events.models import Event, EventStatus, Venue
    from kitb_portal.accounts.models import User

    officer = User.objects.get(email=demo.events_officer.email)
    venue = Venue.objects.get(city="Cheongju")
    lab = venue.rooms.get(name="Lab")  # 25 places: smaller than the event, which the publish page warns about
    start = (timezone.now() + dt.timedelta(days=60)).replace(hour=1, minute=0, second=0, microsecond=0)
    event = services.event_create(
        actor=officer, kind=Event.Kind.WORKSHOP, title_en="Battery recycling workshop", title_id="Lokakarya daur ulang baterai",
        title_ko="배터리 재활용 워크숍", description_en="Hands-on workshop.", topics=["investment"], mode=Event.Mode.ON_SITE,
        venue=venue, room=lab, start=start, end=start + dt.timedelta(hours=3), capacity=40, is_public=True,
    )
    assert event.status == EventStatus.DRAFT

    login(page, demo.events_officer.email, demo.events_officer.password, expect_path="/admin/")
    page.goto("/admin/events/event/?status__exact=draft")
    assert page.locator("#result_list tbody tr").count() == 1
    page.check(f"#result_list input[name=_selected_action][value='{event.pk}']")
    page.select_option("#changelist-form select[name=action]", "publish_selected")
    with page.expect_navigation():
        page.locator("#changelist-form button[name=index]").click()
    # The warnings page: the room is too small; staff publish anyway.
    assert page.locator("input[name=confirm][value=yes]").count() == 1
    assert page.locator(".messagelist .warning").count() == 1
    shot(page, "01-publish-warnings")
    event.refresh_from_db()
    assert event.status == EventStatus.DRAFT, "nothing is published before the confirmation"
    with page.expect_navigation():
        page.locator("#content form input[type=submit]").click()
    assert page.locator(".messagelist .success").count() == 1
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED and event.published_at is not None
    shot(page, "02-published")

    # Published and public: anyone sees it on the public page, without logging in.
    guest_context = new_context(browser, live_server)
    try:
        guest = guest_context.new_page()
        guest.goto("/events/")
        with guest.expect_navigation():
            guest.locator(f"a[href='/events/{event.slug}/']").first.click()
        assert guest.locator("h1").inner_text() == "Battery recycling workshop"
        shot(guest, "03-public-page")
    finally:
        guest_context.close()


def test_staff_exports_registrations_as_csv(demo, page, shot):
    from events.models import Event, Registration

    demo_events = list(Event.objects.filter(slug__startswith="demo-").order_by("pk"))
    expected = Registration.objects.filter(event__in=demo_events).count()
    assert expected >= 5

    login(page, demo.events_officer.email, demo.events_officer.password, expect_path="/admin/")
    page.goto("/admin/events/event/")
    for event in demo_events:
        page.check(f"#result_list input[name=_selected_action][value='{event.pk}']")
    page.select_option("#changelist-form select[name=action]", "export_registrations_csv")
    shot(page, "01-changelist-with-action")
    with page.expect_download() as info:
        page.locator("#changelist-form button[name=index]").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as fh:
        rows = list(csv.reader(io.StringIO(fh.read())))
    header = rows[0]
    assert header[:3] == ["id", "event", "event start (UTC)"], header
    assert {"name", "email", "status", "check_in_code"} <= set(header), header
    assert len(rows) - 1 == expected
    emails = {row[header.index("email")] for row in rows[1:]}
    assert demo.partner.email in emails and "siti.rahma@umkm-batik.example" in emails


def test_staff_exports_applications_as_a_background_job(demo, page, shot):
    """The import-export page's "Run in background": the job page shows the result and the CSV."""
    from tenants.models import Application

    login(page, demo.admin.email, demo.admin.password, expect_path="/admin/")
    page.goto("/admin/tenants/application/")
    with page.expect_navigation():
        page.locator("a[href^='/admin/tenants/application/export/']").first.click()
    page.select_option("select[name=format]", label="csv")
    shot(page, "01-export-form")
    violations = axe_violations(page, ignore=ADMIN_IGNORED)
    assert not violations, describe(violations)
    with page.expect_navigation():
        page.locator("input[type=submit][name=_background]").click()
    assert "/admin/jobs/backgroundjob/" in page.url, page.url
    # Tasks run eagerly here, so the job is over when its page opens: no polling left, the file is there.
    assert page.locator("#job-progress").get_attribute("data-status") == "done"
    shot(page, "02-job-done")
    violations = axe_violations(page, ignore=ADMIN_IGNORED)
    assert not violations, describe(violations)
    with page.expect_download() as info:
        page.locator("#content-main a.button[href$='/download/']").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:2] == ["id", "company_name"] or "company_name" in rows[0], rows[0]
    assert len(rows) - 1 == Application.objects.count()
    assert {row[rows[0].index("company_name")] for row in rows[1:]} >= {"Jecheon Premium Cosmetics", "Osong BioMed Devices"}
