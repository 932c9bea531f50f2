"""A composed pack as HTML (a fragment the admin, the portal and the PDF embed), PDF and XLSX.

PDF: the same HTML in a standalone document with ``static/reports/pack.css`` and ``pack_print.css``,
printed by the portal's one PDF renderer (``kitb_portal.common.pdf``: WeasyPrint, Noto fonts embedded).
"""

from __future__ import annotations

import io
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

from kitb_portal.common.pdf import html_to_pdf
from kitb_portal.jobs.formats import neutralise_formula as safe_cell

from .compose import Pack

CSS_PATH = Path(__file__).resolve().parent / "static" / "reports" / "pack.css"
PDF_CSS_PATH = Path(__file__).resolve().parent / "static" / "reports" / "pack_print.css"


def render_html(pack: Pack, *, title: str, subtitle: str, narrative: dict | None, language: str, version_label: str = "") -> str:
    """The pack's body (a fragment) in ``language``."""
    with translation.override(language):
        return render_to_string("reports/_pack_body.html", {
            "pack": pack, "ctx": pack.ctx, "title": title, "subtitle": subtitle, "narrative": narrative or {},
            "version_label": version_label, "language": language,
        })


def render_document(body_html: str, *, title: str, language: str) -> str:
    """A standalone HTML document around a body (what WeasyPrint prints)."""
    return render_to_string("reports/pack_document.html", {"body": body_html, "title": title, "language": language})


def render_pdf(body_html: str, *, title: str, language: str) -> bytes:
    document = render_document(body_html, title=title, language=language)
    return html_to_pdf(document, stylesheets=(CSS_PATH, PDF_CSS_PATH))


def render_xlsx(pack: Pack, *, title: str, language: str) -> bytes:
    """One sheet per table of the pack (chart tables included): the figures behind every table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "Pack"
    with translation.override(language):
        sheet.append([safe_cell(title)])
        sheet["A1"].font = Font(bold=True)
        used = {"Pack"}
        for i, (section_title, table) in enumerate(pack.tables(), start=1):
            name = f"{i:02d} {table.caption}"[:31]
            for bad in "[]:*?/\\":
                name = name.replace(bad, " ")
            while name in used:
                name = name[:28] + f"{i:03d}"
            used.add(name)
            ws = workbook.create_sheet(name)
            ws.append([safe_cell(section_title)])
            ws.append([safe_cell(table.caption)])
            ws.append([safe_cell(c) for c in table.columns])
            for row in table.rows:
                ws.append([_value(c) for c in row])
            if table.foot:
                ws.append([_value(c) for c in table.foot])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _value(cell):
    """Numbers as numbers (the figure behind the formatted text), text made formula-safe."""
    raw = getattr(cell, "raw", None)
    if raw is not None:
        return float(raw) if not isinstance(raw, int) else raw
    return safe_cell(cell.text)
