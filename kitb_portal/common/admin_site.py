"""The admin site: Django's, as the project's own class (wired by :class:`KitbAdminConfig` in
INSTALLED_APPS), so site-wide admin behaviour has one place to live."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from kitb_portal.accounts.second_factor import SecondFactorAdminSiteMixin


class KitbAdminSite(SecondFactorAdminSiteMixin, admin.AdminSite):
    """The admin site: Django's, with the second-factor rule (kitb_portal.accounts.second_factor)."""


class KitbAdminConfig(AdminConfig):
    default_site = "kitb_portal.common.admin_site.KitbAdminSite"
