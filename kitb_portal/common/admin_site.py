"""The admin site: Django's, as the project's own class (wired by :class:`KitbAdminConfig` in
INSTALLED_APPS), so site-wide admin behaviour has one place to live."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.text import capfirst
from django.utils.translation import get_language

from kitb_portal.accounts.second_factor import SecondFactorAdminSiteMixin


class KitbAdminSite(SecondFactorAdminSiteMixin, admin.AdminSite):
    """The admin site: Django's, with the second-factor rule (kitb_portal.accounts.second_factor)."""

    def _build_app_dict(self, request, label=None):
        """Django's app dictionary (the same keys and values, see ``AdminSite._build_app_dict``), with
        each model's changelist, add and app URLs reversed once per URL configuration, script prefix
        and language instead of on every admin page: the navigation sidebar lists every model, which
        cost some seventy ``reverse()`` calls per page."""
        urls = self._admin_urls.setdefault((get_urlconf(), get_script_prefix(), get_language()), {})
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
            if model not in urls:
                urls[model] = self._reverse_model_urls(model)
            changelist_url, add_url, app_url = urls[model]
            model_dict = {
                "model": model,
                "name": capfirst(model._meta.verbose_name_plural),
                "object_name": model._meta.object_name,
                "perms": perms,
                "admin_url": None,
                "add_url": None,
            }
            if perms.get("change") or perms.get("view"):
                model_dict["view_only"] = not perms.get("change")
                model_dict["admin_url"] = changelist_url
            if perms.get("add"):
                model_dict["add_url"] = add_url
            if app_label in app_dict:
                app_dict[app_label]["models"].append(model_dict)
            else:
                app_dict[app_label] = {
                    "name": apps.get_app_config(app_label).verbose_name,
                    "app_label": app_label,
                    "app_url": app_url,
                    "has_module_perms": has_module_perms,
                    "models": [model_dict],
                }
        return app_dict

    @property
    def _admin_urls(self) -> dict:
        """{(urlconf, script prefix, language): {model: (changelist URL, add URL, app URL)}}."""
        return self.__dict__.setdefault("_admin_url_cache", {})

    def _reverse_model_urls(self, model) -> tuple[str | None, str | None, str]:
        app_label, model_name = model._meta.app_label, model._meta.model_name
        found = []
        for name in (f"admin:{app_label}_{model_name}_changelist", f"admin:{app_label}_{model_name}_add"):
            try:
                found.append(reverse(name, current_app=self.name))
            except NoReverseMatch:
                found.append(None)
        app_url = reverse("admin:app_list", kwargs={"app_label": app_label}, current_app=self.name)
        return found[0], found[1], app_url

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
    links need no URL resolve per row (FastRowLinkChangeList). A 100-row page spent about a third of
    its time on the checkbox and the links."""
    from types import MethodType

    from django.core.paginator import Paginator

    from kitb_portal.common.admin_tools import DeferredJoinPaginator, FastRowLinkChangeList, fast_action_checkbox

    for model_admin in site._registry.values():
        cls = type(model_admin)
        if model_admin.paginator is Paginator:
            model_admin.paginator = DeferredJoinPaginator
        if cls.action_checkbox is admin.ModelAdmin.action_checkbox:
            model_admin.action_checkbox = MethodType(fast_action_checkbox, model_admin)
        if cls.get_changelist is admin.ModelAdmin.get_changelist:
            model_admin.get_changelist = MethodType(lambda self, request, **kwargs: FastRowLinkChangeList, model_admin)
