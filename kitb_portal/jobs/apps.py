from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "kitb_portal.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .schedules import ensure_schedules_after_migrate

        # The jobs sweep's beat schedule exists after every migrate and test-database flush.
        post_migrate.connect(ensure_schedules_after_migrate, sender=self, dispatch_uid="jobs_ensure_schedules")
