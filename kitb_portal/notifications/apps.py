from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "kitb_portal.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import secrets, tokens
        from .schedules import ensure_schedules_after_migrate

        # Unsubscribe links are made at delivery, never stored (secrets.py).
        secrets.register("unsubscribe", tokens.resolve_unsubscribe)

        # The outbox's beat schedules exist after every migrate and test-database flush.
        post_migrate.connect(ensure_schedules_after_migrate, sender=self, dispatch_uid="notifications_ensure_schedules")
