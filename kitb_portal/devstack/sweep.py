"""The cold sweep: every page the KITB administrator and a partner organisation administrator can
reach, each requested once with every cache emptied, timed in-process with its SQL count.

Pages (:func:`enumerate_pages` lists them, :func:`sweep` requests them):

* admin, as the KITB administrator: the index; for every registered model the user may view, its
  changelist, the changelist under each choice of each list filter (read from the page's filter
  sidebar, so custom filters count), a search (a word of the middle row's first search field), a deep
  page (page 400, or the middle one when there are fewer), the add page, the change and history pages
  of the row in the middle of the table (and of the middle row of each ``status``), and every other
  admin page of that model they link to (calendars, check-in, land summary, site plan, outbox, jobs,
  the confirmation pages of transitions, imports and exports);
* the portal and public pages, as the partner organisation administrator with the most records: a
  breadth-first crawl of the links under ``/portal/`` and ``/events/`` from ``/portal/`` and
  ``/events/``, bounded (a few URLs per URL shape, ``max_crawl`` in all).

Before each timed request every cache is emptied (``cache.clear()``: Redis is the only cache); the
page is requested once before that so its templates are compiled (``warm``), as in a running server.
Python's collector runs just before the clock starts: the sweep keeps many objects (the pages, their
results), and a full collection of them landed inside whichever page happened to trigger it (three
pages of some 25-50 ms took 190-250 ms so, at the same place in every sweep).
On CPython 3.11 the times also depend on how deep the caller's stack is: a page whose rendering
recurses across a frame-chunk boundary maps and unmaps a chunk each time (see tests/conftest.py), and
this command's stack is not gunicorn's (the commitment list filtered by organisation: about 58 ms
here, 50 ms from a gunicorn worker, 37 ms from a stack where it crosses none).

Nothing is written: the sweep only sends GETs and skips the links that download, export files or act
on GET.

Used by ``manage.py cold_sweep`` (prints the slowest pages, writes a CSV) and by
tests/perf/test_sweep_ceiling.py (the query ceiling of every page).
"""

from __future__ import annotations

import gc
import re
import time
from collections import deque
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

ADMIN_EMAIL = "admin@kitb.demo"
PARTNER_EMAIL = "partner@cbtp.demo"

# Links never followed: they download, export, act, leave the site or open a calendar feed.
SKIP = re.compile(
    r"(/delete/|/download/|\.ics$|\.csv|\.xlsx|\.json$|/logout/|/feed/reset/|/unsubscribe/|/one-click/|/cancel/$"
    r"|/deactivate/|/reactivate/|/setlang/|/qr\.svg$|/r/\d+/\d+/|/password/|/i18n/|/jsi18n/|registrations\.\w+$"
    r"|/process_import/|/autocomplete/)"
)
DIGITS = re.compile(r"\d+")


@dataclass
class Page:
    role: str
    kind: str
    path: str
    label: str = ""


@dataclass
class Result:
    page: Page
    status: int
    ms: float
    queries: int
    sql: list[str] | None = None


class _Links(HTMLParser):
    """hrefs of <a> (and action of GET <form>), with the filter sidebar's links apart."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.filter_links: list[str] = []
        self._filter_depth = 0
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" or tag == "nav":
            self._depth += 1
            if attrs.get("id") == "changelist-filter" and not self._filter_depth:
                self._filter_depth = self._depth
        if tag == "a" and attrs.get("href"):
            href = attrs["href"]
            if self._filter_depth:
                self.filter_links.append(href)
            else:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("div", "nav"):
            if self._filter_depth and self._depth == self._filter_depth:
                self._filter_depth = 0
            self._depth -= 1


def parse_links(html: str) -> _Links:
    parser = _Links()
    try:
        parser.feed(html)
    except Exception:  # a malformed page gives the links read so far
        pass
    return parser


def empty_caches() -> None:
    """Every cached copy dropped: nothing drawn from the records is cached beyond Redis (the cache)."""
    from django.core.cache import cache

    cache.clear()


def _request(client, path: str, *, warm: bool, keep_sql: bool = False, collect: bool = True) -> tuple[Result | None, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if warm:
        client.get(path)
    empty_caches()
    if collect:
        gc.collect()  # the garbage of the pages before is collected before the clock starts, not inside it
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = client.get(path)
        ms = (time.perf_counter() - started) * 1000
    sql = [q["sql"] for q in ctx.captured_queries] if keep_sql else None
    return Result(Page("", "", path), response.status_code, ms, len(ctx.captured_queries), sql), response


def _middle(qs):
    count = qs.count()
    return qs.order_by("pk")[count // 2] if count else None


def _value_of(obj, lookup: str):
    value = obj
    for part in lookup.lstrip("^=@").split("__"):
        if value is None:
            return None
        value = getattr(value, part, None)
        if hasattr(value, "all") and callable(value.all):  # a to-many relation: its first item
            value = value.all().first()
    return value


def _search_term(model_admin, obj) -> str:
    for field in getattr(model_admin, "search_fields", ()) or ():
        value = _value_of(obj, field)
        if value:
            words = [w for w in re.split(r"\W+", str(value)) if len(w) >= 3]
            if words:
                return words[len(words) // 2][:12]
    return "kitb"


def _shape(path: str) -> str:
    split = urlsplit(path)
    query = "&".join(sorted(k for k, _v in parse_qsl(split.query)))
    return DIGITS.sub("N", split.path) + ("?" + query if query else "")


def admin_pages(client, user, *, deep_page: int = 400, max_filters: int = 40, max_extra: int = 30) -> list[Page]:
    """The admin pages of ``user`` (who must be logged in on ``client``), read from the registry and
    the pages' own links (see the module docstring)."""
    from django.contrib import admin
    from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR
    from django.test import RequestFactory
    from django.urls import NoReverseMatch, reverse

    request = RequestFactory().get("/admin/")
    request.user = user
    pages: list[Page] = [Page("admin", "index", reverse("admin:index"), "admin index")]
    seen = {pages[0].path}

    def add(kind: str, path: str, label: str) -> None:
        if path not in seen:
            seen.add(path)
            pages.append(Page("admin", kind, path, label))

    for model, model_admin in sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label):
        opts = model._meta
        if not model_admin.has_view_or_change_permission(request):
            continue
        url_name = f"admin:{opts.app_label}_{opts.model_name}"
        name = opts.label
        try:
            changelist = reverse(f"{url_name}_changelist")
        except NoReverseMatch:
            continue
        add("changelist", changelist, f"{name} changelist")
        response = client.get(changelist)
        extra: list[str] = []
        if response.status_code == 200:
            links = parse_links(response.content.decode())
            filters = [h for h in links.filter_links if h.startswith("?") and h != "?"]
            for href in filters[:max_filters]:
                add("filter", changelist + href, f"{name} filter {href[1:60]}")
            extra += [h for h in links.links if h.startswith(changelist) and h != changelist]
        qs = model_admin.get_queryset(request)
        total = qs.count()
        middle = qs.order_by("pk")[total // 2] if total else None
        if model_admin.search_fields:
            term = _search_term(model_admin, middle) if middle is not None else "kitb"
            add("search", f"{changelist}?{urlencode({SEARCH_VAR: term})}", f"{name} search {term!r}")
        per_page = model_admin.list_per_page or 100
        pages_n = max(1, -(-total // per_page))
        if pages_n > 2:
            deep = min(deep_page, max(2, pages_n // 2))
            add("deep", f"{changelist}?{PAGE_VAR}={deep}", f"{name} page {deep}")
        if model_admin.has_add_permission(request):
            add("add", reverse(f"{url_name}_add"), f"{name} add")
        objects = [middle] if middle is not None else []
        status_field = next((f for f in opts.fields if f.name == "status" and f.choices), None)
        if status_field is not None:
            for value, _label in status_field.choices:
                obj = _middle(qs.filter(status=value))
                if obj is not None and obj not in objects:
                    objects.append(obj)
        for obj in objects:
            change = reverse(f"{url_name}_change", args=[obj.pk])
            which = "middle" if obj is middle else f"status {getattr(obj, 'status', '')}"
            add("change", change, f"{name} change ({which})")
            add("history", reverse(f"{url_name}_history", args=[obj.pk]), f"{name} history ({which})")
            response = client.get(change)
            if response.status_code == 200:
                base = change.rsplit("change/", 1)[0]
                extra += [h for h in parse_links(response.content.decode()).links if h.startswith(base)]
        shapes: dict[str, int] = {}
        for href in extra:
            path = href.split("#")[0]
            if not path or SKIP.search(path) or path.endswith(("/change/", "/history/")) or "?" in path:
                continue
            shape = _shape(path)
            shapes[shape] = shapes.get(shape, 0) + 1
            if shapes[shape] > 2 or len(shapes) > max_extra:
                continue
            add("custom", path, f"{name} {path.removeprefix(changelist)[:50]}")
    return pages


def portal_pages(client, *, max_crawl: int = 150, per_shape: int = 3) -> list[Page]:
    """A breadth-first crawl of /portal/ and /events/ as the client's user (bounded)."""
    start = ["/portal/", "/events/"]
    queue = deque(start)
    seen = set(start)
    shapes: dict[str, int] = {}
    pages: list[Page] = []
    while queue and len(pages) < max_crawl:
        path = queue.popleft()
        response = client.get(path)
        pages.append(Page("partner", "portal" if path.startswith("/portal/") else "public", path, path))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for href in parse_links(response.content.decode()).links:
            href = href.split("#")[0]
            split = urlsplit(href)
            if split.scheme or split.netloc:
                continue
            if not (href.startswith("/portal/") or href.startswith("/events/")):
                continue
            if href in seen or SKIP.search(split.path):
                continue
            seen.add(href)
            shape = _shape(href)
            shapes[shape] = shapes.get(shape, 0) + 1
            if shapes[shape] > per_shape:
                continue
            queue.append(href)
    return pages


def partner_user():
    """The partner organisation administrator of the sweep: the demo partner of Chungbuk Technopark."""
    from kitb_portal.accounts.models import User

    return User.objects.get(email=PARTNER_EMAIL)


def admin_user():
    from kitb_portal.accounts.models import User

    return User.objects.get(email=ADMIN_EMAIL)


def log_in(client, user) -> None:
    """Log ``user`` in on the test ``client``, past the second factor where staff need one."""
    from kitb_portal.accounts import second_factor

    second_factor.force_login_verified(client, user)


def enumerate_pages(admin_client, admin, partner_client, **options) -> list[Page]:
    return [
        *admin_pages(admin_client, admin, **{k: v for k, v in options.items() if k in ("deep_page", "max_filters")}),
        *portal_pages(partner_client, **{k: v for k, v in options.items() if k in ("max_crawl",)}),
    ]


def sweep(pages: list[Page], clients: dict, *, warm: bool = True, keep_sql: bool = False, collect: bool = True,
          progress=None) -> list[Result]:
    """Each page requested as its role, timed, with its SQL count. ``collect=False``: without running
    the garbage collector first (for a caller that only counts queries)."""
    results = []
    for n, page in enumerate(pages):
        result, _response = _request(clients[page.role], page.path, warm=warm, keep_sql=keep_sql, collect=collect)
        result.page = page
        results.append(result)
        if progress:
            progress(n, result)
    return results


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
