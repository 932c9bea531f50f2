"""Admin of the review packs: narratives (written per language) and the frozen versions (read-only,
with their files and the parties' answers). An MoU's pack page is on the MoU (partnerships admin)."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kitb_portal.common.admin_tools import ReadOnlyAdminMixin
from kitb_portal.common.downloads import attachment_response

from . import services
from .models import ReviewNarrative, ReviewPackVersion


@admin.register(ReviewNarrative)
class ReviewNarrativeAdmin(SimpleHistoryAdmin):
    list_display = ("subject", "subject_id", "year", "period_kind", "language", "updated_at")
    list_filter = ("subject", "year", "language")
    fields = ("subject", "subject_id", "period_kind", "year", "language", "summary", "next_plan")

    def get_changeform_initial_data(self, request):
        return {k: request.GET[k] for k in ("subject", "subject_id", "year", "period_kind", "language") if k in request.GET}

    def save_model(self, request, obj, form, change):
        saved = services.review_narrative_save(
            actor=request.user, subject=obj.subject, subject_id=obj.subject_id, period_kind=obj.period_kind, year=obj.year,
            language=obj.language, summary=obj.summary, next_plan=obj.next_plan,
        )
        obj.pk = saved.pk


@admin.register(ReviewPackVersion)
class ReviewPackVersionAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: versions are made by the generate job, and one shown at a meeting never goes away."""

    list_display = ("title", "year", "period_kind", "number", "created_by", "created_at", "answers")
    list_filter = ("subject", "year", "period_kind")
    search_fields = ("title",)
    fields = ("title", "subject", "subject_id", "year", "period_kind", "period_start", "period_end", "as_of", "number",
              "created_by", "created_at", "files_html", "answers")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").prefetch_related("files", "sign_offs__organization")

    @admin.display(description=_("files"))
    def files_html(self, obj):
        return format_html_join(" · ", '<a href="{}">{} {}</a> <small>SHA-256 {}</small>', (
            (reverse("admin:reports_reviewpackversion_file", args=[obj.pk, f.file_format, f.language]),
             f.get_file_format_display(), f.get_language_display(), f.sha256[:12]) for f in obj.files.all()
        )) or "—"

    @admin.display(description=_("answers"))
    def answers(self, obj):
        return format_html_join("; ", "{}: {}", ((s.organization.name, s.get_decision_display()) for s in obj.sign_offs.all())) or "—"

    def get_urls(self):
        return [
            path("<int:object_id>/file/<str:file_format>/<str:language>/", self.admin_site.admin_view(self.file_view),
                 name="reports_reviewpackversion_file"),
        ] + super().get_urls()

    def file_view(self, request, object_id, file_format, language):
        if not self.has_view_permission(request):
            raise Http404
        version = self.get_queryset(request).filter(pk=object_id).first()
        data = services.verified_bytes(version, file_format, language) if version is not None else None
        if data is None:  # no such file, missing, or altered after it was frozen
            raise Http404
        return attachment_response(data, f"review-{version.pk}-v{version.number}-{language}.{file_format}",
                                   services.CONTENT_TYPES[file_format])
