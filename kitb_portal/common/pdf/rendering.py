"""PDF rendering, the one way every app prints a document: an HTML template (or a whole HTML
document) printed by WeasyPrint.

Fonts: the templates ask for Noto Sans and Noto Sans CJK (Debian's ``fonts-noto-cjk``: Latin,
Indonesian and Hangul); WeasyPrint embeds the glyphs used as subsets, so the text can be searched and
copied. It needs Debian's Pango (``libpango-1.0-0``, ``libpangoft2-1.0-0``). Nothing is fetched while
printing (no file, no network): a document embeds what it shows.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template: str, context: dict, *, language: str = "en") -> bytes:
    """Render ``template`` in ``language`` and print it to PDF. The context also has ``LANGUAGE_CODE``
    and ``SITE_URL`` (links printed in a letter or certificate)."""
    with translation.override(language):
        html = render_to_string(template, {"LANGUAGE_CODE": language, "SITE_URL": settings.SITE_URL, **context})
    return html_to_pdf(html)


def html_to_pdf(html: str, *, stylesheets: tuple[Path, ...] = ()) -> bytes:
    """Print a whole HTML document to PDF, with the CSS files ``stylesheets`` added to its own styles."""
    from weasyprint import CSS, HTML

    sheets = [CSS(string=Path(path).read_text(encoding="utf-8")) for path in stylesheets]
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_no_fetch).write_pdf(stylesheets=sheets)


def _no_fetch(url, *args, **kwargs):
    """Documents embed everything they need: nothing is fetched (no file, no network)."""
    raise ValueError(f"not fetched: {url[:80]}")
