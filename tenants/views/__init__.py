"""Pages of the tenants app outside the admin (a package): the portal's application pages for
referrers (applications.py), the portal's pages of the journey around the screening (journey.py:
projects, land, expressions of interest), and the staff site-plan SVG (site_plan.py). Every view is
re-exported here, so ``from tenants import views; views.application_detail`` keeps working."""

from .applications import (
    application_create,
    application_detail,
    application_list,
    application_step,
    application_submit,
    application_withdraw,
    comment_add,
    document_download,
    document_upload,
)
from .common import PAGE_SIZE, partner_view
from .journey import interest_create, interest_detail, interest_list, land_view, project_detail, project_list
from .site_plan import site_plan_svg

__all__ = [
    "PAGE_SIZE", "application_create", "application_detail", "application_list", "application_step",
    "application_submit", "application_withdraw", "comment_add", "document_download", "document_upload",
    "interest_create", "interest_detail", "interest_list", "land_view", "partner_view", "project_detail",
    "project_list", "site_plan_svg",
]
