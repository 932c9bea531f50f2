"""Tenant projects in the admin: the list (at risk first), the owner and figures (through the
services), the milestones in their declared order with a page to plan or confirm each one (date and
PDF evidence), and the evidence served to staff only."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from kitb_portal.common.downloads import stored_file_response
from kitb_portal.common.forms import add_service_errors

from .. import selectors, services
from ..documents import read_and_check_pdf
from ..milestones import label_of
from ..models import Milestone, TenantProject
from ..services.projects import can_change_projects
from .common import error_text


class AtRiskFilter(admin.SimpleListFilter):
    title = _("at risk")
    parameter_name = "at_risk"

    def lookups(self, request, model_admin):
        return [("1", _("At risk")), ("0", _("On track"))]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(at_risk=self.value() == "1")
        return queryset


class ProjectForm(forms.ModelForm):
    class Meta:
        model = TenantProject
        fields = ("owner", "investment_realised", "jobs_realised", "jobs_local")


@admin.register(TenantProject)
class TenantProjectAdmin(admin.ModelAdmin):
    form = ProjectForm
    list_display = ("company", "owner", "at_risk_display", "next_milestone", "done_display", "jobs_realised", "jobs_local")
    list_filter = (AtRiskFilter,)
    list_select_related = ("application", "owner")
    search_fields = ("application__company_name",)
    fields = ("company", "owner", "investment_display", "investment_realised", "jobs_planned", "jobs_realised", "jobs_local", "milestones_html")
    readonly_fields = ("company", "investment_display", "jobs_planned", "milestones_html")

    def get_queryset(self, request):
        return selectors.with_project_annotations(super().get_queryset(request).select_related("application__referrer"))

    def has_add_permission(self, request):
        return False  # opened by the approval

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("full_name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            services.project_update(project_id=obj.pk, actor=request.user, owner=data.get("owner"),
                                    investment_realised=data.get("investment_realised"), jobs_realised=data.get("jobs_realised") or 0,
                                    jobs_local=data.get("jobs_local") or 0)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, error_text(exc), messages.ERROR)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class Checked(form_class):
            def clean(self):
                data = super().clean()
                realised, local = data.get("jobs_realised"), data.get("jobs_local")
                if realised is not None and local is not None and local > realised:
                    self.add_error("jobs_local", _("Local jobs (%(local)d) cannot exceed the jobs realised (%(total)d).") % {"local": local, "total": realised})
                return data

        return Checked

    @admin.display(description=_("company"), ordering="application__company_name")
    def company(self, obj):
        url = reverse("admin:tenants_application_change", args=[obj.application_id])
        return format_html('<a href="{}">{}</a>', url, obj.application.company_name)

    @admin.display(description=_("at risk"), boolean=True, ordering="at_risk")
    def at_risk_display(self, obj):
        return obj.at_risk

    @admin.display(description=_("next milestone"))
    def next_milestone(self, obj):
        if not obj.next_kind:
            return _("all confirmed")
        return f"{label_of(obj.next_kind)} ({obj.next_planned_on or '—'})"

    @admin.display(description=_("milestones confirmed"))
    def done_display(self, obj):
        return obj.done_count

    @admin.display(description=_("jobs planned"))
    def jobs_planned(self, obj):
        return obj.application.jobs_planned or "—"

    @admin.display(description=_("investment planned and realised"))
    def investment_display(self, obj):
        money = selectors.project_money(obj)

        def line(label, amount, converted):
            if amount is None:
                return (label, "—", "")
            parts = " · ".join(f"{code} {number_format(value, 0, force_grouping=True)}" for code, value in converted.items() if value is not None)
            return (label, f"{number_format(amount, 2, force_grouping=True)} {money['currency']}", parts)

        rows = [line(_("planned"), money["planned"], money["planned_in"]), line(_("realised"), money["realised"], money["realised_in"])]
        return format_html_join("", "<div>{}: {} <span class=\"tenants-quiet\">{}</span></div>", rows)

    @admin.display(description=_("milestones"))
    def milestones_html(self, obj):
        from django.template.loader import render_to_string

        return render_to_string("tenants/admin/_milestones.html", {
            "milestones": selectors.project_milestones(obj), "project": obj, "can_change": True,
        })

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/milestones/<int:milestone_pk>/", wrap(self.milestone_view), name="tenants_tenantproject_milestone"),
            path("<int:pk>/milestones/<int:milestone_pk>/evidence/", wrap(self.evidence_view), name="tenants_tenantproject_evidence"),
        ] + super().get_urls()

    def _milestone(self, request, pk, milestone_pk) -> Milestone:
        if not self.has_view_permission(request):
            raise PermissionDenied
        milestone = Milestone.objects.select_related("project__application").filter(pk=milestone_pk, project_id=pk).first()
        if milestone is None:
            raise Http404
        return milestone

    def evidence_view(self, request, pk, milestone_pk):
        milestone = self._milestone(request, pk, milestone_pk)
        if not milestone.evidence:
            raise Http404
        return stored_file_response(milestone.evidence, milestone.evidence_name or "evidence.pdf")

    def milestone_view(self, request, pk, milestone_pk):
        """Plan (a new planned date) or confirm (the date it happened and its PDF evidence) one milestone."""
        milestone = self._milestone(request, pk, milestone_pk)
        if not can_change_projects(request.user):
            raise PermissionDenied
        form = MilestoneForm(request.POST or None, request.FILES or None, initial={"planned_on": milestone.planned_on})
        change_url = reverse("admin:tenants_tenantproject_change", args=[pk])
        if request.method == "POST" and form.is_valid():
            try:
                if "_confirm" in request.POST:
                    services.milestone_confirm(milestone_id=milestone.pk, actor=request.user, actual_on=form.cleaned_data["actual_on"],
                                               evidence=form.cleaned_data["evidence"])
                    self.message_user(request, _("“%(name)s” confirmed.") % {"name": milestone.label}, messages.SUCCESS)
                else:
                    services.milestone_plan(milestone_id=milestone.pk, actor=request.user, planned_on=form.cleaned_data["planned_on"])
                    self.message_user(request, _("“%(name)s”: planned date saved.") % {"name": milestone.label}, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, error_text(exc))
        return TemplateResponse(request, "tenants/admin/milestone_form.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "milestone": milestone,
            "title": f"{milestone.project.application.company_name}: {milestone.label}", "change_url": change_url,
        }, status=400 if request.method == "POST" else 200)


class MilestoneForm(forms.Form):
    planned_on = forms.DateField(label=_("Planned on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actual_on = forms.DateField(label=_("Happened on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.FileField(label=_("Evidence (PDF)"), required=False)

    def clean_evidence(self):
        uploaded = self.cleaned_data.get("evidence")
        if uploaded:
            read_and_check_pdf(uploaded)
            uploaded.seek(0)
        return uploaded
