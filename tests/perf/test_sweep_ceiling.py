"""Every page the cold sweep visits (``manage.py cold_sweep``: each admin changelist with its filters,
a search and a deep page, add, change and history pages, the custom admin pages, and a crawl of the
portal and public pages) costs at most 20 SQL queries with the caches emptied, at two data sizes
(``seed_bulk --scale 1``, then three times more), and none answers with a server error."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from kitb_portal.devstack import sweep

pytestmark = pytest.mark.django_db

CEILING = 20


def _sweep(admin_user, demo_partner, client_class):
    admin_client, partner_client = client_class(raise_request_exception=False), client_class(raise_request_exception=False)
    admin_client.force_login(admin_user)
    partner_client.force_login(demo_partner)
    pages = sweep.enumerate_pages(admin_client, admin_user, partner_client, max_filters=12, max_crawl=60)
    results = sweep.sweep(pages, {"admin": admin_client, "partner": partner_client}, keep_sql=True, collect=False)
    return pages, results


def _check(results, size: str) -> None:
    errors = [f"{r.status} {r.page.path}" for r in results if r.status >= 500]
    assert not errors, f"server errors ({size} data): {errors}"
    over = sorted((r for r in results if r.queries > CEILING), key=lambda r: -r.queries)
    detail = "\n".join(
        f"{r.queries} queries: {r.page.path}\n" + "\n".join(f"    {q[:160]}" for q in (r.sql or [])[:40]) for r in over[:5]
    )
    assert not over, f"{len(over)} pages over {CEILING} queries ({size} data):\n{detail}"


def test_every_swept_page_stays_under_the_query_ceiling_at_two_sizes(client, admin_user, demo_partner):
    call_command("seed_bulk", "--scale", "1", stdout=io.StringIO())
    pages, results = _sweep(admin_user, demo_partner, client.__class__)
    kinds = {p.kind for p in pages}
    assert {"index", "changelist", "filter", "search", "deep", "add", "change", "history", "custom", "portal", "public"} <= kinds
    assert len(pages) > 200
    _check(results, "small")
    call_command("seed_bulk", "--scale", "3", "--add", stdout=io.StringIO())
    _pages, results = _sweep(admin_user, demo_partner, client.__class__)
    _check(results, "three times more")
