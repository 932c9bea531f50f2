"""The composer of a review pack: it calls the sections listed in ``settings.REVIEW_SECTIONS``.

A section function takes a :class:`ReviewContext` and returns a :class:`ReviewSection` (or
``None``). Each section computes its figures for every MoU in ``ctx.mou_ids`` with a fixed number of
grouped queries, so a pack's query count does not grow with the data. A section may publish
*measures* (``{mou_id: {key: Decimal or None}}``, e.g. ``"events_held"``) that other sections judge
targets against: after every section has run, each section's ``finish(ctx, measures)`` is called
with the measures of all of them (the partnerships section fills its targets table there).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString

from kitb_portal.charts import Chart, DataTable


@dataclass
class ReviewContext:
    """What a pack covers: the MoUs, the period (inclusive), the day it is measured on."""

    mou_ids: list[int]
    period_start: dt.date
    period_end: dt.date
    as_of: dt.date
    year: int
    period_kind: str = "calendar"
    programme: bool = False  # the programme-wide pack: totals per MoU rather than each record

    @property
    def rate_date(self) -> dt.date:
        """Amounts are converted at the rates valid on this day: the period's end, or today while it runs."""
        return min(self.period_end, self.as_of)

    @property
    def period_instants(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as instants in the site's time zone: from its first day's midnight up to (not
        including) the midnight after its last day."""
        return start_of_day(self.period_start), start_of_day(self.period_end + dt.timedelta(days=1))


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class Figure:
    label: str
    value: str


@dataclass
class Block:
    """One part of a section: a heading, figures, a chart (with its table), tables, paragraphs."""

    heading: str = ""
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[DataTable] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    html: SafeString | str = ""
    empty: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.figures or self.charts or self.tables or self.paragraphs or self.html)


@dataclass
class ReviewSection:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    measures: dict[int, dict[str, Decimal | None]] = field(default_factory=dict)
    finish: Callable[[ReviewContext, dict], None] | None = None
    order: int = 100  # sections are shown by this, then by their place in REVIEW_SECTIONS


@dataclass
class Pack:
    ctx: ReviewContext
    sections: list[ReviewSection]
    measures: dict[int, dict[str, Decimal | None]]

    def tables(self) -> list[tuple[str, DataTable]]:
        """Every table of the pack (chart tables included), with its section's title: the XLSX sheets."""
        out = []
        for section in self.sections:
            for block in section.blocks:
                for chart in block.charts:
                    out.append((section.title, chart.table))
                for table in block.tables:
                    out.append((section.title, table))
        return out


@cache
def _load(path: str):
    return import_string(path)


def section_functions() -> list:
    return [_load(path) for path in getattr(settings, "REVIEW_SECTIONS", [])]


def compose(ctx: ReviewContext, *, on_step: Callable[[], None] | None = None) -> Pack:
    sections: list[ReviewSection] = []
    measures: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    for fn in section_functions():
        section = fn(ctx)
        if on_step is not None:
            on_step()
        if section is None:
            continue
        for mou_id, values in section.measures.items():
            measures[mou_id].update(values)
        sections.append(section)
    for section in sections:
        if section.finish is not None:
            section.finish(ctx, measures)
    sections.sort(key=lambda s: s.order)
    return Pack(ctx=ctx, sections=sections, measures=dict(measures))


def ncell(value, text: str | None = None, url: str = ""):
    """A numeric table cell that keeps its number (``raw``) for the XLSX beside its formatted text."""
    from kitb_portal.charts import Cell, fmt_number

    if value is None:
        c = Cell("—", url, True)
        c.raw = None
        return c
    c = Cell(text if text is not None else fmt_number(value), url, True)
    c.raw = value if isinstance(value, int) else Decimal(str(value))
    return c
