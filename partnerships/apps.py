from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .schedules import ensure_schedule_after_migrate

        # The reminders sweep's beat schedule exists after every migrate and test-database flush.
        post_migrate.connect(ensure_schedule_after_migrate, sender=self, dispatch_uid="partnerships_ensure_schedule")
