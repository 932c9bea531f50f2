"""Cursor pagination: stable pages however many rows are added meanwhile, one query per page."""
from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class CursorPagination(pagination.CursorPagination):
    """``?cursor=`` from the previous page's ``next``/``previous``; ``?page_size=`` up to 200.

    A malformed cursor or page size is a 400 naming the parameter (DRF would answer 404 / ignore it)."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-pk"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [_("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}]})
        return size

    def decode_cursor(self, request):
        from rest_framework.exceptions import NotFound

        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [_("This cursor is not valid: use the next or previous link of a page.")]}) from None
