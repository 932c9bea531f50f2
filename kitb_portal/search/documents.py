"""What the apps index and how a query matches it, in PostgreSQL.

A record's *document* is a ``tsvector`` built from its fields, each with the text-search configuration
of its language: English fields with ``english`` (stems "investments" → "invest"), Indonesian ones with
``indonesian`` (snowball: "pengembangan" → "kembang"), Korean fields, names and reference numbers with
``simple`` (words as written, matched by prefix, so "세미나" finds "세미나에서"). PostgreSQL stores it
in the model's generated column ``search_document`` (:func:`search_field`) under a GIN index
(:func:`document_index`), so a match is read from the index and ranked without computing it again. Korean text and names also get a trigram GIN index
(:func:`trigram_index`, pg_trgm) for matching inside words with ``ILIKE``.

The query (:func:`ts_query`) is, for each word the person typed, "the English stem, or the Indonesian
stem, or (two characters or more) a word starting with it", all words required.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.db.models import BooleanField, F, GeneratedField, Lookup, Q, Value
from django.db.models.expressions import Expression

ENGLISH = "english"
INDONESIAN = "indonesian"
SIMPLE = "simple"


def document(*parts: tuple[str, str, str]) -> SearchVector:
    """``parts``: (field, config, weight A–D). The concatenated weighted tsvector of those fields."""
    vectors = [SearchVector(field, config=config, weight=weight) for field, config, weight in parts]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


SEARCH_FIELD = "search_document"


def search_field(expression: SearchVector) -> GeneratedField:
    """The model's ``search_document``: ``expression`` stored by PostgreSQL (a generated column), so
    neither the index's recheck nor the ranking computes the tsvector again."""
    return GeneratedField(expression=expression, output_field=SearchVectorField(), db_persist=True)


def document_index(*, name: str) -> GinIndex:
    """The GIN index on the model's ``search_document``."""
    return GinIndex(fields=[SEARCH_FIELD], name=name)


def trigram_index(field: str, *, name: str) -> GinIndex:
    return GinIndex(OpClass(field, name="gin_trgm_ops"), name=name)



def ts_query(words: Iterable[str]) -> SearchQuery | None:
    """All ``words`` required; each matches its English or Indonesian stem or, as typed, a word's start.

    ``words`` must be plain word characters (``core.parse`` makes them so): they go into a raw
    tsquery as ``word:*``, where any operator character would be a syntax error.
    """
    combined = None
    for word in words:
        either = SearchQuery(word, config=ENGLISH, search_type="plain") | SearchQuery(word, config=INDONESIAN, search_type="plain")
        if len(word) >= 2:  # "a:*" would be half the index
            either = either | SearchQuery(f"{word}:*", config=SIMPLE, search_type="raw")
        combined = either if combined is None else combined & either
    return combined


class ILike(Lookup):
    """``lhs ILIKE rhs`` without a cast, so a trigram index on the column serves it."""

    lookup_name = "search_ilike"
    prepare_rhs = False

    def __init__(self, lhs, rhs):
        super().__init__(lhs, rhs if isinstance(rhs, Expression) else Value(rhs))

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} ILIKE {rhs_sql}", [*lhs_params, *rhs_params]

    @property
    def output_field(self):
        return BooleanField()


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's own characters escaped (``\\`` is PostgreSQL's default escape)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains_any(fields: Iterable[str], text: str) -> Q:
    """Rows where any of ``fields`` holds ``text``, case-insensitively: ``field ILIKE '%text%'`` for
    each, which the field's trigram index (:func:`trigram_index`) answers. Django's ``icontains``
    writes ``UPPER(field::text) LIKE UPPER(...)``, which no index serves and PostgreSQL cannot
    estimate (it guessed one upcoming event of 3,936 with "seminar" in a title, and joined their
    venues in a nested loop: 55 ms)."""
    return ilike_any(fields, like_pattern(text))


def ilike_any(fields: Iterable[str], pattern: str) -> Q:
    """``field ILIKE pattern`` for any of ``fields`` (an empty ``Q`` when there is none)."""
    condition = Q()
    for field in fields:
        condition |= Q(ILike(F(field), pattern))
    return condition
