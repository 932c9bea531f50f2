"""Run the apps' search sources for one person, scoped like the pages, and shape the results.

**Sources.** ``settings.SEARCH_SOURCES`` lists dotted paths of :class:`Source` instances, one per kind of
record, each in its app's ``search.py`` (the core imports no app). A source says whether a person may
search its kind at all (:meth:`Source.available`) and answers :meth:`Source.search` starting from the
app's own selector for that person, so a partner never finds, nor counts, another organisation's
record: the scope is inside the query, before any limit.

**Cost.** Two queries per source whatever the data (:func:`ranked`): the match (GIN indexes on the
documents and on trigrams) picks at most ``CANDIDATES`` rows in scope, then only those are ranked.

**Input.** :func:`parse` turns what was typed into a :class:`Query` or raises :class:`QueryError` with a
message saying what to fix (empty, too short, too long, nothing searchable). Control characters
(NUL included) are dropped; words are the letters and digits typed, passed as parameters.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.contrib.postgres.search import SearchRank, TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.utils.html import escape
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .documents import SEARCH_FIELD, ilike_any, like_pattern, ts_query

MIN_LENGTH = 2
MAX_LENGTH = 100
MAX_WORDS = 8
MIN_LIKE_LENGTH = 3  # ILIKE '%ab%' cannot use a trigram index: shorter text is matched by words only
CANDIDATES = 100  # rows in scope a source ranks at most (the rest of a very common word is not ranked)
PER_KIND = 10  # hits shown per kind on the page of all kinds
PER_KIND_ALONE = 50  # hits shown when one kind is asked for
WORD_RE = re.compile(r"\w+")
NUMBER_RE = re.compile(r"^#?\s*(\d{1,9})$")


class QueryError(ValueError):
    """What was typed cannot be searched; ``message`` says what to fix."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Query:
    text: str
    words: tuple[str, ...]

    @property
    def pattern(self) -> str:
        return like_pattern(self.text)

    @property
    def use_like(self) -> bool:
        return len(self.text) >= MIN_LIKE_LENGTH

    @property
    def number(self) -> int | None:
        """``123`` or ``#123``: a record number (an application's reference)."""
        match = NUMBER_RE.match(self.text)
        return int(match.group(1)) if match else None

    @property
    def tsquery(self):
        return ts_query(self.words)


def parse(raw) -> Query:
    """The query in ``raw`` (a string or None), or :class:`QueryError`."""
    if not isinstance(raw, str):
        raw = ""
    if len(raw) > MAX_LENGTH * 4:  # don't even clean a pasted page
        raise QueryError(_("The search text is too long: use at most %(max)d characters.") % {"max": MAX_LENGTH})
    cleaned = "".join(" " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in raw)
    text = " ".join(cleaned.split())
    if not text:
        raise QueryError(_("Type a word, a name or a reference number to search for."))
    if len(text) > MAX_LENGTH:
        raise QueryError(_("The search text is too long: use at most %(max)d characters.") % {"max": MAX_LENGTH})
    if len(text) < MIN_LENGTH:
        raise QueryError(
            ngettext("Type at least %(min)d character.", "Type at least %(min)d characters.", MIN_LENGTH) % {"min": MIN_LENGTH}
        )
    words = tuple(dict.fromkeys(w.lower() for w in WORD_RE.findall(text)))
    if not words:
        raise QueryError(_("Type letters or digits: “%(text)s” has nothing to search for.") % {"text": text})
    if len(words) > MAX_WORDS:
        raise QueryError(_("Use at most %(max)d words.") % {"max": MAX_WORDS})
    return Query(text=text, words=words)


# --- what a source answers ----------------------------------------------------------------------
@dataclass
class Hit:
    title: str
    url: str
    detail: str = ""
    rank: float = 0.0


@dataclass
class Group:
    key: str
    label: object
    hits: list[Hit] = field(default_factory=list)
    more: bool = False  # there are more hits than shown


class Source:
    """One kind of record. Subclasses set ``key`` and ``label`` and implement the two methods."""

    key: str = ""
    label: object = ""

    def available(self, user) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def search(self, user, query: Query, *, limit: int) -> list[Hit]:  # pragma: no cover - abstract
        raise NotImplementedError


def ranked(
    scoped: QuerySet,
    query: Query,
    *,
    like: tuple[str, ...] = (),
    also: Q | None = None,
    exact: Q | None = None,
    display: QuerySet | None = None,
    limit: int,
) -> list:
    """Rows of ``scoped`` (the app's selector for the person) that match ``query``, best first.

    A row matches when its ``search_document`` (the stored, GIN-indexed tsvector) matches the words, or one of
    the ``like`` fields (trigram-indexed) contains the text typed, or it satisfies ``also`` (which must
    be indexed too, e.g. ``pk=number``: a branch no index serves turns the match into a scan of the
    table). Two queries: the first picks at most ``CANDIDATES`` matching rows *in scope* from the
    indexes; the second ranks only those: text rank, plus the best trigram word similarity of the
    ``like`` fields, plus 1 for a row satisfying ``exact`` (e.g. its reference equals the text).
    ``display`` is the queryset the rows are read from (joins for showing them); it is filtered to the
    candidates, so it never widens the scope. Returns up to ``limit`` instances with ``search_rank``.
    """
    tsquery = query.tsquery
    condition = Q(**{SEARCH_FIELD: tsquery})
    if query.use_like:
        condition |= ilike_any(like, query.pattern)
    if also is not None:
        condition |= also
    candidates = list(
        scoped.filter(condition).order_by().values_list("pk", flat=True)[:CANDIDATES]
    )
    if not candidates:
        return []
    rank = SearchRank(F(SEARCH_FIELD), tsquery)
    for name in like:
        rank = rank + TrigramWordSimilarity(Value(query.text), F(name))
    if exact is not None:
        rank = rank + Case(When(exact, then=Value(1.0)), default=Value(0.0), output_field=FloatField())
    rows = display if display is not None else scoped.model._default_manager.all()
    rows = rows.filter(pk__in=candidates).defer(SEARCH_FIELD).annotate(search_rank=rank)
    return list(rows.order_by("-search_rank", "-pk")[:limit])


# --- running ------------------------------------------------------------------------------------
@cache
def _sources(paths: tuple[str, ...]) -> tuple[Source, ...]:
    return tuple(import_string(path) for path in paths)


def sources() -> tuple[Source, ...]:
    return _sources(tuple(settings.SEARCH_SOURCES))


def available_sources(user) -> list[Source]:
    return [source for source in sources() if source.available(user)]


def run(user, query: Query, *, kind: str = "") -> list[Group]:
    """The groups of hits ``user`` may see, in ``SEARCH_SOURCES`` order; only ``kind`` when it is one
    of them (an unknown kind is ignored). Empty groups are left out."""
    chosen = available_sources(user)
    if kind and any(source.key == kind for source in chosen):
        chosen = [source for source in chosen if source.key == kind]
        per_kind = PER_KIND_ALONE
    else:
        per_kind = PER_KIND
    groups = []
    with bitmap_scans_only():
        for source in chosen:
            hits = source.search(user, query, limit=per_kind + 1)
            if hits:
                groups.append(Group(key=source.key, label=source.label, hits=hits[:per_kind], more=len(hits) > per_kind))
    return groups


@contextmanager
def bitmap_scans_only():
    """Plan the sources' queries with bitmap scans only (restored afterwards, inside a transaction).

    PostgreSQL cannot estimate how many rows a prefix text query matches (it assumes a few per cent),
    so for "the first ``CANDIDATES`` matches in scope" it likes to walk a table in some index's order
    and test every row, hoping to stop early: seconds at scale when the word is rare. A bitmap scan
    reads the matches from the GIN indexes instead and stops after ``CANDIDATES`` rows on the heap,
    which costs about the same for a rare word and a common one."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
            "set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)"
        )
        seqscan, indexscan, _a, _b = cursor.fetchone()
        try:
            yield
        finally:
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), set_config('enable_indexscan', %s, true)", [seqscan, indexscan]
            )


# --- highlighting -------------------------------------------------------------------------------
def _stem_prefix(word: str) -> str:
    """What to look for in the text for a typed word: the word, cut to a likely stem when long."""
    return word if len(word) <= 5 else word[: max(5, len(word) - 3)]


def highlight(text, query: Query) -> SafeString:
    """``text`` escaped, with the typed text and the typed words (or their likely stems) in ``<mark>``."""
    text = str(text or "")
    needles = [query.text] + [_stem_prefix(w) for w in query.words if len(w) >= MIN_LENGTH]
    needles = sorted({n for n in needles if n}, key=len, reverse=True)
    if not needles:
        return escape(text)
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last:match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # every piece of text is escaped above
