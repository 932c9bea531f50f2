"""The two search pages: staff in the admin (``admin_search``, wrapped by the admin site's
``admin_view`` in the project's urls) and partners in the portal (``portal_search``).

Both read ``?q=`` (and optionally ``?kind=`` to see more of one kind); a query that cannot be searched
gets the form back with what to fix (status 400), never an error page.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import core


def _context(request) -> tuple[dict, int]:
    raw = request.GET.get("q")
    kind = request.GET.get("kind", "")
    context = {"q": (raw or "")[: core.MAX_LENGTH], "groups": [], "error": "", "searched": False, "kind": ""}
    if raw is None:
        return context, 200
    try:
        query = core.parse(raw)
    except core.QueryError as exc:
        context["error"] = exc.message
        return context, 400
    groups = core.run(request.user, query, kind=kind if isinstance(kind, str) else "")
    for group in groups:
        for hit in group.hits:
            hit.title_html = core.highlight(hit.title, query)
            hit.detail_html = core.highlight(hit.detail, query)
    context.update(
        q=query.text, groups=groups, searched=True, query=query,
        kind=groups[0].key if len(groups) == 1 and kind == groups[0].key else "",
        total=sum(len(g.hits) for g in groups),
    )
    return context, 200


@require_GET
def admin_search(request):
    context, status = _context(request)
    context.update(admin.site.each_context(request), title=_("Search"))
    return render(request, "search/admin_search.html", context, status=status)


@require_GET
@login_required
def portal_search(request):
    if request.user.is_staff:
        return redirect(f"{_admin_search_url()}?{request.GET.urlencode()}")
    context, status = _context(request)
    return render(request, "search/portal_search.html", context, status=status)


def _admin_search_url() -> str:
    from django.urls import reverse

    return reverse("admin_search")
