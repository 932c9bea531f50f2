"""The API's browsable docs (/api/docs/ Swagger UI, /api/redoc/ Redoc), from our own static files.

drf-spectacular-sidecar ships Swagger UI and Redoc; whitenoise serves them. The pages have no
inline script or style (the CSP forbids them): Swagger UI starts from ``static/api/swagger-init.js``."""
from __future__ import annotations

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


class RedocDocsView(SpectacularRedocView):
    template_name = "api/redoc.html"
