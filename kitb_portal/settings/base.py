"""The ground every other settings module stands on: the environment, the mode (development or
production), the paths, the installed apps, middleware and templates."""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

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
    # After the apps whose dashboard sections it keeps (kitb_portal/dashboard/cached.py).
    "kitb_portal.dashboard",
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
            # Tag libraries of modules that are no installed app: widget attributes and select options
            # (forms/widgets/), the admin's navigation sidebar and app list (admin/nav_sidebar.html, app_list.html)
            # and changelist rows and filters (admin/change_list.html, admin/filter.html), written in Python.
            "libraries": {
                "admin_rows": "kitb_portal.common.templatetags.admin_rows",
                "kitb_widgets": "kitb_portal.common.templatetags.widgets",
                "admin_nav": "kitb_portal.common.templatetags.admin_nav",
            },
        },
    },
]
# Form widgets render through the templates above, so templates/django/forms/widgets/ can replace
# Django's own (select.html: options written by one tag, not one included template per option); the
# renderer writes inputs, textareas and selects in Python, as those templates do.
FORM_RENDERER = "kitb_portal.common.widget_renderer.WidgetRenderer"
