"""Shared by the model modules: the languages the events app offers, and text in the viewer's language."""

from __future__ import annotations

from django.utils.translation import get_language

LANGUAGES = ("id", "ko", "en")


def _in_language(values: dict[str, str]) -> str:
    """The value in the active language, falling back to English, then the others."""
    lang = (get_language() or "en")[:2]
    return values.get(lang) or values.get("en") or values.get("id") or values.get("ko") or ""
