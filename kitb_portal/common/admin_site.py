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
