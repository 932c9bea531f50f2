"""The tenants app's search source (``settings.SEARCH_SOURCES``): applications and their companies.

It starts from :func:`selectors.application_list_for`, the scope of the application pages: staff
allowed to view applications see all; a partner only those their organisation referred. An
application is found by its company's name, registration number, contact, products, or by its
number (``#123``, the reference the pages show).
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kitb_portal.search.core import Hit, Query, Source, ranked

from . import selectors
from .models import Application
from .permissions import staff_may


class ApplicationSource(Source):
    key = "applications"
    label = _("Applications and companies")

    def available(self, user) -> bool:
        if not (user.is_authenticated and user.is_active):
            return False
        if user.is_staff:
            return staff_may(user, "tenants.view_application")
        return bool(user.organization_id)

    def search(self, user, query: Query, *, limit: int) -> list[Hit]:
        exact = Q(company_registration_number__iexact=query.text)
        also = None
        if query.number is not None:  # "#123": the application's number
            also = Q(pk=query.number)
            exact |= also
        rows = ranked(
            selectors.application_list_for(user), query, like=("company_name",),
            also=also, exact=exact, display=Application.objects.select_related("sector"), limit=limit,
        )
        return [
            Hit(
                title=f"{application.company_name} (#{application.pk})", rank=application.search_rank,
                url=reverse("admin:tenants_application_change", args=[application.pk]) if user.is_staff
                else reverse("tenants:application_detail", args=[application.pk]),
                detail=" · ".join(p for p in (
                    application.company_registration_number, application.company_country,
                    application.sector.name if application.sector_id else "",
                    str(application.get_status_display()),
                ) if p),
            )
            for application in rows
        ]


applications = ApplicationSource()
