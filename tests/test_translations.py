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


@pytest.mark.slow  # makemessages runs xgettext over the whole tree
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


# --- third-party admin strings ------------------------------------------------------------------
# The installed apps whose screens KITB staff use in the admin. Their msgids are extracted from the
# installed source (as makemessages would for them); each must be translated for id and ko by the
# package's own compiled catalogue or by ours in locale_vendor/ (which Django reads before the
# package's, LOCALE_PATHS winning over app catalogues).
VENDOR_APPS = ["axes", "django_celery_beat", "simple_history", "import_export"]
VENDOR_LOCALE = Path(settings.BASE_DIR) / "locale_vendor"


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _extract(app: str, tmp_path: Path, monkeypatch) -> Path:
    """The package's msgids as a .po for each of LANGS (empty msgstrs), under tmp_path/app/locale."""
    import importlib

    package = Path(importlib.import_module(app).__file__).parent
    src = tmp_path / app
    shutil.copytree(package, src, ignore=shutil.ignore_patterns("locale", "tests", "migrations", "__pycache__"))
    (src / "locale").mkdir()
    monkeypatch.chdir(src)
    monkeypatch.setattr(settings, "LOCALE_PATHS", [src / "locale"])
    call_command("makemessages", locale=LANGS, extensions=["html", "txt", "py"], verbosity=0, no_obsolete=True)
    return src / "locale"


def _known(app: str, lang: str, work: Path) -> Path:
    """What Django will find for this app in ``lang``: locale_vendor's entries first, then the
    package's own compiled ones (untranslated and fuzzy entries dropped, as msgfmt drops them)."""
    import importlib

    parts = []
    ours = VENDOR_LOCALE / lang / "LC_MESSAGES" / "django.po"
    if ours.exists():
        parts.append(ours)
    mo = Path(importlib.import_module(app).__file__).parent / "locale" / lang / "LC_MESSAGES" / "django.mo"
    if mo.exists():
        theirs = work / f"{app}-{lang}-own.po"
        _run("msgunfmt", "-o", str(theirs), str(mo))
        parts.append(theirs)
    cleaned = []
    for i, po in enumerate(parts):
        out = work / f"{app}-{lang}-{i}.po"
        _run("msgattrib", "--translated", "--no-fuzzy", "-o", str(out), str(po))
        cleaned.append(str(out))
    known = work / f"{app}-{lang}-known.po"
    if cleaned:
        _run("msgcat", "--use-first", "-o", str(known), *cleaned)
    else:
        known.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n', encoding="utf-8")
    return known


def _copied_english(po_text: str) -> list[str]:
    """Entries whose "translation" is the English msgid again (django-celery-beat's Korean has many):
    Korean is never spelt in Latin letters, so these are English on the screen."""
    import re

    copies, msgid = [], None
    for line in po_text.splitlines():
        if line.startswith("msgid "):
            msgid = line[len("msgid "):]
        elif line.startswith("msgstr ") and msgid and msgid != '""':
            if line[len("msgstr "):] == msgid and re.search(r"[a-z]{2}", msgid):
                copies.append(f"msgid {msgid} (left in English)")
            msgid = None
    return copies


def vendor_untranslated(tmp_path: Path, monkeypatch) -> dict[str, list[str]]:
    """{"<app> <lang>": [msgid, ...]} of third-party admin strings Django would show in English."""
    missing = {}
    for app in VENDOR_APPS:
        extracted = _extract(app, tmp_path, monkeypatch)
        for lang in LANGS:
            pot = extracted / lang / "LC_MESSAGES" / "django.po"
            if not pot.exists():  # the package has no translatable string
                continue
            merged = tmp_path / f"{app}-{lang}-merged.po"
            _run("msgmerge", "--quiet", "--no-fuzzy-matching", "-o", str(merged), str(_known(app, lang, tmp_path)), str(pot))
            found = _entries(merged, "--untranslated")
            msgids = [line for line in found.splitlines() if line.startswith(("msgid ", "msgctxt ")) and line != 'msgid ""']
            if lang == "ko":
                msgids += _copied_english(_entries(merged, "--translated"))
            if msgids:
                missing[f"{app} {lang}"] = msgids
    return missing


@pytest.mark.slow  # makemessages over the vendor apps
def test_third_party_admin_strings_are_translated(tmp_path, monkeypatch):
    assert shutil.which("msgunfmt") and shutil.which("msgmerge"), "needs GNU gettext (Debian: apt-get install gettext)"
    missing = vendor_untranslated(tmp_path, monkeypatch)
    assert not missing, "\n".join(
        f"{where}: {len(ids)} untranslated:\n  " + "\n  ".join(ids[:40]) for where, ids in missing.items()
    ) + "\n(translate them in locale_vendor/<lang>/LC_MESSAGES/django.po)"


def test_vendor_catalogues_have_no_fuzzy_entry():
    for lang in LANGS:
        po = VENDOR_LOCALE / lang / "LC_MESSAGES" / "django.po"
        assert po.exists(), f"no {po}"
        assert 'msgid "' not in _entries(po, "--only-fuzzy"), f"fuzzy entries in {po}"
