"""The inlines of an application's change page: its reviewers (and the state of each review), its
documents (each a download link served to staff only) and its workflow history; all read-only."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import ApplicationDocument, ReviewAssignment, StatusChange


class DocumentInline(admin.TabularInline):
    model = ApplicationDocument
    extra = 0
    can_delete = False
    fields = ("kind", "title", "download", "size", "uploaded_by", "created_at")
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=_("file"))
    def download(self, obj):
        url = reverse("admin:tenants_application_document", args=[obj.application_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    verbose_name_plural = _("workflow history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class AssignmentInline(admin.TabularInline):
    model = ReviewAssignment
    extra = 0
    can_delete = False
    fields = ("reviewer", "assigned_by", "created_at", "review_state")
    readonly_fields = fields
    verbose_name_plural = _("reviewers")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # each row's title is the assignment's str (reviewer → application): read with the rows
        return super().get_queryset(request).select_related("reviewer", "assigned_by", "review", "application")

    @admin.display(description=_("review"))
    def review_state(self, obj):
        review = getattr(obj, "review", None)
        if review is None:
            return "—"
        if review.conflict_of_interest:
            return _("conflict of interest declared (not counted)")
        return _("submitted") if review.submitted_at else _("pending")
