"""Shared by the model modules: the languages the events app offers, and text in the viewer's language."""

from __future__ import annotations

from django.utils.translation import get_language

LANGUAGES = ("id", "ko", "en")


def _in_language(values: dict[str, str]) -> str:
    """The value in the active language, falling back to English, then the others."""
    lang = (get_language() or "en")[:2]
    return values.get(lang) or values.get("en") or values.get("id") or values.get("ko") or ""


class TitleInThreeLanguages:
    """``title`` and ``description`` in the viewer's language, for a model with ``title_id``/``_ko``/``_en``
    and ``description_id``/``_ko``/``_en`` (an event, a proposal of one); ``str()`` is the English title."""

    def __str__(self) -> str:
        return self.title_en

    @property
    def title(self) -> str:
        return _in_language({"id": self.title_id, "ko": self.title_ko, "en": self.title_en})

    @property
    def description(self) -> str:
        return _in_language({"id": self.description_id, "ko": self.description_ko, "en": self.description_en})
