"""The inlines of the MoU change page: parties, document versions, commitments, targets, notes, past terms."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.admin_tools import BatchedAutocompleteInlineMixin, SharedChoicesInlineMixin

from ..models import Commitment, DocumentApproval, MoUDocument, MoUNote, MoUParty, MoUTarget, MoUTerm


class MoUPartyInline(BatchedAutocompleteInlineMixin, admin.TabularInline):
    """The organisation is picked by typing its name (an autocomplete): a select of every organisation
    in each row and in the blank row was some 200 options apiece, most of the page."""

    model = MoUParty
    extra = 0
    min_num = 0
    fields = ["organization", "role", "signatory_name", "signatory_title", "signatory_contact", "signed_on"]
    raw_id_fields = ["signatory_contact"]
    autocomplete_fields = ["organization"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")  # each row's title names it


class MoUDocumentInline(admin.TabularInline):
    """Versions are read-only here; a new one comes from the "Upload a document version" button."""

    model = MoUDocument
    extra = 0
    can_delete = False
    fields = ["version", "kind", "language", "governing_language", "download", "size", "sha256", "uploaded_by", "created_at", "approvals_summary"]
    readonly_fields = fields
    ordering = ["-version"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by").prefetch_related(
            Prefetch("approvals", queryset=DocumentApproval.objects.select_related("party__organization"))
        )

    @admin.display(description=_("file"))
    def download(self, obj):
        url = reverse("partnerships:document_download", args=[obj.mou_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    @admin.display(description=_("party answers"))
    def approvals_summary(self, obj):
        return format_html_join(
            ", ", "{} — {}", ((a.party.organization.name, a.get_decision_display()) for a in obj.approvals.all())
        ) or "—"


class CommitmentInline(BatchedAutocompleteInlineMixin, admin.TabularInline):
    """The responsible organisation by autocomplete, as the parties' (MoUPartyInline)."""

    model = Commitment
    extra = 0
    fields = [
        "description", "responsible_organization", "responsible_person", "responsible_contact", "responsible_user", "due_date", "status",
        "fulfilment_note",
    ]
    raw_id_fields = ["responsible_user", "responsible_contact"]
    autocomplete_fields = ["responsible_organization"]


class MoUNoteInline(admin.TabularInline):
    model = MoUNote
    extra = 1
    fields = ["noted_on", "kind", "text", "internal", "author"]
    readonly_fields = ["author"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")  # each note shows its author


class MoUTargetInline(SharedChoicesInlineMixin, admin.TabularInline):
    """Targets per period; saved through ``services.target_save`` (validated, history recorded)."""

    model = MoUTarget
    shared_choice_fields = ("owner_party",)
    extra = 0
    fields = ["year", "period_kind", "kind", "event_kind", "country", "description", "target_value", "owner_party",
              "manual_actual", "last_status", "last_actual"]
    readonly_fields = ["last_status", "last_actual"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner_party":
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = MoUParty.objects.filter(mou_id=object_id).select_related("organization") if object_id \
                else MoUParty.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MoUTermInline(admin.TabularInline):
    model = MoUTerm
    extra = 0
    can_delete = False
    fields = ["term_number", "signed_date", "effective_date", "expiry_date", "ended_status", "renewed_by", "created_at"]
    readonly_fields = fields
    verbose_name_plural = _("past terms")

    def has_add_permission(self, request, obj=None):
        return False
