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

from . import selectors, services
from .milestones import BY_CODE
from .views import PAGE_SIZE, _error_text, partner_view


@partner_view
@require_GET
def project_list(request):
    page = Paginator(selectors.project_list_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for project in page.object_list:
        project.next_label = BY_CODE[project.next_kind].label if project.next_kind in BY_CODE else ""
    return render(request, "tenants/portal/project_list.html", {"page": page})


@partner_view
@require_GET
def project_detail(request, pk: int):
    project = selectors.project_get_for(request.user, pk)
    return render(request, "tenants/portal/project_detail.html", {
        "project": project, "application": project.application,
        "milestones": selectors.project_milestones(project), "money": selectors.project_money(project),
    })
