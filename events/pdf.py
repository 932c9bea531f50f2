"""PDF rendering, kept thin: an HTML template → WeasyPrint → bytes. The core ``kitb_portal/reports``
package (another branch) may take this over; only :func:`render_pdf` is called from outside."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template: str, context: dict, *, language: str = "en") -> bytes:
    """Render ``template`` in ``language`` and print it to PDF (fonts: Noto, with CJK for Korean)."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template, {"LANGUAGE_CODE": language, "SITE_URL": settings.SITE_URL, **context})
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url, *args, **kwargs):
    """Documents embed everything they need: nothing is fetched (no file, no network)."""
    raise ValueError(f"not fetched: {url[:80]}")
