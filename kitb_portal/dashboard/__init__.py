"""The dashboard composer: the admin index (KITB staff) and the portal home (partners).

The core imports no app, so the composer never names one: it calls the section functions listed
in ``settings.DASHBOARD_SECTIONS`` (dotted paths, e.g. ``"partnerships.dashboard.section"``), in
order. Each takes ``(user, *, now)`` and returns a :class:`Section` for that user — staff get the
whole partnership, partners only their organisation's records — or ``None`` when it has nothing
for them (no permission, not their business). Each section computes its figures in the database
with a fixed number of aggregate queries.

``compose(user)`` draws the dashboard from the data of now. A staff section counts the whole
partnership, the same for everyone holding the same permissions: it is kept in the cache until a
record of a model it names (``section.staff_models``) is written (:mod:`.cached`). Partners' sections
are drawn on every request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString

from kitb_portal.charts import Chart, DataTable


@dataclass
class Figure:
    """One headline number, linking to the list behind it."""

    label: str
    value: str
    url: str = ""
    hint: str = ""
    # "attention" marks figures that need action (overdue, expiring); the label says so too.
    tone: str = ""


@dataclass
class Panel:
    """A card of the dashboard: figures, charts (each with its data table), tables, links."""

    title: str
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[DataTable] = field(default_factory=list)
    html: SafeString | str = ""  # pre-rendered markup of our own (the site plan SVG)
    links: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""
    empty: str = ""  # shown instead of the charts and tables when there is nothing to show
    wide: bool = False
    key: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.charts or self.tables or self.html)


@dataclass
class Section:
    key: str
    title: str
    panels: list[Panel] = field(default_factory=list)


@cache
def _load(path: str):
    return import_string(path)


def section_functions() -> list:
    return [_load(path) for path in getattr(settings, "DASHBOARD_SECTIONS", [])]


def compose(user, *, now=None) -> list[Section]:
    """The sections ``user`` may see, in the order of ``settings.DASHBOARD_SECTIONS``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return _compose(user, now=now or timezone.now())


def _compose(user, *, now) -> list[Section]:
    from .cached import staff_section

    sections = []
    for path, fn in zip(getattr(settings, "DASHBOARD_SECTIONS", []), section_functions(), strict=True):
        section = staff_section(fn, path, user, now=now)
        if section is not None and section.panels:
            sections.append(section)
    return sections
