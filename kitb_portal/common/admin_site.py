"""The admin site: Django's, as the project's own class (wired by :class:`KitbAdminConfig` in
INSTALLED_APPS), so site-wide admin behaviour has one place to live."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from kitb_portal.accounts.second_factor import SecondFactorAdminSiteMixin


class KitbAdminSite(SecondFactorAdminSiteMixin, admin.AdminSite):
    """The admin site: Django's, with the second-factor rule (kitb_portal.accounts.second_factor)."""

    def get_app_list(self, request, app_label=None):
        """Django's list, in Django's order, sorted on the names as text: Django sorts the models on
        their lazy (translatable) names, which translates both names again at every comparison, some
        three hundred lookups on every admin page (the navigation sidebar lists every model)."""
        app_dict = self._build_app_dict(request, app_label)
        app_list = sorted(app_dict.values(), key=lambda x: x["name"].lower())
        for app in app_list:
            app["models"].sort(key=lambda x: str(x["name"]))
        return app_list


class KitbAdminConfig(AdminConfig):
    default_site = "kitb_portal.common.admin_site.KitbAdminSite"

    def ready(self):
        super().ready()  # autodiscover: every app's admin module has registered its models
        # Second-factor devices are their owner's alone: django-otp's admin pages would show another
        # person's TOTP key and QR code and recovery codes. Owners keep them on the two-factor pages.
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
        _speed_up_changelists(admin.site)


def _speed_up_changelists(site) -> None:
    """Every changelist of the site, where its admin keeps Django's default, gets the same page
    faster (kitb_portal.common.admin_tools): deep pages read their ids first
    (DeferredJoinPaginator), the row checkbox is one format_html (fast_action_checkbox), the row
    links need no URL resolve per row (FastRowLinkChangeList), a search's count stops at 1,000
    matches (search_bounded_get_paginator). A 100-row page spent about a third of its time on the
    checkbox and the links."""
    from types import MethodType

    from django.core.paginator import Paginator

    from kitb_portal.common.admin_tools import (
        DeferredJoinPaginator,
        FastRowLinkChangeList,
        fast_action_checkbox,
        search_bounded_get_paginator,
    )

    for model_admin in site._registry.values():
        cls = type(model_admin)
        if model_admin.paginator is Paginator:
            model_admin.paginator = DeferredJoinPaginator
        if cls.get_paginator is admin.ModelAdmin.get_paginator:
            model_admin.get_paginator = MethodType(search_bounded_get_paginator, model_admin)
        if cls.action_checkbox is admin.ModelAdmin.action_checkbox:
            model_admin.action_checkbox = MethodType(fast_action_checkbox, model_admin)
        if cls.get_changelist is admin.ModelAdmin.get_changelist:
            model_admin.get_changelist = MethodType(lambda self, request, **kwargs: FastRowLinkChangeList, model_admin)
