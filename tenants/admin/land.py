"""Land in the admin: zones (with the land summary and the site plan), plots, allocations."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .. import selectors, services
from ..forms import AllocationForm
from ..models import Allocation, Plot, PlotPreference, Zone
from ..permissions import can_allocate_land, can_view_land
from ..siteplan import site_plan_context
from ..views.site_plan import site_plan_svg
from .common import error_text, run_service


class ZoneAdminForm(forms.ModelForm):
    """Friendly versions of the checks the database's triggers make (never a 500)."""

    class Meta:
        model = Zone
        fields = ("code", "name", "parent", "area_ha", "is_internal")

    def clean(self):
        data = super().clean()
        parent, area = data.get("parent"), data.get("area_ha")
        if area is None:
            return data
        if parent is not None:
            if self.instance.pk and self.instance.pk in selectors.zone_chain_ids(parent.pk):
                self.add_error("parent", _("A zone cannot be inside itself or one of its own sub-zones."))
            elif area > parent.area_ha:
                self.add_error("area_ha", _("A zone cannot be larger than its parent (%(area)s ha).") % {"area": parent.area_ha})
        if self.instance.pk:
            biggest = self.instance.children.order_by("-area_ha").values_list("area_ha", flat=True).first()
            if biggest is not None and area < biggest:
                self.add_error("area_ha", _("A sub-zone is %(area)s ha; the zone must be at least that large.") % {"area": biggest})
            used = selectors.zone_used_area([self.instance.pk])[self.instance.pk]
            if area < used:
                self.add_error("area_ha", _("%(used)s ha of this zone are allocated or reserved; the area cannot be smaller.") % {"used": used})
        return data


@admin.register(Zone)
class ZoneAdmin(SimpleHistoryAdmin):
    form = ZoneAdminForm
    list_display = ("name", "code", "parent", "area_ha", "is_internal")
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    change_list_template = "tenants/admin/zone_change_list.html"

    def has_delete_permission(self, request, obj=None):
        return False  # plots and allocations refer to zones

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("land-summary/", wrap(self.land_summary_view), name="tenants_land_summary"),
            path("site-plan/", wrap(self.site_plan_view), name="tenants_site_plan"),
            path("site-plan/<slug:zone_code>/", wrap(self.site_plan_view), name="tenants_site_plan_zone"),
            path("site-plan.svg", wrap(site_plan_svg), name="tenants_site_plan_svg"),
            path("site-plan/<slug:zone_code>.svg", wrap(site_plan_svg), name="tenants_site_plan_zone_svg"),
        ] + super().get_urls()

    def land_summary_view(self, request):
        if not can_view_land(request.user):
            raise PermissionDenied
        return TemplateResponse(request, "tenants/admin/land_summary.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": _("Land summary"),
            "zones": selectors.land_summary(),
        })

    def site_plan_view(self, request, zone_code="phase-1"):
        if not can_view_land(request.user):
            raise PermissionDenied
        context = site_plan_context(zone_code)
        if context is None:
            raise Http404
        svg = mark_safe(render_to_string("tenants/site_plan.svg", context, request=request))  # our own template, autoescaped
        return TemplateResponse(request, "tenants/admin/site_plan.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": context["title"], "svg": svg,
            "zone": context["zone"], "cells": context["cells"], "can_allocate": can_allocate_land(request.user),
        })


class PlotAdminForm(forms.ModelForm):
    class Meta:
        model = Plot
        fields = ("code", "zone", "area_ha", "grid_row", "grid_col", "has_power", "has_water", "has_gas", "has_telecom", "has_wastewater")

    def clean(self):
        data = super().clean()
        zone, area = data.get("zone"), data.get("area_ha")
        if self.instance.pk and zone is not None and area is not None and self.instance.allocations.filter(is_live=True).exists():
            chain = selectors.zone_chain_ids(zone.pk)
            old_chain = set(selectors.zone_chain_ids(self.instance.zone_id))
            used = selectors.zone_used_area(chain)
            for z in Zone.objects.filter(pk__in=chain).order_by("pk"):
                others = used[z.pk] - (self.instance.area_ha if z.pk in old_chain else 0)
                if others + area > z.area_ha:
                    self.add_error("area_ha", _("The plot is allocated or reserved; zone %(zone)s has no room for this change.") % {"zone": z.name})
                    break
        return data


class PlotRequestInline(admin.TabularInline):
    """Who asked for this plot: expressions of interest and applications naming it as preferred."""

    model = PlotPreference
    fk_name = "plot"
    extra = 0
    can_delete = False
    fields = ("requested_by", "created_at")
    readonly_fields = fields
    verbose_name_plural = _("requests (preferred by)")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application", "interest")

    @admin.display(description=_("requested by"))
    def requested_by(self, obj):
        if obj.application_id:
            return format_html('<a href="{}">{}</a> ({})', reverse("admin:tenants_application_change", args=[obj.application_id]),
                               obj.application.company_name, _("application"))
        return format_html('<a href="{}">{}</a> ({})', reverse("admin:tenants_expressionofinterest_change", args=[obj.interest_id]),
                           obj.interest.company_name, _("expression of interest"))


@admin.register(Plot)
class PlotAdmin(SimpleHistoryAdmin):
    form = PlotAdminForm
    inlines = [PlotRequestInline]
    list_display = ("code", "zone", "area_ha", "status", "utilities_display", "grid_row", "grid_col")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("status", "zone", "has_gas")
    list_select_related = ("zone",)
    search_fields = ("code",)
    readonly_fields = ("status",)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("utilities"))
    def utilities_display(self, obj):
        return ", ".join(obj.utilities) or "—"


@admin.register(Allocation)
class AllocationAdmin(SimpleHistoryAdmin):
    list_display = ("plot", "plot_area", "application_name", "kind", "is_live", "created_by", "created_at", "released_at")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("kind", "is_live", "plot__zone")
    list_select_related = ("plot", "application", "created_by")
    search_fields = ("plot__code", "application__company_name")
    readonly_fields = ("plot", "application", "kind", "is_live", "note", "created_by", "created_at", "released_at", "released_by")
    actions = ["release"]

    def has_add_permission(self, request):
        return can_allocate_land(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # through the services: allocate, reserve, release

    def has_delete_permission(self, request, obj=None):
        return False

    def has_release_permission(self, request):
        return can_allocate_land(request.user)

    @admin.display(description=_("area (ha)"), ordering="plot__area_ha")
    def plot_area(self, obj):
        return obj.plot.area_ha

    @admin.display(description=_("application"), ordering="application__company_name")
    def application_name(self, obj):
        return obj.application.company_name

    @admin.action(description=_("Release the selected allocations"), permissions=["release"])
    def release(self, request, queryset):
        done = 0
        for allocation in queryset.filter(is_live=True).order_by("pk"):
            if run_service(self, request, allocation.plot.code, services.allocation_release, allocation_id=allocation.pk):
                done += 1
        if done:
            self.message_user(request, ngettext("%(n)d allocation released.", "%(n)d allocations released.", done) % {"n": done}, messages.SUCCESS)

    def add_view(self, request, form_url="", extra_context=None):
        """Allocate or reserve a plot for an approved application, through the land services."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {k: request.GET[k] for k in ("application", "plot", "kind") if k in request.GET}
        form = AllocationForm(
            request.POST or None, initial=initial, applications=selectors.approved_applications(),
            plots=Plot.objects.select_related("zone").exclude(status=Plot.Status.ALLOCATED).order_by("code"),
        )
        # Thousands of approved applications: typed and looked up (the admin's autocomplete), not one
        # <option> each (3.5 s cold at scale 100).
        field = form.fields["application"]
        field.widget = AutocompleteSelect(Allocation._meta.get_field("application"), self.admin_site)
        field.widget.choices = field.choices
        if request.method == "POST" and form.is_valid():
            service = services.plot_allocate if form.cleaned_data["kind"] == Allocation.Kind.ALLOCATED else services.plot_reserve
            try:
                service(plot_id=form.cleaned_data["plot"].pk, application_id=form.cleaned_data["application"].pk,
                        actor=request.user, note=form.cleaned_data["note"])
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, error_text(exc))
            else:
                self.message_user(request, _("Plot %(plot)s: %(kind)s to %(company)s.") % {
                    "plot": form.cleaned_data["plot"].code, "kind": Allocation.Kind(form.cleaned_data["kind"]).label.lower(),
                    "company": form.cleaned_data["application"].company_name}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:tenants_allocation_changelist"))
        return TemplateResponse(request, "tenants/admin/allocation_form.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": _("Allocate or reserve a plot"), "form": form,
            "media": self.media + form.media,
        })
