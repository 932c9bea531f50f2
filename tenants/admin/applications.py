"""The application pipeline's admin: the list (its filters and export are in
application_changelist.py), the change page with its inlines and blocks (amounts, land held, the
review summary under blind reviews, comments), one action per workflow step, reviewer assignment,
comments, and documents served to staff only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from kitb_portal.common.admin_tools import BoundedCountPaginator, IndexedSearchMixin
from kitb_portal.common.downloads import stored_file_response
from kitb_portal.jobs.admin_mixins import BackgroundImportExportMixin

from .. import selectors, services, workflow
from ..forms import AssignReviewersForm, ReasonForm, StaffCommentForm
from ..models import IN_REVIEW_STATUSES, Application, ApplicationDocument, CommentVisibility
from ..permissions import (
    can_allocate_land,
    can_assign_reviewers,
    can_comment_application,
    can_share_comment,
    is_kitb_administrator,
)
from .application_changelist import (
    ApplicationResource,
    CompanyCountryFilter,
    ReferrerFilter,
    ScoreRangeFilter,
    application_export_queryset,  # noqa: F401  (export jobs queued before it moved name it here)
)
from .application_inlines import AssignmentInline, DocumentInline, StatusChangeInline
from .common import run_service

STEP_SERVICES = {
    "submit": services.application_submit,
    "start_screening": services.application_start_screening,
    "start_due_diligence": services.application_start_due_diligence,
    "to_committee": services.application_to_committee,
    "approve": services.application_approve,
    "withdraw": services.application_withdraw,
}


@admin.register(Application)
class ApplicationAdmin(IndexedSearchMixin, BackgroundImportExportMixin, ExportMixin, SimpleHistoryAdmin):
    resource_classes = [ApplicationResource]
    background_export_queryset = "tenants.admin.application_changelist.application_export_queryset"
    export_formats = [base_formats.CSV, base_formats.XLSX]
    change_form_template = "tenants/admin/application_change_form.html"
    list_display = (
        "company_name", "company_country", "referrer", "sector", "status", "score_display", "reviews_display",
        "investment_usd_display", "days_in_step", "owning_officer",
    )
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("status", "sector", CompanyCountryFilter, ReferrerFilter, ScoreRangeFilter)
    paginator = BoundedCountPaginator
    show_full_result_count = False  # one COUNT less
    list_select_related = ("sector", "referrer", "owning_officer")
    search_fields = ("company_name", "company_registration_number", "contact_name", "contact_email")
    list_per_page = 25  # every row costs rendering time: 25 keep the page fast
    date_hierarchy = None
    raw_id_fields = ("mou",)  # an id with the lookup, not a select of every MoU
    inlines = [AssignmentInline, DocumentInline, StatusChangeInline]
    actions = ["assign_reviewers", "start_screening", "start_due_diligence", "to_committee", "approve", "reject", "withdraw"]
    fieldsets = (
        (_("Company"), {"fields": ("company_name", "company_country", "company_registration_number", "company_website", "referrer", "mou",
                                   "contact_name", "contact_email", "contact_phone", "contact_language")}),
        (_("Project and investment"), {"fields": ("sector", "products", "amounts", "investment_realised", "jobs_planned", "export_share_pct", "timeline",
                                                  "claims_pioneer", "pioneer_reason")}),
        (_("Land and utilities"), {"fields": ("land_ha", "power_mva", "water_m3_per_day", "allocations_html")}),
        (_("Screening"), {"fields": ("status", "status_changed_at", "owning_officer", "submitted_at", "decided_at",
                                     "decision_reason", "review_summary_html")}),
        (_("Comments"), {"fields": ("comments_html",)}),
    )

    # Everything but the owning officer is the referrer's data or the workflow's: read-only here.
    def get_readonly_fields(self, request, obj=None):
        editable = {"owning_officer", "mou", "investment_realised"}
        names = [f for _title, opts in self.fieldsets for f in opts["fields"] if f not in editable]
        return names

    def has_add_permission(self, request):
        return False  # referrers create applications in the portal

    def has_delete_permission(self, request, obj=None):
        return False  # withdraw or reject instead; the history stays

    def has_decide_permission(self, request):
        return is_kitb_administrator(request.user)

    def has_assign_permission(self, request):
        return can_assign_reviewers(request.user)

    def get_queryset(self, request):
        # Blind reviews: the score is empty where this user may not see it yet (column, filter, order).
        return selectors.with_pipeline_annotations(super().get_queryset(request), viewer=request.user)

    def get_object(self, request, object_id, from_field=None):
        """Read once per request: change_view needs the application before Django's change form
        reads it again (a POST re-reads it: the form saves the instance it was given)."""
        memo = request.__dict__.setdefault("_kitb_application_objects", {})
        key = (str(object_id), from_field)
        if request.method != "GET" or key not in memo:
            obj = super().get_object(request, object_id, from_field)
            if obj is not None:
                obj.scores_visible = selectors.scores_visible(request.user, obj)
            memo[key] = obj
        return memo[key]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owning_officer":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("full_name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- list columns ---------------------------------------------------------------------
    @admin.display(description=_("score"), ordering="score")
    def score_display(self, obj):
        return "—" if obj.score is None else number_format(obj.score, 2)

    @admin.display(description=_("reviews"))
    def reviews_display(self, obj):
        return f"{obj.counted_reviews}/{obj.assigned_reviews}"

    @admin.display(description=_("investment (USD)"), ordering="investment_usd")
    def investment_usd_display(self, obj):
        return "—" if obj.investment_usd is None else number_format(obj.investment_usd, 0, force_grouping=True)

    @admin.display(description=_("days in step"), ordering="status_changed_at")
    def days_in_step(self, obj):
        from django.utils import timezone

        return (timezone.now() - obj.status_changed_at).days

    # --- change page blocks ---------------------------------------------------------------
    @admin.display(description=_("planned investment"))
    def amounts(self, obj):
        if obj.investment_amount is None:
            return "—"
        usd = "—" if obj.investment_usd is None else number_format(obj.investment_usd, 2, force_grouping=True)
        idr = "—" if obj.investment_idr is None else number_format(obj.investment_idr, 0, force_grouping=True)
        krw_value = getattr(obj, "investment_krw", None)
        krw = "—" if krw_value is None else number_format(krw_value, 0, force_grouping=True)
        amount = number_format(obj.investment_amount, 2, force_grouping=True)
        return format_html("{} {} · USD {} · IDR {} · KRW {}", amount, obj.investment_currency, usd, idr, krw)

    @admin.display(description=_("land held"))
    def allocations_html(self, obj):
        rows = list(obj.allocations.filter(is_live=True).select_related("plot").order_by("plot__code"))
        if not rows:
            return "—"
        return format_html_join(", ", "{} ({} ha, {})", ((a.plot.code, a.plot.area_ha, a.get_kind_display()) for a in rows))

    @admin.display(description=_("reviews and weighted score"))
    def review_summary_html(self, obj):
        from django.template.loader import render_to_string

        if not getattr(obj, "scores_visible", False):  # blind reviews: see selectors.scores_visible
            return _("The scores are shown once you have submitted your own review of this application "
                     "(never to a reviewer who declared a conflict of interest).")
        return render_to_string("tenants/admin/_review_summary.html", {"summary": selectors.review_summary(obj)})

    @admin.display(description=_("comments"))
    def comments_html(self, obj):
        from django.template.loader import render_to_string

        comments = obj.comments.select_related("author").order_by("created_at", "pk")
        return render_to_string("tenants/admin/_comments.html", {"comments": comments, "application": obj})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context["transitions"] = [t for t in workflow.available_transitions(request.user, obj) if t.name != "submit"]
            extra_context["can_assign"] = can_assign_reviewers(request.user) and obj.status in IN_REVIEW_STATUSES
            extra_context["can_comment"] = can_comment_application(request.user, obj)
            extra_context["can_allocate"] = obj.status == Application.Status.APPROVED and can_allocate_land(request.user)
        return super().change_view(request, object_id, form_url, extra_context)

    # --- extra staff URLs -----------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/documents/<int:document_pk>/download/", wrap(self.document_view), name="tenants_application_document"),
            path("<int:pk>/step/<str:name>/", wrap(self.transition_view), name="tenants_application_transition"),
            path("<int:pk>/assign-reviewers/", wrap(self.assign_view), name="tenants_application_assign"),
            path("<int:pk>/comment/", wrap(self.comment_view), name="tenants_application_comment"),
        ] + super().get_urls()

    def _get(self, request, pk) -> Application:
        obj = self.get_object(request, str(pk))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        return obj

    def document_view(self, request, pk, document_pk):
        application = self._get(request, pk)
        document = get_object_or_404(ApplicationDocument, pk=document_pk, application=application)
        return stored_file_response(document.file, document.original_name)

    def transition_view(self, request, pk, name):
        application = self._get(request, pk)
        if name not in workflow.TRANSITIONS:
            raise Http404
        change_url = reverse("admin:tenants_application_change", args=[application.pk])
        transition = workflow.TRANSITIONS[name]
        if name == "reject":
            form = ReasonForm(request.POST or None)
            if request.method == "POST" and form.is_valid():
                if run_service(self, request, application.company_name, services.application_reject,
                               application_id=application.pk, reason=form.cleaned_data["reason"]):
                    self.message_user(request, _("%(company)s: rejected.") % {"company": application.company_name}, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
            return TemplateResponse(request, "tenants/admin/reject.html", {
                **self.admin_site.each_context(request), "opts": self.opts, "form": form, "applications": [application],
                "title": _("Reject %(company)s") % {"company": application.company_name}, "single": True,
            })
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        note = request.POST.get("note", "")[:2000]
        if run_service(self, request, application.company_name, STEP_SERVICES[name], application_id=application.pk, note=note):
            self.message_user(request, _("%(company)s: %(action)s done.") % {"company": application.company_name, "action": transition.label}, messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def assign_view(self, request, pk):
        application = self._get(request, pk)
        if not can_assign_reviewers(request.user):
            raise PermissionDenied
        return self._assign(request, [application], reverse("admin:tenants_application_change", args=[application.pk]))

    def comment_view(self, request, pk):
        application = self._get(request, pk)
        if not can_comment_application(request.user, application):
            raise PermissionDenied
        form = StaffCommentForm(request.POST or None)
        if not can_share_comment(request.user, application):
            form.fields["visibility"].choices = [(CommentVisibility.INTERNAL, CommentVisibility.INTERNAL.label)]
        change_url = reverse("admin:tenants_application_change", args=[application.pk])
        if request.method == "POST" and form.is_valid():
            if run_service(self, request, application.company_name, services.comment_add, application_id=application.pk,
                           body=form.cleaned_data["body"], visibility=form.cleaned_data["visibility"]):
                self.message_user(request, _("Comment added."), messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        return TemplateResponse(request, "tenants/admin/comment.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "application": application,
            "title": _("Comment on %(company)s") % {"company": application.company_name},
        })

    # --- actions (one per workflow step) --------------------------------------------------
    def _bulk(self, request, queryset, name, **kwargs):
        done = 0
        for application in queryset.order_by("pk"):
            if run_service(self, request, application.company_name, STEP_SERVICES[name], application_id=application.pk, **kwargs):
                done += 1
        if done:
            self.message_user(request, ngettext("%(n)d application: %(action)s done.", "%(n)d applications: %(action)s done.", done)
                              % {"n": done, "action": workflow.TRANSITIONS[name].label}, messages.SUCCESS)

    @admin.action(description=_("Start screening"), permissions=["change"])
    def start_screening(self, request, queryset):
        self._bulk(request, queryset, "start_screening")

    @admin.action(description=_("Start due diligence"), permissions=["change"])
    def start_due_diligence(self, request, queryset):
        self._bulk(request, queryset, "start_due_diligence")

    @admin.action(description=_("Send to the committee"), permissions=["change"])
    def to_committee(self, request, queryset):
        self._bulk(request, queryset, "to_committee")

    @admin.action(description=_("Approve (committee decision)"), permissions=["decide"])
    def approve(self, request, queryset):
        self._bulk(request, queryset, "approve")

    @admin.action(description=_("Withdraw"), permissions=["change"])
    def withdraw(self, request, queryset):
        self._bulk(request, queryset, "withdraw")

    @admin.action(description=_("Reject (committee decision, with a reason)"), permissions=["decide"])
    def reject(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for application in queryset.order_by("pk"):
                if run_service(self, request, application.company_name, services.application_reject,
                               application_id=application.pk, reason=form.cleaned_data["reason"]):
                    done += 1
            if done:
                self.message_user(request, ngettext("%(n)d application rejected.", "%(n)d applications rejected.", done) % {"n": done}, messages.SUCCESS)
            return None
        return TemplateResponse(request, "tenants/admin/reject.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "applications": list(queryset),
            "title": _("Reject applications"), "action": "reject", "action_checkbox_name": ACTION_CHECKBOX_NAME,
        })

    @admin.action(description=_("Assign reviewers"), permissions=["assign"])
    def assign_reviewers(self, request, queryset):
        return self._assign(request, list(queryset), None)

    def _assign(self, request, applications, back_url):
        form = AssignReviewersForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for application in applications:
                for reviewer in form.cleaned_data["reviewers"]:
                    if run_service(self, request, f"{application.company_name} / {reviewer.full_name or reviewer.email}",
                                   services.review_assign, application_id=application.pk, reviewer=reviewer):
                        done += 1
            if done:
                self.message_user(request, ngettext("%(n)d reviewer assigned and told by e-mail.",
                                                    "%(n)d reviewers assigned and told by e-mail.", done) % {"n": done}, messages.SUCCESS)
            return HttpResponseRedirect(back_url) if back_url else None
        return TemplateResponse(request, "tenants/admin/assign_reviewers.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "applications": applications,
            "title": _("Assign reviewers"), "action": "assign_reviewers" if back_url is None else "",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        })

