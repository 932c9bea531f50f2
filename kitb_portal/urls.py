"""URL wiring: the admin, the portal, the apps, health and i18n."""
from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from kitb_portal.accounts import views as account_views
from kitb_portal.dashboard.views import admin_index
from kitb_portal.health import healthz
from kitb_portal.search import views as search_views

admin.site.site_header = _("KITB Partnership Portal")
admin.site.site_title = _("KITB Partnership Portal")
admin.site.index_title = _("Dashboard")

urlpatterns = [
    # The admin index with the staff dashboard (same login and staff check as the admin's own views).
    path("admin/", admin.site.admin_view(admin_index), name="admin_dashboard"),
    # Search across records: staff in the admin (its login and staff check), partners in the portal.
    path("admin/search/", admin.site.admin_view(search_views.admin_search), name="admin_search"),
    path("admin/", admin.site.urls),
    path("accounts/", include("kitb_portal.accounts.urls")),
    path("accounts/two-factor/", include("kitb_portal.accounts.second_factor_urls")),
    path("portal/search/", search_views.portal_search, name="portal_search"),
    path("portal/", include("kitb_portal.accounts.portal_urls")),
    path("portal/mous/", include("partnerships.urls")),
    path("portal/events/", include("events.urls")),
    path("portal/applications/", include("tenants.urls")),
    path("events/", include("events.public_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz/", healthz, name="healthz"),
    path("", account_views.landing, name="home"),
]

if settings.BENCH_VIEW:  # the ceiling of this stack for `make bench`: no session, no template, no SQL
    urlpatterns.append(path("bench/ok/", lambda request: HttpResponse("ok", content_type="text/plain"), name="bench_ok"))
