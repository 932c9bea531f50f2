"""Lists of an MoU's parts, each also shown inline on the MoU page: parties, document versions and
draft approvals (read only: they change through the MoU page), notes, past terms (read only)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kitb_portal.common.admin_tools import IndexedSearchMixin, ReadOnlyAdminMixin

from ..models import DocumentApproval, MoUDocument, MoUNote, MoUParty, MoUTerm


@admin.register(MoUParty)
class MoUPartyAdmin(IndexedSearchMixin, SimpleHistoryAdmin):
    list_display = ["mou", "organization", "role", "signatory_name", "signatory_title", "signed_on"]
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ["role", "organization"]
    list_select_related = ["mou", "organization"]
    search_fields = ["mou__reference", "organization__name", "signatory_name"]
    raw_id_fields = ["mou", "signatory_contact"]


@admin.register(MoUDocument)
class MoUDocumentAdmin(IndexedSearchMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Versions are never changed or deleted; uploads go through the MoU page."""

    list_display = ["mou", "version", "kind", "language", "governing_language", "original_name", "size", "uploaded_by", "created_at"]
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ["kind", "language"]
    list_select_related = ["mou", "uploaded_by"]
    search_fields = ["mou__reference", "original_name", "sha256"]


@admin.register(DocumentApproval)
class DocumentApprovalAdmin(IndexedSearchMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["document", "party", "decision", "decided_by", "decided_at"]
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ["decision"]
    list_select_related = ["document", "party__organization", "decided_by"]
    search_fields = ["document__mou__reference", "party__organization__name", "comment"]


@admin.register(MoUNote)
class MoUNoteAdmin(IndexedSearchMixin, admin.ModelAdmin):
    list_display = ["mou", "noted_on", "kind", "internal", "author", "text"]
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ["kind", "internal"]
    list_select_related = ["mou", "author"]
    search_fields = ["mou__reference", "text"]
    raw_id_fields = ["mou"]
    readonly_fields = ["author"]

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(MoUTerm)
class MoUTermAdmin(admin.ModelAdmin):
    list_display = ["mou", "term_number", "effective_date", "expiry_date", "ended_status", "renewed_by"]
    list_select_related = ["mou", "renewed_by"]
    search_fields = ["mou__reference"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
