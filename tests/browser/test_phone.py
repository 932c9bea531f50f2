"""The portal on a 375-px-wide phone (375×812): no page scrolls sideways, and the navigation
collapses behind the toggler, which opens it."""

from __future__ import annotations

import pytest

from .conftest import PHONE, login, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _overflow(page) -> dict:
    """Page width and the elements that stick out past the right edge of the viewport."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [];
            for (const el of document.querySelectorAll('body *')) {
                const box = el.getBoundingClientRect();
                if (box.width && box.right > width + 1 && !el.closest('.table-responsive')) {
                    wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')} right=${Math.round(box.right)}`);
                }
            }
            return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width, wide: wide.slice(0, 10)};
        }"""
    )


def test_portal_pages_fit_a_375px_phone_and_the_nav_collapses(demo, browser, live_server, shot):
    from events.models import Event
    from partnerships.demo import MOU_MAIN
    from partnerships.models import MoU
    from tenants.models import Application

    mou = MoU.objects.get(reference=MOU_MAIN)
    event = Event.objects.get(slug="demo-conference-hybrid-msme")
    public_event = Event.objects.get(slug="demo-public-umkm-seminar")
    draft = Application.objects.get(company_name="Chungju Smart Mobility Parts")
    screening = Application.objects.get(company_name="Osong BioMed Devices")

    context = new_context(browser, live_server, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        too_wide = []
        if (o := _overflow(page))["scrollWidth"] > PHONE["width"]:
            too_wide.append(("/accounts/login/", o))
        shot(page, "01-login")
        login(page, demo.partner.email, demo.partner.password, expect_path="/portal/")

        # The navigation is folded away behind the toggler, which opens it.
        toggler = page.locator("button.navbar-toggler")
        assert toggler.is_visible()
        assert toggler.get_attribute("aria-expanded") == "false"
        assert not page.locator("#mainnav").is_visible()
        assert not page.locator("#mainnav a[href='/portal/mous/']").is_visible()
        toggler.click()
        page.locator("#mainnav.show").wait_for(state="visible")
        page.locator("#mainnav:not(.collapsing)").wait_for()
        assert toggler.get_attribute("aria-expanded") == "true"
        assert page.locator("#mainnav a[href='/portal/mous/']").is_visible()
        assert page.locator("#language-select").is_visible()
        shot(page, "02-nav-open")
        if (o := _overflow(page))["scrollWidth"] > PHONE["width"]:
            too_wide.append(("/portal/ (nav open)", o))
        with page.expect_navigation():
            page.locator("#mainnav a[href='/portal/mous/']").click()
        assert not page.locator("#mainnav").is_visible(), "a new page starts with the nav folded again"

        pages = [
            ("03-home", "/portal/"),
            ("04-mou-list", "/portal/mous/"),
            ("05-mou-detail", f"/portal/mous/{mou.pk}/"),
            ("06-event-list", "/portal/events/"),
            ("07-event-detail", f"/portal/events/{event.pk}/"),
            ("08-my-registrations", "/portal/events/mine/"),
            ("09-application-list", "/portal/applications/"),
            ("10-application-new", "/portal/applications/new/"),
            ("11-application-step-4", f"/portal/applications/{draft.pk}/step/4/"),
            ("12-application-detail", f"/portal/applications/{screening.pk}/"),
            ("13-public-event", f"/events/{public_event.slug}/"),
        ]
        for name, url in pages:
            assert page.goto(url).status == 200, url
            shot(page, name)
            overflow = _overflow(page)
            if overflow["scrollWidth"] > PHONE["width"]:
                too_wide.append((url, overflow))
        assert not too_wide, "pages wider than the phone:\n" + "\n".join(f"{url}: {o}" for url, o in too_wide)
    finally:
        context.close()
