from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Tenants")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .schedules import on_post_migrate

        # After migrate (and after a test-database flush) the sweep and the settings row exist.
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="tenants_schedules")
