"""Indonesian and Korean are complete: makemessages finds no untranslated or fuzzy entry.

makemessages runs in a copy of the source tree with its catalogues (makemessages writes beside the
sources it reads, so the real catalogues must not be in reach), over the same sources as
`make messages`, and gettext's msgattrib lists what is missing.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LANGS = ["id", "ko"]
IGNORE = [".venv", ".data", "node_modules", "tests", "test-results", "bench-results", ".git"]


def _entries(po: Path, flag: str) -> str:
    return subprocess.run(["msgattrib", flag, "--no-wrap", str(po)], check=True, capture_output=True, text=True).stdout


def test_makemessages_finds_nothing_untranslated_or_fuzzy(tmp_path, monkeypatch):
    assert shutil.which("xgettext") and shutil.which("msgattrib"), "needs GNU gettext (Debian: apt-get install gettext)"
    src = tmp_path / "src"
    shutil.copytree(settings.BASE_DIR, src, ignore=shutil.ignore_patterns(*IGNORE, "__pycache__", "*.mo"))
    locale = src / "locale"
    monkeypatch.chdir(src)
    monkeypatch.setattr(settings, "LOCALE_PATHS", [locale])
    call_command("makemessages", locale=LANGS, extensions=["html", "txt", "py", "svg"], ignore_patterns=IGNORE, verbosity=0, no_obsolete=True)
    problems = []
    for lang in LANGS:
        po = locale / lang / "LC_MESSAGES" / "django.po"
        assert po.exists(), f"no catalogue for {lang}"
        for flag, what in (("--untranslated", "untranslated"), ("--only-fuzzy", "fuzzy")):
            found = _entries(po, flag)
            msgids = [line for line in found.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
            if msgids:
                problems.append(f"{lang}: {len(msgids)} {what}:\n  " + "\n  ".join(msgids[:30]))
    assert not problems, "\n".join(problems) + "\n(run `make messages` and translate them)"


@pytest.mark.django_db
def test_korean_partner_sees_korean_after_logging_in(client, partner_a):
    partner_a.preferred_language = "ko"
    partner_a.save(update_fields=["preferred_language"])
    response = client.post("/accounts/login/", {"username": partner_a.email, "password": "correct-horse-battery-staple"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and '<html lang="ko"' in page
    assert "행사" in page  # "Events" in the navigation
