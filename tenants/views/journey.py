"""Portal pages of the journey around the screening, for partner users (staff get 404, as on the
other tenants portal pages): the referring organisation's tenant projects and their milestones, the
land (zones and plots without tenant names, internal zones never shown), and expressions of
interest. Every object is read through a selector scoped to the user's organisation (404 otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kitb_portal.common.forms import add_service_errors

from .. import selectors, services
from ..forms import InterestForm
from ..milestones import label_of
from ..siteplan import site_plan_context
from .common import PAGE_SIZE, partner_view

SITE_PLAN_ZONE = "phase-1"


@partner_view
@require_GET
def project_list(request):
    page = Paginator(selectors.project_list_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for project in page.object_list:
        project.next_label = label_of(project.next_kind) if project.next_kind else ""
    return render(request, "tenants/portal/project_list.html", {"page": page})


@partner_view
@require_GET
def project_detail(request, pk: int):
    project = selectors.project_get_for(request.user, pk)
    return render(request, "tenants/portal/project_detail.html", {
        "project": project, "application": project.application,
        "milestones": selectors.project_milestones(project), "money": selectors.project_money(project),
    })


@partner_view
@require_GET
def land_view(request):
    """Zones and plots partners may see (area, utilities, status; never who holds a plot), with the
    phase-1 site plan drawn without tenant names, so a company can be matched to land before it is referred."""
    zones = selectors.partner_zones()
    plots = selectors.partner_plots(zones)
    by_zone = {zone.pk: [] for zone in zones}
    for plot in plots:
        by_zone[plot.zone_id].append(plot)
    plan_zone = next((z for z in zones if z.code == SITE_PLAN_ZONE), None)
    svg = ""
    if plan_zone is not None:
        context = site_plan_context(zone=plan_zone, for_partners=True)
        svg = mark_safe(render_to_string("tenants/site_plan.svg", context))  # our own template, autoescaped
    return render(request, "tenants/portal/land.html", {
        "zones": [(zone, by_zone[zone.pk]) for zone in zones], "svg": svg,
    })


@partner_view
@require_GET
def interest_list(request):
    page = Paginator(selectors.interest_list_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tenants/portal/interest_list.html", {"page": page})


@partner_view
@require_http_methods(["GET", "POST"])
def interest_create(request):
    form = InterestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            interest = services.interest_submit(
                actor=request.user, company_name=data["company_name"], company_country=data["company_country"], sector=data["sector"],
                investment_min=data["investment_min"], investment_max=data["investment_max"],
                investment_currency=data["investment_currency"], land_ha=data["land_ha"], timing=data["timing"],
                plot_ids=[p.pk for p in data["preferred_plots"]],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            raise
        else:
            messages.success(request, _("Expression of interest sent to KITB."))
            return redirect("tenants:interest_detail", interest.pk)
    return render(request, "tenants/portal/interest_form.html", {"form": form}, status=400 if request.method == "POST" else 200)


@partner_view
@require_GET
def interest_detail(request, pk: int):
    interest = selectors.interest_get_for(request.user, pk)
    return render(request, "tenants/portal/interest_detail.html", {
        "interest": interest, "preferred_plots": selectors.preferred_plots_of(interest=interest),
    })
