"""The dashboard composer: the admin index (KITB staff) and the portal home (partners).

The core imports no app, so the composer never names one: it calls the section functions listed
in ``settings.DASHBOARD_SECTIONS`` (dotted paths, e.g. ``"partnerships.dashboard.section"``), in
order. Each takes ``(user, *, now)`` and returns a :class:`Section` for that user — staff get the
whole partnership, partners only their organisation's records — or ``None`` when it has nothing
for them (no permission, not their business). Each section computes its figures in the database
with a fixed number of aggregate queries.

Those aggregates read whole tables, so their cost grows with the data: a composed dashboard is
cached per user and language for ``CACHE_SECONDS``, and every cached dashboard is dropped at once
(:func:`invalidate`) when a record of the apps behind the sections (or of accounts) is saved or
deleted, which every service does. The time limit covers the few writes that bypass the model
signals (the sweeps' bulk updates). ``compose(user, now=...)`` for a given moment is never cached.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString

from kitb_portal.charts import Chart, DataTable
from kitb_portal.common import freshness


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


@lru_cache(maxsize=None)
def _load(path: str):
    return import_string(path)


def section_functions() -> list:
    return [_load(path) for path in getattr(settings, "DASHBOARD_SECTIONS", [])]


logger = logging.getLogger(__name__)

#: Seconds a composed dashboard is kept (per user and language) when nothing changes.
CACHE_SECONDS = 60

# The version in the keys is shared with the cached page fragments (see kitb_portal.common.freshness).
invalidate = freshness.invalidate
connect_invalidation = freshness.connect_invalidation


def compose(user, *, now=None) -> list[Section]:
    """The sections ``user`` may see, in the order of ``settings.DASHBOARD_SECTIONS`` (cached, see above)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if now is not None:
        return _compose(user, now=now)
    try:
        version = freshness.version()
        key = f"dashboard:{version}:{user.pk}:{get_language()}"
        sections = cache.get(key)
    except Exception:  # noqa: BLE001 - without the cache the dashboard is still drawn
        logger.warning("dashboard cache: unavailable", exc_info=True)
        return _compose(user, now=timezone.now())
    if sections is None:
        sections = _compose(user, now=timezone.now())
        try:
            cache.set(key, sections, CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("dashboard cache: could not store", exc_info=True)
    return sections


def _compose(user, *, now) -> list[Section]:
    sections = []
    for fn in section_functions():
        section = fn(user, now=now)
        if section is not None and section.panels:
            sections.append(section)
    return sections
