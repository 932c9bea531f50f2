"""Base viewsets: every queryset comes from an app's selector, scoped by who asks."""
from __future__ import annotations

from rest_framework import viewsets


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """List and detail of what the selector gives the requesting user: an object outside that scope
    (another organisation's) is a 404, the same as one that does not exist.

    Subclasses define ``scoped_queryset(user)``; the detail reads the same queryset."""

    lookup_value_regex = r"[0-9]+"

    def scoped_queryset(self, user):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema without a user
            return self.queryset.none()
        return self.scoped_queryset(self.request.user)
