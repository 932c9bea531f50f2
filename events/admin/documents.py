"""Staff page of the letters and certificates KITB issued (read-only)."""

from __future__ import annotations

from django.contrib import admin

from ..models import IssuedDocument


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    list_display = ("kind", "holder_name", "registration", "signer_name", "created_at")
    list_filter = ("kind",)
    search_fields = ("holder_name", "code", "registration__event__title_en")
    readonly_fields = ("kind", "code", "registration", "holder_name", "language", "signer_name", "signer_title", "issued_by")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
