"""Charts drawn by the server as SVG, each with its numbers as a data table.

No charting library and no script: the SVG is markup the page embeds (CSP-safe: presentation
attributes only, never a ``style`` attribute or element). Every chart

* carries a ``<title>`` and a ``<desc>`` (``role="img"``, ``aria-labelledby``);
* writes its labels and values as text next to or on the bars, so nothing needs a tooltip;
* gives each series of a stacked bar a pattern as well as a colour, plus a legend and direct
  value labels, so colour is never the only carrier of meaning;
* scales with its ``viewBox`` (the page's CSS gives the SVG ``width: 100%; height: auto``);
* comes with a :class:`DataTable` of the same numbers (with links to the lists behind them) that
  the template renders under the chart.

The figures in the SVG are not links (a link inside ``role="img"`` is hidden from assistive
technology); the table's cells are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

# viewBox width. The SVG scales to its container: about 330 px on a 375-px phone, so 14-unit text
# stays near 13 px there, and about 440-520 px in a dashboard panel on a desktop.
WIDTH = 360
PAD = 8
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
INK = "#111827"
MUTED = "#4b5563"
TRACK = "#eef1f5"
BAR = "#1d4e89"


@dataclass(frozen=True)
class Fill:
    """How one series is painted: a base colour and a pattern drawn over it in ``ink``."""

    color: str
    pattern: str = "solid"  # solid | hatch | dots | cross | vertical
    ink: str = INK


# Series fills in order: each differs from the others by its pattern too, not only its colour.
PALETTE = [
    Fill("#1d4e89", "solid"),
    Fill("#f6c85f", "hatch", "#6b4700"),
    Fill("#d9ead3", "dots", "#2d6a4f"),
    Fill("#e5e7eb", "cross", "#374151"),
    Fill("#f4b6c2", "vertical", "#7a1f35"),
]


# --- numbers ----------------------------------------------------------------------------------
def fmt_number(value, decimals: int | None = None) -> str:
    """A number in the active locale, grouped (``12,345`` / ``12.345``); whole numbers without decimals."""
    if value is None:
        return "—"
    if decimals is None:
        decimals = 0 if Decimal(str(value)) == Decimal(str(value)).to_integral_value() else 1
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def fmt_percent(part, whole, decimals: int = 0) -> str:
    if not whole:
        return "—"
    return f"{fmt_number(Decimal(part) * 100 / Decimal(whole), decimals)}%"


# --- the data table ---------------------------------------------------------------------------
@dataclass
class Cell:
    text: str
    url: str = ""
    numeric: bool = False
    nowrap: bool = False


def cell(text, url: str = "", numeric: bool | None = None, nowrap: bool = False) -> Cell:
    """A table cell; numbers are formatted (and right-aligned) unless given as text; dates ``nowrap``."""
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        return Cell(fmt_number(text), url, True if numeric is None else numeric, nowrap)
    return Cell("" if text is None else str(text), url, bool(numeric), nowrap)


@dataclass
class DataTable:
    """A table of figures: the first column heads each row; any cell may link to its list."""

    caption: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    foot: list[Cell] | None = None
    id: str = ""  # an anchor figures elsewhere on the page may link to

    def __bool__(self) -> bool:  # an empty table is still a table (it says there is nothing)
        return True

    @property
    def header(self) -> list[tuple[str, bool]]:
        """The column labels, each with whether its cells are numbers (right-aligned)."""
        return [
            (label, i > 0 and bool(self.rows) and all(len(row) > i and row[i].numeric for row in self.rows))
            for i, label in enumerate(self.columns)
        ]

    def html(self, caption_id: str = "", portal: bool = False) -> SafeString:
        """The table's markup (``{% dashboard_table %}``), written here rather than by a template
        looping over every cell: a staff dashboard has ~1,000 cells. ``portal``: Bootstrap's table
        classes; ``caption_id``: the id of the caption (a chart's figure points at it)."""
        esc = conditional_escape
        NUM = ' class="dash-num"'  # noqa: N806

        def content(c: Cell) -> str:
            return f'<a href="{esc(c.url)}">{esc(c.text)}</a>' if c.url else esc(c.text)

        def body_row(row) -> str:
            cells = []
            for i, c in enumerate(row):
                if i == 0:
                    cells.append(f'<th scope="row">{content(c)}</th>')
                else:
                    cls = NUM if c.numeric else ' class="dash-nowrap"' if c.nowrap else ""
                    cells.append(f"<td{cls}>{content(c)}</td>")
            return "".join(cells)

        def foot_row(row) -> str:
            return "".join(
                f'<th scope="row">{content(c)}</th>' if i == 0
                else f"<td{NUM if c.numeric else ''}>{content(c)}</td>"
                for i, c in enumerate(row)
            )

        parts = [
            '<div class="dash-table-wrap">\n<table class="dash-table',
            " table table-sm caption-top" if portal else "",
            '"', f' id="{esc(self.id)}"' if self.id else "", ">\n  <caption",
            f' id="{esc(caption_id)}"' if caption_id else "", f">{esc(self.caption)}</caption>\n  <thead><tr>",
            "".join(f"<th scope=\"col\"{NUM if numeric else ''}>{esc(label)}</th>" for label, numeric in self.header),
            "</tr></thead>\n  <tbody>\n  ",
            "".join(f"\n    <tr>{body_row(row)}</tr>\n  " for row in self.rows),
            "\n  </tbody>\n  ",
            f"\n  <tfoot><tr>{foot_row(self.foot)}</tr></tfoot>\n  " if self.foot else "",
            "\n</table>\n</div>\n",
        ]
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


# --- charts -----------------------------------------------------------------------------------
@dataclass
class Bar:
    """One bar: its label, its value, the text written at its end (defaults to the value)."""

    label: str
    value: float | int | Decimal
    text: str = ""
    url: str = ""


@dataclass
class Series:
    key: str
    label: str
    fill: Fill | None = None


@dataclass
class Stack:
    """One stacked bar: a label and one value per series (same order as the series)."""

    label: str
    values: Sequence[float | int | Decimal]
    texts: Sequence[str] = ()
    url: str = ""
    total_text: str = ""


@dataclass
class Chart:
    id: str
    title: str
    description: str
    svg: SafeString
    table: DataTable


def _attrs(**attrs) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(f'{name}="{escape(str(value))}"')
    return " ".join(parts)


def _text(x, y, content, *, size=14, weight=None, anchor=None, fill=INK, halo=False) -> str:
    extra = {"paint_order": "stroke", "stroke": "#ffffff", "stroke_width": 3, "stroke_linejoin": "round"} if halo else {}
    return f"<text {_attrs(x=_n(x), y=_n(y), font_size=size, font_weight=weight, text_anchor=anchor, fill=fill, **extra)}>{escape(content)}</text>"


def _n(value) -> str:
    """A coordinate: at most one decimal, no locale (SVG wants a dot)."""
    return f"{float(value):.1f}".rstrip("0").rstrip(".")


def _char_width(ch: str, size: int) -> float:
    """A rough width estimate (wide glyphs of Korean count double)."""
    return size * (1.0 if ord(ch) > 0x2E80 else 0.56)


def _text_width(text: str, size: int) -> float:
    return sum(_char_width(ch, size) for ch in text)


def _clip(text: str, size: int, width: float) -> str:
    """``text`` cut to its longest start that fits in ``width`` with an ellipsis. One pass: the
    running sum adds the same floats in the same order as ``_text_width`` of each start would."""
    if _text_width(text, size) <= width:
        return text
    ellipsis = _text_width("…", size)
    total, cut = 0, 0
    for ch in text:
        step = total + _char_width(ch, size)
        if step + ellipsis > width:
            break
        total, cut = step, cut + 1
    return text[:cut].rstrip() + "…"


def _open(chart_id: str, title: str, description: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" {_attrs(viewBox=f"0 0 {WIDTH} {_n(height)}", width=WIDTH, height=_n(height))} '
        f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" class="kitb-chart" '
        f'font-family="{escape(FONT)}">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{_n(height)}" fill="#ffffff"/>',
    ]


# Each pattern: its tile's size, a transform of the tile, and the mark drawn in the fill's ink.
_PATTERNS = {
    "hatch": (8, ' patternTransform="rotate(45)"', '<line x1="0" y1="0" x2="0" y2="8" stroke="{ink}" stroke-width="2.5"/>'),
    "dots": (8, "", '<circle cx="4" cy="4" r="1.6" fill="{ink}"/>'),
    "cross": (10, "", '<path d="M0 0 L10 10 M10 0 L0 10" stroke="{ink}" stroke-width="1.2"/>'),
    "vertical": (6, "", '<line x1="3" y1="0" x2="3" y2="6" stroke="{ink}" stroke-width="1.5"/>'),
}


def _pattern_defs(chart_id: str, fills: Iterable[Fill]) -> str:
    defs = []
    for i, fill in enumerate(fills):
        if fill.pattern not in _PATTERNS:  # solid
            continue
        size, transform, mark = _PATTERNS[fill.pattern]
        body = f'<rect width="{size}" height="{size}" fill="{fill.color}"/>' + mark.format(ink=fill.ink)
        defs.append(
            f'<pattern id="{chart_id}-fill-{i}" patternUnits="userSpaceOnUse" width="{size}" height="{size}"{transform}>{body}</pattern>'
        )
    return f"<defs>{''.join(defs)}</defs>" if defs else ""


def _paint(chart_id: str, index: int, fill: Fill) -> str:
    return fill.color if fill.pattern == "solid" else f"url(#{chart_id}-fill-{index})"


def _legend(chart_id: str, series: Sequence[Series], fills: Sequence[Fill], y: float) -> tuple[list[str], float]:
    """Swatches (pattern and colour) with their labels, wrapped over as many lines as needed."""
    out, x, line = [], PAD, 0
    for i, s in enumerate(series):
        width = 22 + _text_width(s.label, 13) + 18
        if x > PAD and x + width > WIDTH - PAD:
            x, line = PAD, line + 1
        top = y + line * 22
        out.append(f'<rect {_attrs(x=_n(x), y=_n(top), width=16, height=16, rx=2, fill=_paint(chart_id, i, fills[i]), stroke=INK, stroke_width=1)}/>')
        out.append(_text(x + 22, top + 13, s.label, size=13))
        x += width
    return out, (line + 1) * 22


def _fills(series: Sequence[Series]) -> list[Fill]:
    return [s.fill or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]


def bar_chart(
    *, chart_id: str, title: str, description: str, bars: Sequence[Bar], table: DataTable, max_value=None,
) -> Chart:
    """Horizontal bars, one a row: the label above the bar, the value written at its end. The
    longest bar is ``max_value`` (e.g. 100 for percentages), else the largest value."""
    label_h, bar_h, gap = 18, 18, 12
    texts = [bar.text or fmt_number(bar.value) for bar in bars]
    # Room after the longest bar for the longest value (bold text runs about 10% wider).
    value_space = min(max((_text_width(t, 14) * 1.1 for t in texts), default=0) + 12, WIDTH * 0.6)
    row_h = label_h + bar_h + gap
    height = PAD + row_h * max(len(bars), 1)
    top_value = float(max_value) if max_value else (max((float(b.value) for b in bars), default=0) or 1)
    usable = WIDTH - 2 * PAD - value_space
    out = _open(chart_id, title, description, height)
    for i, bar in enumerate(bars):
        y = PAD + i * row_h
        length = usable * min(float(bar.value), top_value) / top_value if bar.value else 0
        text = texts[i]
        out.append("<g>")
        out.append(f"<title>{escape(bar.label)}: {escape(text)}</title>")
        out.append(_text(PAD, y + 14, _clip(bar.label, 14, WIDTH - 2 * PAD), size=14))
        out.append(f'<rect {_attrs(x=PAD, y=_n(y + label_h), width=_n(usable), height=bar_h, fill=TRACK)}/>')
        if length:
            out.append(f'<rect {_attrs(x=PAD, y=_n(y + label_h), width=_n(max(length, 2)), height=bar_h, fill=BAR)}/>')
        out.append(_text(PAD + max(length, 0) + 6, y + label_h + 14, text, size=14, weight="bold"))
        out.append("</g>")
    out.append("</svg>")
    return Chart(chart_id, title, description, mark_safe("".join(out)), table)


def _wrap_items(items: Sequence[str], size: int, width: float) -> list[str]:
    lines, current = [], ""
    for item in items:
        candidate = f"{current} · {item}" if current else item
        if current and _text_width(candidate, size) > width:
            lines.append(current)
            current = item
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def stacked_bar_chart(
    *, chart_id: str, title: str, description: str, series: Sequence[Series], stacks: Sequence[Stack], table: DataTable,
) -> Chart:
    """Horizontal stacked bars (e.g. land per zone): a legend, then per stack its label, the bar
    (patterned segments) and a line naming every segment's value."""
    fills = _fills(series)
    legend, legend_h = _legend(chart_id, series, fills, PAD)
    lines_per_stack = []
    for stack in stacks:
        texts = stack.texts or [fmt_number(v) for v in stack.values]
        items = [f"{s.label} {t}" for s, t in zip(series, texts, strict=True)]
        lines_per_stack.append(_wrap_items(items, 13, WIDTH - 2 * PAD))
    label_h, bar_h, line_h, gap = 18, 22, 17, 14
    top = PAD + legend_h + 6
    height = top + sum(label_h + bar_h + 4 + line_h * len(lines) + gap for lines in lines_per_stack) + PAD
    out = _open(chart_id, title, description, max(height, top + 20))
    out.append(_pattern_defs(chart_id, fills))
    out.extend(legend)
    y = top
    usable = WIDTH - 2 * PAD
    for stack, lines in zip(stacks, lines_per_stack, strict=True):
        total = sum(float(v or 0) for v in stack.values) or 1
        heading = f"{stack.label} — {stack.total_text}" if stack.total_text else stack.label
        out.append("<g>")
        out.append(f"<title>{escape(heading)}: {escape(' · '.join(lines))}</title>")
        out.append(_text(PAD, y + 14, _clip(heading, 14, usable), size=14, weight="bold"))
        x = PAD
        bar_y = y + label_h
        out.append(f'<rect {_attrs(x=PAD, y=_n(bar_y), width=usable, height=bar_h, fill=TRACK)}/>')
        for i, value in enumerate(stack.values):
            width = usable * float(value or 0) / total
            if width <= 0:
                continue
            rect = _attrs(x=_n(x), y=_n(bar_y), width=_n(width), height=bar_h, fill=_paint(chart_id, i, fills[i]), stroke="#ffffff", stroke_width=1)
            out.append(f"<rect {rect}/>")
            x += width
        out.append(f'<rect {_attrs(x=PAD, y=_n(bar_y), width=usable, height=bar_h, fill="none", stroke=INK, stroke_width=1)}/>')
        for j, line in enumerate(lines):
            out.append(_text(PAD, bar_y + bar_h + 4 + line_h * (j + 1) - 4, line, size=13, fill=INK))
        out.append("</g>")
        y += label_h + bar_h + 4 + line_h * len(lines) + gap
    out.append("</svg>")
    return Chart(chart_id, title, description, mark_safe("".join(out)), table)


def column_chart(
    *, chart_id: str, title: str, description: str, series: Sequence[Series], stacks: Sequence[Stack], table: DataTable,
    plot_height: int = 170,
) -> Chart:
    """Vertical stacked columns (e.g. events per quarter by kind): legend, columns with the total
    above each and segment values written on segments tall enough to hold them; the category label
    under each column (a second line after a newline in the label)."""
    fills = _fills(series)
    legend, legend_h = _legend(chart_id, series, fills, PAD)
    n = max(len(stacks), 1)
    slot = (WIDTH - 2 * PAD) / n
    col_w = min(44, slot * 0.7)
    top = PAD + legend_h + 24  # room for the total above the tallest column
    base = top + plot_height
    height = base + 40
    highest = max((sum(float(v or 0) for v in s.values) for s in stacks), default=0) or 1
    out = _open(chart_id, title, description, height)
    out.append(_pattern_defs(chart_id, fills))
    out.extend(legend)
    out.append(f'<line {_attrs(x1=PAD, y1=_n(base), x2=WIDTH - PAD, y2=_n(base), stroke=MUTED, stroke_width=1)}/>')
    for k, stack in enumerate(stacks):
        cx = PAD + slot * k + slot / 2
        x = cx - col_w / 2
        y = base
        total = sum(float(v or 0) for v in stack.values)
        texts = list(stack.texts) or [fmt_number(v) for v in stack.values]
        summary = " · ".join(f"{s.label} {t}" for s, t in zip(series, texts, strict=True))
        out.append("<g>")
        out.append(f"<title>{escape(stack.label.replace(chr(10), ' '))}: {escape(summary)}</title>")
        for i, value in enumerate(stack.values):
            h = plot_height * float(value or 0) / highest
            if h <= 0:
                continue
            y -= h
            rect = _attrs(x=_n(x), y=_n(y), width=_n(col_w), height=_n(h), fill=_paint(chart_id, i, fills[i]), stroke="#ffffff", stroke_width=1)
            out.append(f"<rect {rect}/>")
            if h >= 17:
                out.append(_text(cx, y + h / 2 + 5, texts[i], size=12, weight="bold", anchor="middle", halo=True))
        out.append(_text(cx, y - 6, stack.total_text or fmt_number(total), size=13, weight="bold", anchor="middle"))
        for j, part in enumerate(stack.label.split("\n")[:2]):
            out.append(_text(cx, base + 16 + 15 * j, _clip(part, 12, slot - 2), size=12, anchor="middle", fill=INK))
        out.append("</g>")
    out.append("</svg>")
    return Chart(chart_id, title, description, mark_safe("".join(out)), table)
