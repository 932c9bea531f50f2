"""URL wiring: the admin, the portal, the apps, health and i18n."""
from django.contrib import admin
from django.urls import include, path

from kitb_portal.accounts import views as account_views
from kitb_portal.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("kitb_portal.accounts.urls")),
    path("portal/", include("kitb_portal.accounts.portal_urls")),
    path("portal/mous/", include("partnerships.urls")),
    path("portal/events/", include("events.urls")),
    path("portal/applications/", include("tenants.urls")),
    path("events/", include("events.public_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz/", healthz, name="healthz"),
    path("", account_views.landing, name="home"),
]
