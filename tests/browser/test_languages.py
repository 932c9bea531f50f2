"""Every screen a role uses, read in Indonesian and in Korean, as a person would see it.

For each main portal page (as the demo partner) and each admin page KITB staff use (the dashboard,
every changelist and change page of the partnerships, events and tenants apps, the calendar, the
check-in page, the land summary and site plan, the outbox, the jobs, the django-axes and
django-celery-beat lists), in each language:

(a) the interface text holds no English month or weekday name and none of a list of English UI
    words. Data are not interface: every text value stored in the database (titles, names, notes
    of the demo data, in whatever language they were typed) is cut out of the page's text before
    the words are looked for, and so is text inside ``code``/``pre``/``[translate=no]``.
(b) no two interface elements (headings, buttons, object tools, nav items, labels, dashboard
    figures) overlap, at 1400 px and on a 375 px phone.

Screenshots of both widths and both languages are kept under test-results/<test>/.
"""

from __future__ import annotations

import re

import pytest

from .conftest import PHONE, login, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1400, "height": 900}
LANGUAGES = ["id", "ko"]

# English month names; April, September and November are also Indonesian, so not sought in Indonesian.
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December", "Aug", "Oct", "Dec"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
            "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# Words of the interface that are English only (not also Indonesian: "Status", "Total", "Filter",
# "Format", "Interval" are written the same in Indonesian and are left out).
UI_WORDS = [
    "Add", "Change", "Delete", "Save", "Search", "History", "Home", "Yes", "Name", "Date", "Event", "Events",
    "Export", "Import", "Calendar", "Previous", "Next", "Today", "Week", "Month", "Show", "Hide", "None",
    "Unknown", "Action", "Actions", "Select", "Description", "Title", "Enabled", "Task", "Tasks", "Schedule",
    "Clear", "results", "View", "Edit", "Close", "Submit", "Cancel", "Welcome", "Dashboard", "Documents",
    "Registrations", "Applications", "Application", "Zones", "Allocation", "Allocations", "Venue", "Venues",
    "Speaker", "Speakers", "Reviews", "Settings", "Created", "Updated", "Download", "Upload", "Back", "Remove",
    "Run", "every", "Periodic", "Attempts", "Username", "Comment", "Changes", "Mark", "Extend", "Renew",
    "Approve", "Reject", "Publish", "Register", "Partner", "Partners", "Commitments", "Commitment", "Room",
    "Rooms", "Sector", "Sectors", "Plots", "Feedback", "Summary", "Password", "Log out", "Attendance",
    "Expires", "Expiring", "Overdue", "Due", "Signed", "Draft", "Active", "Pending", "Confirmed", "Waitlisted",
    "Published", "Cancelled", "Completed", "Approved", "Rejected", "Submitted", "Available", "Reserved",
    "Sent", "Failed", "Queued", "Running", "Finished", "Language", "Organisation", "Organization", "Reviewer",
    "Version", "Notes", "Note", "Terms", "days", "ago", "in", "of", "the", "and", "for", "with", "from", "to",
]
ALSO_INDONESIAN = {"April", "September", "November"}


def _english_words(lang: str) -> re.Pattern:
    words = set(MONTHS + WEEKDAYS + UI_WORDS) - (ALSO_INDONESIAN if lang == "id" else set())
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(r"(?<![\w.@/-])(" + alternatives + r")(?![\w@/-])")

# Interface text of the page: visible text nodes and the words on buttons and in placeholders,
# outside code and what is marked as not to be translated; each with the element it sits in.
INTERFACE_TEXT_JS = """() => {
  const skip = 'script, style, noscript, code, pre, kbd, samp, textarea, select, option, svg, [translate=no], [hidden]';
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement, text = node.textContent.trim();
    if (!text || !el || el.closest(skip) || !el.checkVisibility({visibilityProperty: true})) continue;
    out.push([text, el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')]);
  }
  for (const el of document.querySelectorAll('input[type=submit], input[type=button], [placeholder], [aria-label]')) {
    if (el.closest(skip) || !el.checkVisibility()) continue;
    for (const value of [el.type === 'submit' || el.type === 'button' ? el.value : '', el.getAttribute('placeholder'), el.getAttribute('aria-label')]) {
      if (value && value.trim()) out.push([value.trim(), el.tagName.toLowerCase() + '@attr']);
    }
  }
  return out;
}"""

# Pairs of interface elements whose visible boxes intersect (neither inside the other).
OVERLAPS_JS = """() => {
  const selector = [
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'button', 'input[type=submit]', 'input[type=button]', 'a.button', '.btn',
    '.object-tools a', 'nav a', '.nav-link', '.navbar-brand', '#nav-sidebar a', '#user-tools a', 'label',
    '.dash-figure', '.card-title', '.badge', '.breadcrumbs a', '.submit-row a', '.paginator a',
  ].join(',');
  // The visible parts of an element: one box per line of an inline element (a wrapped link is two
  // boxes, not the rectangle around both lines), each cut to the ancestors that clip it.
  const visibleBoxes = (el) => {
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return [];
    const boxes = [];
    for (const r of el.getClientRects()) {
      let box = {l: r.left, t: r.top, r: r.right, b: r.bottom};
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') {
          const ar = a.getBoundingClientRect();
          box = {l: Math.max(box.l, ar.left), t: Math.max(box.t, ar.top), r: Math.min(box.r, ar.right), b: Math.min(box.b, ar.bottom)};
        }
      }
      if (box.r - box.l > 1 && box.b - box.t > 1) boxes.push(box);
    }
    return boxes;
  };
  const name = (el) => {
    const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.classList.length ? '.' + [...el.classList].join('.') : ''} "${text}"`;
  };
  const items = [];
  for (const el of document.querySelectorAll(selector)) {
    for (const box of visibleBoxes(el)) items.push([el, box]);
  }
  const found = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const [a, p] = items[i], [b, q] = items[j];
      if (a === b || a.contains(b) || b.contains(a)) continue;
      const w = Math.min(p.r, q.r) - Math.max(p.l, q.l), h = Math.min(p.b, q.b) - Math.max(p.t, q.t);
      const pair = `${name(a)} × ${name(b)}`;
      if (w > 2 && h > 2 && !found.some((f) => f.startsWith(pair))) found.push(`${pair} (${Math.round(w)}×${Math.round(h)} px)`);
    }
  }
  return found.slice(0, 15);
}"""


def _data_values() -> list[str]:
    """Every text value stored by the apps (and the objects' names): data, not interface."""
    from django.apps import apps
    from django.db import models

    values: set[str] = set()
    labels = {"partnerships", "events", "tenants", "accounts", "notifications", "jobs", "auth", "axes",
              "django_celery_beat"}
    for model in apps.get_models():
        if model._meta.app_label not in labels:
            continue
        fields = [f.name for f in model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField)) and not f.choices]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields)[:2000]:
            for value in row:
                if value and len(str(value).strip()) > 1:
                    values.add(str(value).strip())
                    values.update(line.strip() for line in str(value).splitlines() if len(line.strip()) > 1)
        for obj in model._default_manager.all()[:500]:
            text = str(obj).strip()
            if len(text) > 1:
                values.add(text)
    return sorted(values, key=len, reverse=True)


def _english_in(page, data: list[str], english: re.Pattern) -> list[str]:
    found = []
    for text, where in page.evaluate(INTERFACE_TEXT_JS):
        if not english.search(text):
            continue
        rest = text
        for value in data:
            if value in rest:
                rest = rest.replace(value, " ")
        words = sorted({m.group(1) for m in english.finditer(rest)})
        if words:
            found.append(f"{', '.join(words)} in {where}: {text[:100]!r}")
    return found


def _check_page(page, shot, name: str, data: list[str], english: re.Pattern) -> list[str]:
    problems = [f"{name}: English {line}" for line in _english_in(page, data, english)]
    for label, viewport in (("1400", WIDE), ("375", PHONE)):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(50)
        problems += [f"{name} at {label} px: overlap {line}" for line in page.evaluate(OVERLAPS_JS)]
        shot(page, f"{name}-{label}")
    page.set_viewport_size(WIDE)
    return problems


def _visit(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    page.wait_for_load_state("load")


def _admin_pages() -> list[tuple[str, str]]:
    """The admin pages the roles use: (name, url)."""
    from django.contrib import admin
    from django.urls import reverse

    from events.models import Event

    pages = [("admin-dashboard", "/admin/")]
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label not in {"partnerships", "events", "tenants", "notifications", "jobs", "axes", "django_celery_beat"}:
            continue
        if meta.app_label in {"notifications", "jobs", "axes", "django_celery_beat"} and meta.model_name not in {
            "outboxmessage", "backgroundjob", "accessattempt", "periodictask", "crontabschedule"
        }:
            continue
        pages.append((f"{meta.app_label}-{meta.model_name}-list", reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            pages.append((f"{meta.app_label}-{meta.model_name}-change",
                          reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])))
    event = Event.objects.filter(status="published").order_by("start").first()
    day = event.start.date().isoformat()
    pages += [
        ("events-calendar-month", f"{reverse('admin:events_event_calendar')}?date={day}"),
        ("events-calendar-week", f"{reverse('admin:events_event_calendar')}?view=week&date={day}"),
        ("events-summary", reverse("admin:events_event_summary", args=[event.pk])),
        ("events-checkin", reverse("events:checkin", args=[event.pk])),
        ("tenants-land-summary", reverse("admin:tenants_land_summary")),
        ("tenants-site-plan", reverse("admin:tenants_site_plan")),
    ]
    return pages


def _portal_pages() -> list[tuple[str, str]]:
    from events.models import Event
    from partnerships.demo import MOU_MAIN
    from partnerships.models import MoU
    from tenants.models import Application

    mou = MoU.objects.get(reference=MOU_MAIN)
    event = Event.objects.get(slug="demo-seminar-batang-innovation")
    draft = Application.objects.get(company_name="Chungju Smart Mobility Parts")
    screening = Application.objects.get(company_name="Osong BioMed Devices")
    return [
        ("portal-home", "/portal/"),
        ("portal-mou-list", "/portal/mous/"),
        ("portal-mou-detail", f"/portal/mous/{mou.pk}/"),
        ("portal-event-list", "/portal/events/"),
        ("portal-event-detail", f"/portal/events/{event.pk}/"),
        ("portal-my-registrations", "/portal/events/mine/"),
        ("portal-application-list", "/portal/applications/"),
        ("portal-application-new", "/portal/applications/new/"),
        ("portal-application-step-2", f"/portal/applications/{draft.pk}/step/2/"),
        ("portal-application-detail", f"/portal/applications/{screening.pk}/"),
        ("portal-preferences", "/portal/preferences/"),
        ("portal-users", "/portal/users/"),
    ]


def _in_language(browser, live_server, lang: str):
    return new_context(browser, live_server, viewport=WIDE, locale={"id": "id-ID", "ko": "ko-KR"}[lang])


def _choose_language(page, live_server, lang: str) -> None:
    """After logging in (which brings the user's own preferred language): the language chosen, as the
    switcher's cookie does."""
    from django.conf import settings

    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url}])


def _walk_in_language(browser, live_server, shot, lang, user, expect_path, pages) -> None:
    """Log ``user`` in, choose ``lang`` and check each of ``pages``; every problem is reported at the end."""
    data = _data_values()
    context = _in_language(browser, live_server, lang)
    try:
        page = context.new_page()
        login(page, user.email, user.password, expect_path=expect_path)
        _choose_language(page, live_server, lang)
        problems: list[str] = []
        for name, url in pages:
            _visit(page, url)
            assert page.locator("html").get_attribute("lang") == lang, (url, page.locator("html").get_attribute("lang"))
            problems += _check_page(page, shot, f"{lang}-{name}", data, _english_words(lang))
    finally:
        context.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_admin_pages_speak_the_language_and_hold_their_layout(demo, browser, live_server, shot, lang):
    _walk_in_language(browser, live_server, shot, lang, demo.admin, "/admin/", _admin_pages())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_portal_pages_speak_the_language_and_hold_their_layout(demo, browser, live_server, shot, lang):
    _walk_in_language(browser, live_server, shot, lang, demo.partner, "/portal/", _portal_pages())
