"""Who gets in and what they see: authentication and two factors, languages and time, static and
private files, e-mail, and the security headers."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .data import *

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
