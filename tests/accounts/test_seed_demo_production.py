"""`manage.py seed_demo` refuses to run in production: it makes accounts with a known password."""
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kitb_portal.accounts.models import Organization, User

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_seed_demo_refuses_in_production_settings(settings):
    settings.DJANGO_ENV = "production"
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="DJANGO_ENV=production"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists() and not Organization.objects.filter(is_host=True).exists()


@pytest.mark.slow  # starts manage.py in a process of its own
def test_manage_py_seed_demo_with_django_env_production_exits_non_zero_with_one_line():
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_ENV": "production",
        "SECRET_KEY": "production-test-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF",
        "ALLOWED_HOSTS": "portal.example",
        "SITE_URL": "https://portal.example",
        "DATABASE_URL": "postgres://nobody:nothing@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "refuses to run with DJANGO_ENV=production" in lines[0], result.stderr
