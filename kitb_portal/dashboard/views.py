"""The admin index with the staff dashboard above the app list."""
from django.contrib import admin

from . import compose


def admin_index(request, extra_context=None):
    """``admin.site.index`` plus the dashboard (wrapped by ``admin.site.admin_view`` in urls.py);
    its sections come from :func:`compose`."""
    context = {"dashboard": compose(request.user), **(extra_context or {})}
    return admin.site.index(request, extra_context=context)
