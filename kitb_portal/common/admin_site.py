"""The admin site: Django's, as the project's own class (wired by :class:`KitbAdminConfig` in
INSTALLED_APPS), so site-wide admin behaviour has one place to live."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import reverse
from django.utils.text import capfirst

from kitb_portal.accounts.second_factor import SecondFactorAdminSiteMixin


class KitbAdminSite(SecondFactorAdminSiteMixin, admin.AdminSite):
    """The admin site: Django's, with the second-factor rule (kitb_portal.accounts.second_factor)."""

    def _build_app_dict(self, request, label=None):
        """Django's app dictionary (the same entries, permissions asked the same way), with the URLs
        written the way Django's admin URLconf writes them (``AdminSite.get_urls``: ``<app_label>/``;
        ``ModelAdmin.get_urls``: ``<app_label>/<model_name>/`` and its ``add/``) under the one
        reversed admin root, where Django reverses each: some ninety ``reverse()`` calls, a tenth of
        every admin page's time (the navigation sidebar lists every model). Every model admin of the
        project keeps Django's URLs (its own ``get_urls`` adds to them); ``tests/common/
        test_admin_nav.py`` holds the result equal to Django's for each staff role."""
        root = reverse("admin:index", current_app=self.name)
        app_dict = {}
        for model, model_admin in self._registry.items():
            app_label = model._meta.app_label
            if label and app_label != label:
                continue
            has_module_perms = model_admin.has_module_permission(request)
            if not has_module_perms:
                continue
            perms = model_admin.get_model_perms(request)
            if True not in perms.values():
                continue
            model_url = f"{root}{app_label}/{model._meta.model_name}/"
            model_dict = {
                "model": model,
                "name": capfirst(str(model._meta.verbose_name_plural)),  # translated once, not per use
                "object_name": model._meta.object_name,
                "perms": perms,
                "admin_url": None,
                "add_url": None,
            }
            if perms.get("change") or perms.get("view"):
                model_dict["view_only"] = not perms.get("change")
                model_dict["admin_url"] = model_url
            if perms.get("add"):
                model_dict["add_url"] = f"{model_url}add/"
            if app_label in app_dict:
                app_dict[app_label]["models"].append(model_dict)
            else:
                app_dict[app_label] = {
                    "name": str(apps.get_app_config(app_label).verbose_name),
                    "app_label": app_label,
                    "app_url": f"{root}{app_label}/",
                    "has_module_perms": has_module_perms,
                    "models": [model_dict],
                }
        return app_dict

    def get_app_list(self, request, app_label=None):
        """Django's list in Django's order. The names are already text (``_build_app_dict``): Django
        sorts on the lazy names, which translates both again at every comparison, some three hundred
        lookups on every admin page."""
        app_list = sorted(self._build_app_dict(request, app_label).values(), key=lambda x: x["name"].lower())
        for app in app_list:
            app["models"].sort(key=lambda x: x["name"])
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
