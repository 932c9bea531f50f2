"""The permission every API endpoint starts from; each viewset adds its app's rules."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions


def token_of(request):
    """The ApiToken the request came with, or None (a browser session)."""
    auth = getattr(request, "auth", None)
    return auth if auth is not None and hasattr(auth, "can_write") else None


class ApiAccess(permissions.BasePermission):
    """An active user signed in by token or session; writing (any unsafe method) needs a token of
    scope ``write`` (a read-scope token is answered 403) or a session."""

    message = _("This API token may only read (its scope is read).")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        token = token_of(request)
        return token is None or token.can_write
