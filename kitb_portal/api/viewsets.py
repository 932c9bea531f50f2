"""Base viewsets: every queryset comes from an app's selector, scoped by who asks."""
from __future__ import annotations

from rest_framework import status, viewsets
from rest_framework.response import Response


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """List and detail of what the selector gives the requesting user: an object outside that scope
    (another organisation's) is a 404, the same as one that does not exist.

    Subclasses name ``queryset`` (the model's, for the router and the schema), ``serializer_class``,
    ``filterset_class`` and ``selector``: the app's selector function ``(user) -> queryset`` of what
    the user may see; the detail reads the same queryset."""

    lookup_value_regex = r"[0-9]+"
    selector = None

    def scoped_queryset(self, user):
        # read through the class: a plain function stored on it is not bound to the viewset
        return type(self).selector(user)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema without a user
            return self.queryset.none()
        return self.scoped_queryset(self.request.user)

    def validated_body(self, serializer_class):
        """The request body checked by ``serializer_class`` (a 400 naming each bad field otherwise)."""
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data

    def reread(self, obj):
        """``obj`` as the user's scoped queryset gives it (annotations and related rows included)."""
        return self.get_queryset().get(pk=obj.pk)

    def answer(self, obj, serializer_class=None, *, created=False):
        """``obj`` read again through the scope and serialised (201 if it was just ``created``)."""
        serializer_class = serializer_class or self.get_serializer_class()
        data = serializer_class(self.reread(obj), context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
