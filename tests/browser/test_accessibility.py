"""axe-core (4.12, carried by axe-playwright-python) on the main pages: no serious or critical violation.

Each page is also saved as a screenshot. Portal pages are checked as the demo partner (Korean);
the login and public pages anonymously (English); the admin as the KITB administrator.
"""

from __future__ import annotations

import pytest

from .conftest import axe_violations, describe, login, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Failures ignored on the admin pages only, because the markup comes from Django's own admin
# templates and CSS, which we do not override: rule -> the element they sit in.
ADMIN_IGNORED: dict[str, str] = {
    # None at present: the breadcrumb links' colour-only distinction is fixed in static/css/admin.css.
}


def _check(page, shot, name: str, *, ignore: dict[str, str] | None = None) -> list[str]:
    page.wait_for_load_state("load")
    shot(page, name)
    violations = axe_violations(page, ignore=ignore)
    return [f"{name} ({page.url}):\n{describe(violations)}"] if violations else []


def test_portal_and_public_pages_have_no_serious_axe_violation(demo, page, browser, live_server, shot):
    from events.models import Event
    from partnerships.demo import MOU_MAIN
    from partnerships.models import MoU
    from tenants.models import Application

    mou = MoU.objects.get(reference=MOU_MAIN)
    event = Event.objects.get(slug="demo-seminar-batang-innovation")
    public_event = Event.objects.get(slug="demo-public-umkm-seminar")
    draft = Application.objects.get(company_name="Chungju Smart Mobility Parts")  # the partner's own draft
    screening = Application.objects.get(company_name="Osong BioMed Devices")

    problems: list[str] = []
    page.goto("/accounts/login/")
    problems += _check(page, shot, "01-login")

    login(page, demo.partner.email, demo.partner.password, expect_path="/portal/")
    pages = [
        ("02-portal-home", "/portal/"),
        ("03-mou-list", "/portal/mous/"),
        ("04-mou-detail", f"/portal/mous/{mou.pk}/"),
        ("05-event-list", "/portal/events/"),
        ("06-event-detail", f"/portal/events/{event.pk}/"),
        ("07-my-registrations", "/portal/events/mine/"),
        ("08-application-list", "/portal/applications/"),
        ("09-application-new", "/portal/applications/new/"),
        ("10-application-step-2", f"/portal/applications/{draft.pk}/step/2/"),
        ("11-application-step-4", f"/portal/applications/{draft.pk}/step/4/"),
        ("12-application-detail", f"/portal/applications/{screening.pk}/"),
        ("12b-two-factor", "/accounts/two-factor/"),
    ]
    for name, url in pages:
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        assert page.url.endswith(url), (url, page.url)
        problems += _check(page, shot, name)

    # A form with the server's errors (the error text must be tied to its field).
    page.goto("/portal/applications/new/")
    page.fill("input[name=company_name]", "Cheongju Precision Sensors Co.")
    page.fill("input[name=company_country]", "Korea")
    with page.expect_navigation():
        page.click("input[type=submit][name=next]")
    assert page.locator(".is-invalid").count() >= 1
    problems += _check(page, shot, "13-application-new-errors")

    # Public pages, anonymous.
    guest_context = new_context(browser, live_server)
    try:
        guest = guest_context.new_page()
        for name, url in [("14-public-event-list", "/events/"), ("15-public-event", f"/events/{public_event.slug}/")]:
            assert guest.goto(url).status == 200, url
            problems += _check(guest, shot, name)
    finally:
        guest_context.close()

    assert not problems, "\n\n".join(problems)


def test_admin_pages_have_no_serious_axe_violation(demo, page, shot):
    from tenants.models import Application

    application = Application.objects.get(company_name="Jecheon Premium Cosmetics")
    login(page, demo.admin.email, demo.admin.password, expect_path="/admin/")
    problems: list[str] = []
    for name, url in [
        ("01-admin-index", "/admin/"),
        ("02-application-changelist", "/admin/tenants/application/"),
        ("03-event-changelist", "/admin/events/event/"),
        ("04-application-change", f"/admin/tenants/application/{application.pk}/change/"),
        ("05-two-factor", "/accounts/two-factor/"),
        ("06-recovery-codes", "/accounts/two-factor/recovery-codes/"),
    ]:
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        problems += _check(page, shot, name, ignore=ADMIN_IGNORED)
    assert not problems, "\n\n".join(problems)
