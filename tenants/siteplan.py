"""The site plan of a zone (phase 1), drawn by the server as SVG: no map service is reachable.

Plots are a grid (their ``grid_row`` / ``grid_col``; plots without a position follow, six a row),
each labelled with its code, area and a status letter, and filled with a colour AND a pattern, so
the legend does not rely on colour alone.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import selectors
from .models import PlotStatus

CELL_W, CELL_H, GAP, MARGIN, HEADER, LEGEND_H = 150, 92, 8, 20, 56, 70
PER_ROW_FALLBACK = 6

STYLES = {
    PlotStatus.AVAILABLE: {"letter": "A", "fill": "#d8f3dc", "pattern": "", "stroke": "#2d6a4f"},
    PlotStatus.RESERVED: {"letter": "R", "fill": "#ffe8a3", "pattern": "hatch", "stroke": "#8a5a00"},
    PlotStatus.ALLOCATED: {"letter": "X", "fill": "#c6dcff", "pattern": "cross", "stroke": "#1d3f8a"},
}


def site_plan_context(zone_code: str = "phase-1", *, zone=None, for_partners: bool = False) -> dict | None:
    """What the site plan template draws, for the zone ``zone_code`` (or the ``zone`` the caller has).

    ``for_partners``: without tenant names and without the plots of internal zones."""
    zone = zone if zone is not None else selectors.site_plan_zone(zone_code)
    if zone is None:
        return None
    plots = selectors.site_plan_plots(zone, for_partners=for_partners)
    positioned = [p for p in plots if p.grid_row is not None and p.grid_col is not None]
    loose = [p for p in plots if p.grid_row is None or p.grid_col is None]
    next_row = max((p.grid_row for p in positioned), default=-1) + 1
    cells = []
    for plot in positioned:
        cells.append((plot.grid_row, plot.grid_col, plot))
    for i, plot in enumerate(loose):
        cells.append((next_row + i // PER_ROW_FALLBACK, i % PER_ROW_FALLBACK, plot))
    rows = max((r for r, _c, _p in cells), default=0) + 1
    cols = max((c for _r, c, _p in cells), default=PER_ROW_FALLBACK - 1) + 1
    width = MARGIN * 2 + cols * CELL_W + (cols - 1) * GAP
    grid_h = rows * CELL_H + (rows - 1) * GAP
    counts = {s: 0 for s in PlotStatus.values}
    area = {s: 0 for s in PlotStatus.values}
    drawn = []
    for row, col, plot in sorted(cells, key=lambda t: (t[0], t[1])):
        style = STYLES[plot.status]
        counts[plot.status] += 1
        area[plot.status] += plot.area_ha
        x = MARGIN + col * (CELL_W + GAP)
        y = HEADER + row * (CELL_H + GAP)
        drawn.append({
            "plot": plot, "x": x, "y": y, "w": CELL_W, "h": CELL_H, "cx": x + CELL_W // 2,
            "style": style, "status_label": plot.get_status_display(), "holder": getattr(plot, "holder", None) or "",
        })
    legend_y = HEADER + grid_h + 24
    legend = []
    for i, status in enumerate(PlotStatus.values):
        legend.append({
            "x": MARGIN + i * 240, "y": legend_y, "style": STYLES[status], "label": PlotStatus(status).label,
            "count": counts[status], "area": area[status],
        })
    return {
        "zone": zone, "cells": drawn, "legend": legend, "width": width, "height": legend_y + LEGEND_H,
        "title": _("Site plan of %(zone)s") % {"zone": zone.name},
        "total_area": sum(p.area_ha for p in plots), "plot_count": len(plots),
    }
