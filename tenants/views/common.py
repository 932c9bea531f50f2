"""What every portal page of the tenants app shares: the page size of its lists, and partner_view
(portal pages are for partner users; staff work in the admin)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

PAGE_SIZE = 20


def partner_view(view):
    """Portal pages are for partner users; staff work in the admin (and get a 404 here)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
