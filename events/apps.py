from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from .schedules import on_post_migrate

        # After migrate (and after a test-database flush) the sweeps' schedules exist.
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="events_schedules")

        # A guest's registration links are made at delivery, never stored in the outbox.
        from kitb_portal.notifications import secrets

        from . import links

        secrets.register(links.GUEST_LINK, links.resolve_guest_link)
