"""The site plan of a zone drawn by the server as SVG, for staff who may view the land (the admin's
land pages link it; the portal's land page draws the partners' version itself)."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from ..permissions import can_view_land
from ..siteplan import site_plan_context


@staff_member_required
@require_GET
def site_plan_svg(request, zone_code: str = "phase-1"):
    """The site plan of a zone drawn by the server as SVG (staff only)."""
    if not can_view_land(request.user):
        raise PermissionDenied
    context = site_plan_context(zone_code)
    if context is None:
        raise Http404
    svg = render_to_string("tenants/site_plan.svg", context, request=request)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="site-plan-{zone_code}.svg"'
    return response
