from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "kitb_portal.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        from .cached import connect

        connect()
