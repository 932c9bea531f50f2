"""The commitment admin: list, import/export, the progress conversation, and the owner's answer
to a commitment proposed as done."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from kitb_portal.common.admin_tools import DecideViewMixin, IndexedSearchMixin
from kitb_portal.jobs.admin_mixins import BackgroundImportExportMixin

from .. import permissions, services
from ..forms import ProgressDecisionForm, bound_args
from ..models import Commitment, CommitmentProgress
from ..resources import CommitmentResource


class CommitmentProgressInline(admin.TabularInline):
    """The conversation on a commitment: read only here (partners post on the portal, the owner decides)."""

    model = CommitmentProgress
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "reported_on", "author", "text", "evidence_name"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(DecideViewMixin, IndexedSearchMixin, BackgroundImportExportMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [CommitmentResource]
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]
    list_display = ["short_description", "mou", "responsible_organization", "responsible_person", "due_date", "status", "closed_on"]
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ["status", "responsible_organization", "mou__status"]
    list_select_related = ["mou", "responsible_organization"]
    search_fields = ["description", "responsible_person", "mou__reference", "mou__title_en", "responsible_organization__name"]
    raw_id_fields = ["mou", "responsible_user", "responsible_contact"]
    readonly_fields = ["closed_on", "created_at", "updated_at"]
    date_hierarchy = "due_date"
    # A word in a few thousand MoU titles ("UMKM": 1,213 of 10,000) is still answered as mou_id IN (ids):
    # with the trigram indexes of description and person that is one bitmap of indexes, where the
    # join reads every commitment with its MoU for the count, the date bar and the page (3 x 90 ms).
    search_related_limit = 5000

    list_display = [*list_display, "proposed"]
    inlines = [CommitmentProgressInline]

    @admin.display(description=_("description"))
    def short_description(self, obj):
        return str(obj)

    @admin.display(description=_("proposed as done"), boolean=True)
    def proposed(self, obj):
        return obj.done_proposed_at is not None

    def can_decide(self, request, obj) -> bool:
        return bool(obj.done_proposed_at and permissions.can_confirm_commitment(request.user, obj))

    def decide_view(self, request, object_id):
        """The MoU owner confirms a commitment proposed as done, or sends it back with a message."""
        commitment = self.get_object(request, object_id)
        if commitment is None:
            raise Http404
        if not permissions.can_confirm_commitment(request.user, commitment):
            raise PermissionDenied
        change_url = reverse("admin:partnerships_commitment_change", args=[commitment.pk])
        form = ProgressDecisionForm(*bound_args(request, files=False))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            service = services.commitment_confirm_done if data["decision"] == "confirm" else services.commitment_send_back
            try:
                service(actor=request.user, commitment_id=commitment.pk, message=data["message"])
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
            else:
                self.message_user(request, gettext("Your answer was recorded and the responsible organisation told."), messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "original": commitment,
            "title": gettext("Confirm or send back"), "form": form, "change_url": change_url,
            "entries": list(commitment.progress_entries.select_related("author")),
        }
        return TemplateResponse(request, "admin/partnerships/commitment/decide.html", context)
