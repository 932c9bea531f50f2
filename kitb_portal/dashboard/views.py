"""The admin index with the staff dashboard above the app list."""
from django.contrib import admin

from kitb_portal.common import fragments

from . import compose


def admin_index(request, extra_context=None):
    """``admin.site.index`` plus the dashboard (wrapped by ``admin.site.admin_view`` in urls.py).

    The dashboard's HTML is a cached fragment per user (its charts and tables are most of the page's
    drawing); its sections come from :func:`compose` (cached too) when the fragment is drawn."""
    dashboard_html = fragments.cached(
        request, "dashboard.staff", (request.user.pk,), "dashboard/_staff.html",
        lambda: {"dashboard": compose(request.user)},
    )
    context = {"dashboard_html": dashboard_html, **(extra_context or {})}
    return admin.site.index(request, extra_context=context)
