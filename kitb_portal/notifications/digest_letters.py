"""The digest's letters: each person's e-mail drawn from the sections composed for them, with as
little rendering per person as the content allows (see :class:`Renderer`). Used by ``digest.py``.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _

from . import kinds, secrets
from .rendering import envelope_for, render_subject, render_with_footer

if TYPE_CHECKING:
    from .digest import DigestItem, DigestSection, DueDigest


def site_url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def zone_of(name: str, cache: dict) -> dt.tzinfo:
    """A person's time zone (the site's when theirs is unknown), looked up once per name."""
    if name not in cache:
        try:
            cache[name] = zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            cache[name] = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return cache[name]


@dataclass
class _RenderedGroup:
    """A group of a section as its template shows it: the title and the items' lines, joined."""

    title: object
    more: int = 0
    lines_text: str = ""
    lines_html: str = ""

    @property
    def items(self) -> bool:
        return bool(self.lines_text)


class Renderer:
    """Renders digests; the sections' part is rendered once per (sections, language, audience) and
    shared by everyone who gets the same sections (the sections share their objects)."""

    def __init__(self, template: str):
        self.template = template
        self.fragments: dict[tuple, tuple[str, str]] = {}
        self.section_fragments: dict[tuple, tuple[str, str]] = {}
        self.item_fragments: dict[tuple, tuple[str, str]] = {}
        self.kept: list = []  # what the ids in the keys above belong to, alive for as long as they are keys
        self.zones: dict = {}
        self.letters: dict[tuple, tuple[str, str]] = {}
        self.subjects: dict[tuple, str] = {}

    def sections(self, sections: list[DigestSection], language: str) -> tuple[str, str]:
        """The sections' part: each section rendered once per language, whoever else gets it (a partner's
        digest shares its organisation's MoU section, the open events, ... with others), then joined."""
        key = (tuple(id(s) for s in sections), language)
        if key not in self.fragments:
            parts = [self.section(s, language) for s in sections]
            self.fragments[key] = ("".join(p[0] for p in parts), "".join(p[1] for p in parts))
        return self.fragments[key]

    def section(self, section: DigestSection, language: str) -> tuple[str, str]:
        key = (id(section), language)
        if key not in self.section_fragments:
            with translation.override(language):
                groups = []
                for group in section.groups:
                    lines = [self.item(item, language) for item in group.items]
                    groups.append(_RenderedGroup(group.title, group.more, "".join(t for t, _h in lines), "".join(h for _t, h in lines)))
                context = {"section": section, "groups": groups, "SITE_URL": settings.SITE_URL, "LANGUAGE_CODE": language}
                self.section_fragments[key] = (
                    render_to_string(f"{self.template}_sections.txt", context),
                    render_to_string(f"{self.template}_sections.html", context),
                )
            self.kept.append(section)  # alive as long as its id is a key
        return self.section_fragments[key]

    def item(self, item: DigestItem, language: str) -> tuple[str, str]:
        """One item's line, text and HTML, made once per language (sections share their item objects:
        the open events of a partner's digest, an event's line among the staff's). A line is small
        and made thousands of times a build, so it is formatted here (``format_html`` escapes)
        rather than by a template."""
        key = (id(item), language)
        if key not in self.item_fragments:
            text, detail, url = str(item.text), str(item.detail) if item.detail else "", item.url
            new = str(_("new")) if item.new else ""
            line_text = "- " + (f"[{new}] " if new else "") + text + (f" — {detail}" if detail else "") + (f"\n  {url}" if url else "") + "\n"
            line_html = format_html(
                "<li>{}{}{}</li>\n",
                format_html('<strong style="color: #b54708;">{}</strong> ', new) if new else "",
                format_html('<a href="{}">{}</a>', url, text) if url else text,
                format_html(" — {}", detail) if detail else "",
            )
            self.item_fragments[key] = (line_text, line_html)
            self.kept.append(item)
        return self.item_fragments[key]

    def message(self, due: DueDigest, sections: list[DigestSection]) -> tuple[str, str, str, str, dict, dict]:
        """(language, subject, text, html, headers, secret_refs) of one person's digest.

        The letter around the sections is the same for everyone who shares the language, the
        frequency and the home page; only the name, the start of the window and the sections
        differ. So it is rendered once per such group with markers in their place, and each
        person's copy is that letter with their parts put in, in one pass (escaped in the HTML
        part), so nothing put in is read for markers again. The subject depends on the count of
        new items only.
        """
        envelope = envelope_for(recipient=due.user, kind=kinds.DIGEST, mandatory=False, preferences=due.preferences)
        language = envelope.language
        new_count = sum(s.new_count for s in sections)
        text_part, html_part = self.sections(sections, language)
        home_url = site_url("admin:index" if due.user.is_staff else "portal:home")
        footer = tuple(sorted((k, None if isinstance(v, secrets.SecretRef) else str(v)) for k, v in envelope.context.items()))
        key = (language, due.frequency, home_url, footer)
        if key not in self.letters:
            self.letters[key] = self._letter(due, envelope, home_url)
        text, html = self.letters[key]
        subject = self.subject(language, due.frequency, new_count)
        _context, refs = secrets.extract(envelope.context)  # this person's links, made at delivery
        refs.update(envelope.secret_refs)
        name = due.user.full_name or due.user.email
        with translation.override(language):
            since = formats.date_format(timezone.localtime(due.since, zone_of(due.user.time_zone, self.zones)), "DATETIME_FORMAT")
        text = _fill(text, {"recipient-name": name, "since": since, "sections": text_part})
        html = _fill(html, {"recipient-name": escape(name), "since": escape(since), "sections": html_part})
        return language, subject, text, html, envelope.headers, refs

    def subject(self, language: str, frequency: str, new_count: int) -> str:
        key = (language, frequency, new_count)
        if key not in self.subjects:
            self.subjects[key] = render_subject(self.template, {"frequency": frequency, "new_count": new_count}, language)
        return self.subjects[key]

    def _letter(self, due: DueDigest, envelope, home_url: str) -> tuple[str, str]:
        context = {
            "recipient_name": _mark("recipient-name"),
            "since_display": _mark("since"),
            "frequency": due.frequency,
            "new_count": 0,  # the subject is rendered on its own (Renderer.subject)
            "sections_text": _mark("sections"),
            "sections_html": _mark("sections"),
            "home_url": home_url,
        }
        _subject, text, html, _refs = render_with_footer(self.template, context, envelope)
        return text, html


# Stand-ins for the per-person parts of a shared letter: plain ASCII that escaping leaves alone.
def _mark(name: str) -> str:
    return f"[[digest:{name}]]"


_MARKS = re.compile(r"\[\[digest:(recipient-name|since|sections)\]\]")


def _fill(letter: str, parts: dict[str, str]) -> str:
    return _MARKS.sub(lambda m: parts[m.group(1)], letter)


