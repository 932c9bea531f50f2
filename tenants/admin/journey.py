"""Before the application, in the admin: expressions of interest (turn into a draft application, or
close with a reason) and site visits (both time zones shown). Preferred plots are listed on each plot
(tenants/admin/land.py)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .. import services
from ..models import ExpressionOfInterest, PlotPreference, SiteVisit
from .common import error_text


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for closing"), widget=forms.Textarea(attrs={"rows": 4, "cols": 80}), max_length=5000,
                             help_text=_("The referrer reads this reason in the portal."))


class InterestPlotInline(admin.TabularInline):
    model = PlotPreference
    fk_name = "interest"
    extra = 0
    can_delete = False
    fields = ("plot",)
    readonly_fields = ("plot",)
    verbose_name_plural = _("preferred plots")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ExpressionOfInterest)
class ExpressionOfInterestAdmin(admin.ModelAdmin):
    list_display = ("company_name", "company_country", "referrer", "sector", "status", "created_at")
    list_filter = ("status", "sector")
    list_select_related = ("referrer", "sector")
    search_fields = ("company_name",)
    inlines = [InterestPlotInline]
    change_form_template = "tenants/admin/interest_change_form.html"
    readonly_fields = ("company_name", "company_country", "referrer", "created_by", "sector", "investment_min", "investment_max",
                       "investment_currency", "land_ha", "timing", "status", "application_link", "closed_reason", "handled_by", "handled_at")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # partners send them from the portal

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("application"))
    def application_link(self, obj):
        if not obj.application_id:
            return "—"
        return format_html('<a href="{}">#{}</a>', reverse("admin:tenants_application_change", args=[obj.application_id]), obj.application_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = extra_context or {}
        extra_context["can_handle"] = obj is not None and obj.status == "open" and self.has_change_permission(request, obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/convert/", wrap(self.convert_view), name="tenants_expressionofinterest_convert"),
            path("<int:pk>/close/", wrap(self.close_view), name="tenants_expressionofinterest_close"),
        ] + super().get_urls()

    def _interest(self, request, pk) -> ExpressionOfInterest:
        obj = self.get_object(request, str(pk))
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def convert_view(self, request, pk):
        interest = self._interest(request, pk)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:tenants_expressionofinterest_change", args=[pk]))
        try:
            application = services.interest_convert(interest_id=interest.pk, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, f"{interest.company_name}: {error_text(exc)}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:tenants_expressionofinterest_change", args=[pk]))
        self.message_user(request, _("%(company)s: draft application created; the referrer completes it in the portal.")
                          % {"company": interest.company_name}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:tenants_application_change", args=[application.pk]))

    def close_view(self, request, pk):
        interest = self._interest(request, pk)
        form = CloseForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.interest_close(interest_id=interest.pk, actor=request.user, reason=form.cleaned_data["reason"])
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, error_text(exc))
            else:
                self.message_user(request, _("%(company)s: closed.") % {"company": interest.company_name}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:tenants_expressionofinterest_changelist"))
        return TemplateResponse(request, "tenants/admin/interest_close.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "interest": interest,
            "title": _("Close the expression of interest of %(company)s") % {"company": interest.company_name},
        })


class SiteVisitForm(forms.ModelForm):
    class Meta:
        model = SiteVisit
        fields = ("application", "scheduled_at", "host", "visitors", "outcome_notes")


@admin.register(SiteVisit)
class SiteVisitAdmin(SimpleHistoryAdmin):
    form = SiteVisitForm
    list_display = ("application", "when_display", "host")
    list_select_related = ("application", "host")
    search_fields = ("application__company_name", "visitors")
    autocomplete_fields = ("application",)
    date_hierarchy = "scheduled_at"

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "host":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("full_name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("date and time (WIB · KST)"), ordering="scheduled_at")
    def when_display(self, obj):
        return obj.when

    def save_model(self, request, obj, form, change):
        """Through the services: a new visit is scheduled, an existing one rescheduled with its outcome notes."""
        data = form.cleaned_data
        if change:
            services.site_visit_change(visit_id=obj.pk, scheduled_at=data["scheduled_at"], host=data["host"], visitors=data["visitors"],
                                       outcome_notes=data.get("outcome_notes", ""), actor=request.user)
        else:
            visit = services.site_visit_schedule(application_id=data["application"].pk, scheduled_at=data["scheduled_at"], host=data["host"],
                                                 visitors=data["visitors"], outcome_notes=data.get("outcome_notes", ""), actor=request.user)
            obj.pk = visit.pk
