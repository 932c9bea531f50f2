"""Settings in production mode: refuse unsafe defaults, and pass Django's deployment checks."""
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow  # each test starts manage.py or Python in a process of its own

BASE_DIR = Path(__file__).resolve().parent.parent
CONFIG_VARS = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "DEBUG", "SITE_URL", "CSRF_TRUSTED_ORIGINS",
               "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "BEHIND_PROXY")


def manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS and not k.startswith("PYTEST")}
    env.update(DJANGO_ENV="production", **env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def database_url() -> str:
    """A URL for the running (embedded or configured) PostgreSQL server."""
    db = settings.DATABASES["default"]
    host = db["HOST"]
    if host.startswith("/"):
        return f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@{quote(host, safe='')}:{db['PORT']}/{db['NAME']}"
    return f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@{host}:{db['PORT']}/{db['NAME']}"


def test_production_without_secret_key_stops_with_one_line():
    result = manage("check")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["Configuration error: SECRET_KEY must be set when DJANGO_ENV=production."], result.stderr


def test_production_without_allowed_hosts_stops_with_one_line():
    result = manage("check", SECRET_KEY=secrets.token_urlsafe(48))
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["Configuration error: ALLOWED_HOSTS must be set when DJANGO_ENV=production."], result.stderr


@pytest.mark.django_db
def test_production_passes_the_deployment_checks():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY=secrets.token_urlsafe(48)[:64].ljust(64, "k"),
        ALLOWED_HOSTS="portal.kitb.example",
        SITE_URL="https://portal.kitb.example",
        DATABASE_URL=database_url(),
        REDIS_URL=settings.REDIS_URL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_values():
    """The same production process reports the security settings the deployment relies on."""
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY, s.AXES_CLIENT_IP_CALLABLE)"
    )
    result = manage(
        "shell", "-v", "0", "-c", code,
        SECRET_KEY=secrets.token_urlsafe(48), ALLOWED_HOSTS="portal.kitb.example",
        DATABASE_URL=database_url(), REDIS_URL=settings.REDIS_URL,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False", "True", "True", "True", "31536000", "DENY", "same-origin", "kitb_portal.accounts.security.axes_client_ip",
    ]
