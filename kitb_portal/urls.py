"""URL wiring: the admin, the portal, the apps, health and i18n."""
from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView

from events.api import views as event_api
from kitb_portal.accounts import views as account_views
from kitb_portal.accounts.api import views as account_api
from kitb_portal.api.docs import RedocDocsView, SwaggerDocsView
from kitb_portal.api.routers import ApiRouter
from kitb_portal.dashboard.views import admin_index
from kitb_portal.health import healthz
from kitb_portal.search import views as search_views
from partnerships.api import views as partnership_api
from tenants.api import views as tenant_api

admin.site.site_header = _("KITB Partnership Portal")
admin.site.site_title = _("KITB Partnership Portal")
admin.site.index_title = _("Dashboard")

# The REST API (/api/v1/): each app's viewsets, scoped by its selectors (README "API").
api_router = ApiRouter()
api_router.register("mous", partnership_api.MoUViewSet, basename="mou")
api_router.register("commitments", partnership_api.CommitmentViewSet, basename="commitment")
api_router.register("events", event_api.EventViewSet, basename="event")
api_router.register("sessions", event_api.SessionViewSet, basename="session")
api_router.register("registrations", event_api.RegistrationViewSet, basename="registration")
api_router.register("applications", tenant_api.ApplicationViewSet, basename="application")
api_router.register("zones", tenant_api.ZoneViewSet, basename="zone")
api_router.register("plots", tenant_api.PlotViewSet, basename="plot")
api_router.register("organisations", account_api.OrganizationViewSet, basename="organisation")
api_router.register("contacts", account_api.ContactViewSet, basename="contact")

urlpatterns = [
    path("api/v1/", include((api_router.urls, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SwaggerDocsView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/redoc/", RedocDocsView.as_view(url_name="api_schema"), name="api_redoc"),
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
