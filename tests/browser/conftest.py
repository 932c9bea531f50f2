"""Fixtures of the browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

* ``browser`` (package): one Chromium for these tests, launched from /usr/bin/chromium with the
  flags that keep it off the network (no Playwright download, no Google services).
* ``page``: a fresh browser context (cookies, storage) per test at 1280×900, English, downloads on;
  its last screen is saved as ``test-results/<test name>/zz-final.png`` when the test ends.
* ``shot(page, name)``: a named screenshot in the same folder, for the steps worth seeing.
* ``demo``: ``manage.py seed_demo`` with a known DEMO_PASSWORD; returns the demo logins.
* ``login(page, email, password)``: logs in through the login form (and the two-factor step where
  the user has it: the code is read from their TOTP device).
* ``axe_violations(page)``: axe-core's serious and critical violations of the page.

Playwright's sync API runs an event loop in the test thread, so the ORM calls made there need
DJANGO_ALLOW_ASYNC_UNSAFE (set for this package only, see ``_browser_environment``). The live
server answers from its own thread; tests use ``@pytest.mark.django_db(transaction=True)`` so it
sees their data.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest

DEMO_PASSWORD = "browser-demo-Passw0rd!"

BASE_DIR = Path(__file__).resolve().parent.parent.parent
RESULTS_DIR = BASE_DIR / "test-results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
# Playwright's default wait is 30 s; a page of this portal answers in well under a second.
TIMEOUT_MS = 10_000


# --- the browser ------------------------------------------------------------------------------
@pytest.fixture(scope="package", autouse=True)
def _browser_environment():
    """For this package only (restored afterwards, so the rest of a full run keeps Django's checks):
    the ORM may be called while Playwright's event loop runs, and the demo seed uses a known password."""
    saved = {name: os.environ.get(name) for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DEMO_PASSWORD")}
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    os.environ["DEMO_PASSWORD"] = DEMO_PASSWORD
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="package")
def browser(_browser_environment):
    """One Chromium for the package; stopped (with Playwright's loop) when its last test ends."""
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _output_dir(request) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    path = RESULTS_DIR / name
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.png"):  # only this run's screenshots
        old.unlink()
    return path


@pytest.fixture
def output_dir(request) -> Path:
    """test-results/<test name>/ (ignored by git)."""
    return _output_dir(request)


def new_context(browser, live_server, *, viewport=DESKTOP, locale="en-US"):
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport, locale=locale, accept_downloads=True,
        extra_http_headers={"Accept-Language": locale},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser, live_server, output_dir):
    """A page in a fresh context; its final state is saved as a screenshot whatever the outcome."""
    from playwright.sync_api import Error as PlaywrightError

    context = new_context(browser, live_server)
    page = context.new_page()
    yield page
    try:
        if not page.is_closed():
            page.screenshot(path=str(output_dir / "zz-final.png"), full_page=True)
    except PlaywrightError as exc:  # a page stuck mid-navigation: the test's own failure says more
        print(f"no final screenshot: {exc}")
    finally:
        context.close()


@pytest.fixture
def shot(output_dir):
    """``shot(page, "02-mou-detail")`` saves test-results/<test>/02-mou-detail.png (full page)."""

    def take(page, name: str) -> Path:
        path = output_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 1000, f"empty screenshot {path}"
        return path

    return take


# --- the server side --------------------------------------------------------------------------
# Uploads go to a fresh folder per test and tasks run eagerly in the live server's thread too:
# both are the autouse fixtures of tests/conftest.py.


@dataclass(frozen=True)
class Login:
    email: str
    password: str


@dataclass(frozen=True)
class Demo:
    """The demo logins (accounts/demo.py) with the password the test set."""

    partner: Login      # Kim Min-jun, Chungbuk Technopark, prefers Korean
    province: Login     # Lee Seo-yeon, the provincial government
    admin: Login        # Dewi Lestari, KITB administrator
    events_officer: Login
    output: str


@pytest.fixture
def demo(transactional_db, live_server) -> Demo:
    """The whole demo data set (organisations, users, MoUs with PDFs, events, applications)."""
    from django.core.management import call_command

    from kitb_portal.accounts.demo import DEMO_USERS

    out = StringIO()
    call_command("seed_demo", stdout=out)
    output = out.getvalue()
    assert f"demo-login partner-technopark {DEMO_USERS['partner-technopark'][0]} {DEMO_PASSWORD}" in output, output

    def login_for(role: str) -> Login:
        return Login(DEMO_USERS[role][0], DEMO_PASSWORD)

    return Demo(
        partner=login_for("partner-technopark"), province=login_for("partner-province"),
        admin=login_for("kitb-administrator"), events_officer=login_for("events-officer"), output=output,
    )


def login(page, email: str, password: str, *, expect_path: str | None = None) -> None:
    """Log in through the form at /accounts/login/, as a person would; where the user has two-factor
    authentication (the KITB administrator), type the current code of their TOTP device as an
    authenticator app would show it."""
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if "/accounts/login/verify/" in page.url:
        from kitb_portal.accounts import second_factor
        from kitb_portal.accounts.models import User
        from tests.otp import fresh_totp_token

        device = second_factor.device_for(User.objects.get(email__iexact=email))
        page.locator("input[name=otp_token]").fill(fresh_totp_token(device))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    assert "/accounts/login/" not in page.url, page.locator("main").inner_text()
    if expect_path:
        assert page.url.split("?")[0].endswith(expect_path), page.url


# --- accessibility ----------------------------------------------------------------------------
SERIOUS = {"serious", "critical"}


def axe_violations(page, *, ignore: dict[str, str] | None = None) -> list[dict]:
    """Serious and critical axe-core violations of the current page (WCAG 2.x A/AA and best practice).

    ``ignore`` maps a rule to a CSS selector: that rule's failures on elements inside the selector
    are dropped (markup we do not own, e.g. Django's admin breadcrumbs); everything else counts.
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"]})
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in SERIOUS:
            continue
        inside = (ignore or {}).get(violation["id"])
        if inside:
            violation = {**violation, "nodes": [
                node for node in violation["nodes"]
                if not page.locator(node["target"][0]).first.evaluate("(el, sel) => !!el.closest(sel)", inside)
            ]}
        if violation["nodes"]:
            found.append(violation)
    return found


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').splitlines()[-1:]}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)
