"""A partner in Chromium: log in, switch language, read an MoU and download it, register for events
(a place, then the waitlist of a full one), refer a company through the four-step form.

Selectors use names, ids and link targets, not visible text, because the demo partner prefers
Korean and the pages follow the translations.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _language_cookie(page) -> str | None:
    from django.conf import settings

    return next((c["value"] for c in page.context.cookies() if c["name"] == settings.LANGUAGE_COOKIE_NAME), None)


def _catalogue_word(msgid: str, language: str) -> str | None:
    """The translation of ``msgid`` in locale/<language>/LC_MESSAGES/django.po (None if absent or fuzzy)."""
    from .conftest import BASE_DIR

    path = BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"
    if not path.exists():
        return None
    for entry in path.read_text(encoding="utf-8").split("\n\n"):
        if f'\nmsgid "{msgid}"\nmsgstr "' in f"\n{entry}" and "#, fuzzy" not in entry:
            word = re.search(r'^msgstr "(.*)"$', entry, re.M).group(1)
            return word or None
    return None


def _assert_nav_word(page, msgid: str, language: str) -> None:
    """Once the catalogue translates ``msgid``, the navigation shows the translation (this fails
    when the catalogue was not compiled: `make compile-messages`)."""
    word = _catalogue_word(msgid, language)
    if word is None:  # no translation yet: <html lang> and the cookie are what can be checked
        return
    with translation.override(language):
        assert translation.gettext(msgid) == word, f"locale/{language} is not compiled: run `make compile-messages`"
    assert page.locator("#mainnav").get_by_text(word, exact=True).is_visible(), (language, word)


def _switch_language(page, code: str) -> None:
    with page.expect_navigation():
        page.select_option("#language-select", code)  # portal.js submits the switcher's form on change


def test_partner_logs_in_and_switches_language(demo, page, shot):
    page.goto("/portal/mous/")
    assert "/accounts/login/" in page.url and "next=" in page.url, "an anonymous visitor is sent to the login form"
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "01-login")

    # A wrong password keeps the visitor on the form with an error, then the right one lets them in.
    page.locator("input[name=username]").fill(demo.partner.email)
    page.locator("input[name=password]").fill("not-the-password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/accounts/login/" in page.url
    assert page.locator("main .alert-danger, main .invalid-feedback, main .errorlist").count() >= 1
    page.locator("input[name=password]").fill(demo.partner.password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/portal/mous/"), "back to the page asked for"
    # Kim Min-jun prefers Korean: the portal speaks Korean from the first page after login.
    assert page.locator("html").get_attribute("lang") == "ko"
    assert _language_cookie(page) == "ko"
    _assert_nav_word(page, "Events", "ko")  # 행사
    shot(page, "02-after-login-korean")

    _switch_language(page, "id")
    assert page.url.endswith("/portal/mous/"), "the switcher returns to the same page"
    assert page.locator("html").get_attribute("lang") == "id"
    assert _language_cookie(page) == "id"
    assert page.locator("#language-select").input_value() == "id"
    _assert_nav_word(page, "Events", "id")  # Acara
    shot(page, "03-indonesian")

    # The choice sticks across pages, and English is one switch away.
    page.locator("#mainnav a[href='/portal/events/']").click()
    page.wait_for_url("**/portal/events/")
    assert page.locator("html").get_attribute("lang") == "id"
    _switch_language(page, "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert _language_cookie(page) == "en"
    assert page.locator("#mainnav").get_by_text("Events", exact=True).is_visible()
    assert page.locator("h1").inner_text() == "Events"
    shot(page, "04-english")


def test_partner_reads_mou_and_downloads_signed_copy(demo, page, shot):
    from partnerships.demo import MOU_MAIN, MOU_PROVINCE
    from partnerships.models import DocumentKind, MoU

    mou = MoU.objects.get(reference=MOU_MAIN)
    signed = mou.documents.get(kind=DocumentKind.SIGNED_COPY)

    login(page, demo.partner.email, demo.partner.password, expect_path="/portal/")
    page.locator("#mainnav a[href='/portal/mous/']").click()
    page.wait_for_url("**/portal/mous/")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1, "Chungbuk Technopark is party to one MoU"
    assert page.get_by_role("link", name=MOU_MAIN).is_visible()
    assert page.get_by_text(MOU_PROVINCE).count() == 0, "the province's own MoU stays hidden"
    shot(page, "01-mou-list")

    page.get_by_role("link", name=MOU_MAIN).click()
    page.wait_for_url(f"**/portal/mous/{mou.pk}/")
    with translation.override(page.locator("html").get_attribute("lang")):
        assert page.locator("h1").inner_text().startswith(mou.title), "the title in the reader's language"
    assert page.locator("#commitments").is_visible()
    assert page.locator("main table").filter(has_text=signed.original_name).count() == 1
    shot(page, "02-mou-detail")

    link = page.locator(f"#documents ~ div a[href='/portal/mous/{mou.pk}/documents/{signed.pk}/download/']")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == signed.original_name
    with open(download.path(), "rb") as fh:
        content = fh.read()
    assert content.startswith(b"%PDF"), content[:20]
    assert len(content) == signed.size


def _online_event(officer, *, title: str, capacity: int, days: int):
    from events import services
    from events.models import Event

    start = (timezone.now() + dt.timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    event = services.event_create(
        actor=officer, kind=Event.Kind.WORKSHOP, title_en=title, title_id=title, title_ko=title,
        description_en="A small online workshop.", topics=["innovation"], mode=Event.Mode.ONLINE,
        meeting_link="https://meet.example.org/kitb-browser", start=start, end=start + dt.timedelta(hours=2), capacity=capacity,
    )
    services.event_publish(event_id=event.pk, actor=officer)
    return event


def test_partner_registers_then_meets_a_full_event_and_is_waitlisted(demo, page, shot):
    from events import services
    from events.models import Registration, RegistrationStatus
    from kitb_portal.accounts.models import User

    officer = User.objects.get(email=demo.events_officer.email)
    open_event = _online_event(officer, title="Battery cell design clinic", capacity=5, days=12)
    full_event = _online_event(officer, title="Motor control masterclass", capacity=1, days=13)
    other = User.objects.get(email=demo.province.email)
    services.registration_create(event_id=full_event.pk, user=other, actor=other)  # takes the only place

    login(page, demo.partner.email, demo.partner.password, expect_path="/portal/")
    page.locator("#mainnav a[href='/portal/events/']").click()
    page.wait_for_url("**/portal/events/")
    page.locator(f"main a[href='/portal/events/{open_event.pk}/']").click()
    page.wait_for_url(f"**/portal/events/{open_event.pk}/")
    register = page.locator(f"form[action='/portal/events/{open_event.pk}/register/'] button[type=submit]")
    with page.expect_navigation():
        register.click()
    registration = Registration.objects.get(event=open_event, user__email=demo.partner.email)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert page.locator("main .alert-success").count() == 1
    assert page.get_by_text(registration.check_in_code).first.is_visible()
    assert page.locator(f"img[src='/portal/events/registrations/{registration.pk}/qr.svg']").evaluate("img => img.naturalWidth") > 0
    shot(page, "01-registered")

    page.goto("/portal/events/")
    card = page.locator(f"main a[href='/portal/events/{full_event.pk}/']")
    assert card.locator(".badge.text-bg-dark").count() == 1, "the list marks the full event"
    card.click()
    page.wait_for_url(f"**/portal/events/{full_event.pk}/")
    assert page.locator("main .card-body p.small").count() == 1, "a full event says the registration goes to the waitlist"
    with page.expect_navigation():
        page.locator(f"form[action='/portal/events/{full_event.pk}/register/'] button[type=submit]").click()
    waiting = Registration.objects.get(event=full_event, user__email=demo.partner.email)
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert page.locator("main .alert-warning").count() == 1, "the flash message says the event is full"
    status_line = page.locator("main .card-body p").first.inner_text()
    with translation.override(page.locator("html").get_attribute("lang")):
        assert str(waiting.get_status_display()) in status_line, status_line
    assert re.search(r"(?<!\d)1(?!\d)", status_line), f"number 1 on the waitlist: {status_line}"
    assert page.locator(f"img[src$='/registrations/{waiting.pk}/qr.svg']").count() == 0, "no check-in code while waiting"
    shot(page, "02-waitlisted")

    page.goto("/portal/events/")
    assert page.locator(f"main a[href='/portal/events/{full_event.pk}/'] .badge.text-bg-warning").count() == 1
    assert page.locator(f"main a[href='/portal/events/{open_event.pk}/'] .badge.text-bg-success").count() == 1


def _small_pdf(path, title: str):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def test_partner_refers_a_company_through_the_multistep_form(demo, page, shot, tmp_path):
    from tenants.models import Application, ApplicationStatus, DocumentKind, Sector

    login(page, demo.partner.email, demo.partner.password, expect_path="/portal/")
    page.locator("#mainnav a[href='/portal/applications/']").click()
    page.wait_for_url("**/portal/applications/")
    page.locator("main a[href='/portal/applications/new/']").click()
    page.wait_for_url("**/portal/applications/new/")
    assert page.locator("nav ol [aria-current=step]").inner_text().startswith("1.")

    # Step 1: company and contact; a country written out is refused with what to fix.
    page.fill("input[name=company_name]", "Cheongju Precision Sensors Co.")
    page.fill("input[name=company_country]", "Korea")
    page.fill("input[name=company_registration_number]", "KR-110111-7654321")
    page.fill("input[name=company_website]", "https://cheongju-sensors.example/")
    page.fill("input[name=contact_name]", "Han Seo-jin")
    page.fill("input[name=contact_email]", "seojin.han@cheongju-sensors.example")
    page.fill("input[name=contact_phone]", "+82 43 123 4567")
    page.select_option("select[name=contact_language]", "ko")
    with page.expect_navigation():
        page.click("input[type=submit][name=next]")
    assert page.locator("#id_company_country.is-invalid").count() == 1
    assert page.locator("#error_1_id_company_country, .invalid-feedback").first.is_visible()
    shot(page, "01-step1-error")
    assert not Application.objects.filter(company_name="Cheongju Precision Sensors Co.").exists()
    page.fill("input[name=company_country]", "KR")
    with page.expect_navigation():
        page.click("input[type=submit][name=next]")
    application = Application.objects.get(company_name="Cheongju Precision Sensors Co.")
    assert application.status == ApplicationStatus.DRAFT and application.referrer.name == "Chungbuk Technopark"
    assert page.url.endswith(f"/portal/applications/{application.pk}/step/2/")

    # Step 2: project and investment.
    sector = Sector.objects.get(code="it")
    page.select_option("select[name=sector]", str(sector.pk))
    page.fill("textarea[name=products]", "MEMS pressure sensors for EV battery packs.")
    page.fill("input[name=investment_amount]", "12500000")
    page.select_option("select[name=investment_currency]", "USD")
    page.fill("input[name=jobs_planned]", "140")
    page.fill("input[name=export_share_pct]", "75")
    page.fill("textarea[name=timeline]", "Construction 2026, production 2027.")
    page.check("input[name=claims_pioneer]")
    page.fill("textarea[name=pioneer_reason]", "First MEMS sensor fab in Central Java.")
    shot(page, "02-step2")
    with page.expect_navigation():
        page.click("input[type=submit][name=next]")
    assert page.url.endswith(f"/portal/applications/{application.pk}/step/3/")

    # Step 3: land and utilities.
    page.fill("input[name=land_ha]", "8")
    page.fill("input[name=power_mva]", "6.5")
    page.fill("input[name=water_m3_per_day]", "300")
    with page.expect_navigation():
        page.click("input[type=submit][name=next]")
    assert page.url.endswith(f"/portal/applications/{application.pk}/step/4/")

    # Step 4: nothing can be sent before the two required PDFs are there.
    submit = page.locator(f"form[action='/portal/applications/{application.pk}/submit/'] button[type=submit]")
    assert submit.is_disabled()
    assert page.locator("main .alert-warning li").count() == 2
    for kind, title in ((DocumentKind.BUSINESS_PLAN, "Business plan 2026"), (DocumentKind.REGISTRATION, "Registration certificate")):
        pdf = _small_pdf(tmp_path / f"{kind}.pdf", title)
        page.select_option("select[name=kind]", kind.value)
        page.fill("input[name=title]", title)
        page.set_input_files("input[type=file][name=file]", str(pdf))
        with page.expect_navigation():
            page.click(f"form[action='/portal/applications/{application.pk}/documents/upload/'] button[type=submit]")
        assert page.url.endswith(f"/portal/applications/{application.pk}/step/4/")
    assert page.locator("main ul.list-group li").count() == 2
    assert page.locator("main .alert-warning").count() == 0
    assert submit.is_enabled()
    shot(page, "03-step4-ready")

    with page.expect_navigation():
        submit.click()
    assert page.url.endswith(f"/portal/applications/{application.pk}/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and application.submitted_at is not None
    assert sorted(application.documents.values_list("kind", flat=True)) == sorted([DocumentKind.BUSINESS_PLAN, DocumentKind.REGISTRATION])
    with translation.override(page.locator("html").get_attribute("lang")):
        assert str(ApplicationStatus.SUBMITTED.label) in page.locator("main .badge").first.inner_text()
    assert page.locator("main .alert-success").count() == 1
    # Submitted means read-only: the step pages send the partner back to the application.
    page.goto(f"/portal/applications/{application.pk}/step/1/")
    assert page.url.endswith(f"/portal/applications/{application.pk}/")
