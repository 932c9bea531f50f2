"""`make run PORT=18000`: the links in e-mails point at the port the portal serves, unless SITE_URL says otherwise."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_settings import database_url

pytestmark = pytest.mark.slow  # each test starts Python in a process of its own

BASE_DIR = Path(__file__).resolve().parent.parent

# What the e-mails put in front of every link: the invitation link and the unsubscribe link, as a
# freshly started process (gunicorn, the Celery worker) computes them from its environment.
SCRIPT = """
import django
django.setup()
from kitb_portal.accounts.services import invitation_url
from kitb_portal.notifications.tokens import unsubscribe_url
print(invitation_url("tok"))
print(unsubscribe_url(1, "digest", token="tok"))
"""


def links(**env_overrides) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT", "CSRF_TRUSTED_ORIGINS") and not k.startswith("PYTEST")}
    env.update(DJANGO_ENV="development", DJANGO_SETTINGS_MODULE="kitb_portal.settings", REDIS_URL=settings.REDIS_URL,
               DATABASE_URL=database_url(), **env_overrides)
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_email_links_follow_the_port_make_run_serves():
    invitation, unsubscribe = links(PORT="18000")
    assert invitation.startswith("http://127.0.0.1:18000/"), invitation
    assert unsubscribe.startswith("http://127.0.0.1:18000/"), unsubscribe


def test_email_links_default_to_port_8000():
    invitation, _ = links()
    assert invitation.startswith("http://127.0.0.1:8000/"), invitation


def test_site_url_wins_over_the_port():
    invitation, unsubscribe = links(PORT="18000", SITE_URL="https://portal.kitb.example/")
    assert invitation.startswith("https://portal.kitb.example/accounts/"), invitation
    assert unsubscribe.startswith("https://portal.kitb.example/"), unsubscribe


def test_make_run_gives_every_process_the_site_url_of_its_port(tmp_path, monkeypatch):
    from kitb_portal import devstack
    from kitb_portal.devstack.__main__ import served_environment

    monkeypatch.setattr(devstack, "BASE_DIR", tmp_path)  # no .env
    env = served_environment({"PORT": "18000", "PATH": "/usr/bin"})
    assert env["SITE_URL"] == "http://127.0.0.1:18000" and env["PORT"] == "18000" and env["PATH"] == "/usr/bin"
    assert served_environment({})["SITE_URL"] == "http://127.0.0.1:8000"
    assert served_environment({"PORT": "18000", "SITE_URL": "https://portal.kitb.example"})["SITE_URL"] == "https://portal.kitb.example"
    (tmp_path / ".env").write_text("# local\nSITE_URL=https://staging.kitb.example\n")
    assert "SITE_URL" not in served_environment({"PORT": "18000"})  # .env's SITE_URL is read by each process
