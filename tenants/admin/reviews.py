"""Reviews in the admin: a reviewer sees and edits only their own review, scoring every criterion
on one page; the KITB administrator sees all reviews (read-only)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.admin_tools import IndexedSearchMixin, ReadOnlyAdminMixin

from .. import selectors, services
from ..forms import ReviewForm
from ..models import IN_REVIEW_STATUSES, Review, ReviewAssignment
from ..permissions import can_edit_review, is_kitb_administrator
from .common import error_text


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("application", "reviewer", "state", "conflict_of_interest", "updated_at")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("conflict_of_interest", ("submitted_at", admin.EmptyFieldListFilter))
    list_select_related = ("assignment__application", "assignment__reviewer")
    search_fields = ("assignment__application__company_name",)

    def get_queryset(self, request):
        return selectors.review_list_for(request.user)

    def has_add_permission(self, request):
        return False  # created by assigning a reviewer

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return obj.assignment.reviewer_id == request.user.pk or is_kitb_administrator(request.user)
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request, obj)
        return obj.assignment.reviewer_id == request.user.pk

    @admin.display(description=_("application"), ordering="assignment__application__company_name")
    def application(self, obj):
        return obj.assignment.application.company_name

    @admin.display(description=_("reviewer"), ordering="assignment__reviewer__full_name")
    def reviewer(self, obj):
        return obj.assignment.reviewer.full_name or obj.assignment.reviewer.email

    @admin.display(description=_("state"))
    def state(self, obj):
        return _("submitted") if obj.submitted_at else _("pending")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The review form: one row per criterion (score 1–5 and comment), conflict, overall comment."""
        review = selectors.review_get_for(request.user, object_id)  # 404 outside one's own (admin: all)
        application = review.assignment.application
        editable = can_edit_review(request.user, review) and application.status in IN_REVIEW_STATUSES
        criteria = selectors.active_criteria()
        scores = selectors.review_scores(review)
        initial = {"conflict_of_interest": review.conflict_of_interest, "conflict_note": review.conflict_note, "comment": review.comment}
        form = ReviewForm(request.POST if request.method == "POST" else None, initial=initial, criteria=criteria, scores=scores)
        if not editable:
            for field in form.fields.values():
                field.disabled = True
        if request.method == "POST":
            if not editable:
                raise PermissionDenied
            if form.is_valid():
                try:
                    services.review_save(
                        review_id=review.pk, actor=request.user, conflict_of_interest=form.cleaned_data["conflict_of_interest"],
                        conflict_note=form.cleaned_data["conflict_note"], comment=form.cleaned_data["comment"], scores=form.scores(),
                    )
                    if "_submit_review" in request.POST:
                        services.review_submit(review_id=review.pk, actor=request.user)
                        self.message_user(request, _("Review submitted. Thank you."), messages.SUCCESS)
                        return HttpResponseRedirect(reverse("admin:tenants_review_changelist"))
                    self.message_user(request, _("Review saved as a draft."), messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:tenants_review_change", args=[review.pk]))
                except ValidationError as exc:
                    if hasattr(exc, "error_dict"):
                        for field, errors in exc.error_dict.items():
                            target = field if field in form.fields else (f"score_{field}" if f"score_{field}" in form.fields else None)
                            for error in errors:
                                form.add_error(target, error)
                    else:
                        form.add_error(None, error_text(exc))
                except PermissionDenied as exc:
                    form.add_error(None, error_text(exc))
        return TemplateResponse(request, "tenants/admin/review_form.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": _("Review of %(company)s") % {"company": application.company_name},
            "review": review, "application": application, "form": form, "editable": editable,
            "amounts": selectors.application_amounts(application),
            "documents": application.documents.order_by("created_at"),
            "scores": [(c, scores.get(c.pk)) for c in criteria],
        })


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(IndexedSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: reviewers are assigned through the pipeline's "Assign reviewers" action, which tells the reviewer."""

    list_display = ("application", "reviewer", "assigned_by", "created_at")
    list_select_related = ("application", "reviewer", "assigned_by")
    search_fields = ("application__company_name", "reviewer__full_name", "reviewer__email")
    readonly_fields = ("application", "reviewer", "assigned_by", "created_at")


