"""The changelist search of a big table answered by its indexes, and its bounded count."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import BooleanField, Exists, F, Lookup, OuterRef, Q, Value
from django.utils.text import smart_split, unescape_string_literal

from ..pagination import BoundedCountPaginator, DeferredJoinPaginator


class IndexedSearchMixin:
    """The changelist search of a big table, answered by indexes rather than by reading the table.

    Django's search ORs ``UPPER(column) LIKE UPPER('%word%')`` over every search field of each word:
    no index serves that expression, and when one of the fields lies across a join
    (``event__title_en``) PostgreSQL cannot combine indexes of two tables either, so it reads the
    list in its order until the page is full, which for a rare word is the whole table; across a
    reverse relation (``parties__organization__name``) Django adds ``SELECT DISTINCT`` over the whole
    result as well. Here each word becomes an OR of

    * ``column ILIKE '%word%'`` on the table's own columns, each with a trigram GIN index
      (``kitb_portal.search.documents.trigram_index``, the indexes the cross-portal search uses);
    * for a field across a foreign key (``event__title_en``), ``event_id IN (ids)`` with the ids looked
      up first in the related table (the rest of the chain answered the same way there). Past
      ``search_related_limit`` related rows (1,000) and up to ``search_related_array_limit`` (10,000)
      the ids go as one array, ``event_id = ANY('{...}'::bigint[])``: one parameter, cheap to parse,
      and PostgreSQL sees how many ids there are, so it estimates the matches (a join or
      ``IN (SELECT ...)`` inside an OR it cannot estimate: it counted "2026", in 4,967 event titles,
      by merge-joining 350,000 registrations with their events). Past that the word is in most
      related rows and the join stays: a walk in the list's order meets matches at once;
    * for a field across a reverse foreign key (``parties__organization__name``),
      ``id IN (SELECT mou_id FROM party WHERE ...)``: the same rows as Django's join, without
      duplicates, so no ``DISTINCT``.

    Every search field must be a column, or a chain of forward foreign keys / one-to-ones and reverse
    foreign keys ending in a column; any other field, or a ``^ = @`` prefix, leaves the search to
    Django.
    """

    search_related_limit = 1000
    search_related_array_limit = 10_000

    def get_search_results(self, request, queryset, search_term):
        from kitb_portal.search.documents import like_pattern

        fields = list(self.get_search_fields(request))
        if not search_term.strip() or not fields or not all(self._indexed_search_field(queryset.model, f) for f in fields):
            return super().get_search_results(request, queryset, search_term)
        for bit in smart_split(search_term):
            if bit[:1] in {'"', "'"} and bit[-1:] == bit[:1]:
                bit = unescape_string_literal(bit)
            if not bit:
                continue
            pattern = like_pattern(bit)
            condition = Q()
            for field in fields:
                condition |= self._search_condition(queryset.model, field, pattern)
            queryset = queryset.filter(condition)
        return queryset, False

    def get_changelist_instance(self, request):
        """While a search is active the date hierarchy (``date_hierarchy``) is not shown, unless the
        user has already chosen a year in it: its links need the ``MIN``/``MAX`` of the date over
        the whole search result and then its ``DISTINCT`` years, two more reads of every match (a
        common word in commitments: 90 ms) for a bar that only narrows the list. Chosen first, a
        year stays, and the search keeps it."""
        changelist = super().get_changelist_instance(request)
        field = changelist.date_hierarchy
        if field and changelist.query.strip() and not any(key.startswith(f"{field}__") for key in changelist.params):
            changelist.date_hierarchy = None
        return changelist

    def _search_condition(self, model, field: str, pattern: str) -> Q:
        from kitb_portal.search.documents import ILike

        first, _sep, rest = field.partition("__")
        if not rest:
            return Q(ILike(F(first), pattern))
        model_field = model._meta.get_field(first)
        related = model_field.related_model
        inner = related._base_manager.filter(self._search_condition(related, rest, pattern)).order_by()
        if model_field.concrete:  # a forward foreign key or one-to-one
            target = model_field.target_field
            limit = self.search_related_limit
            ids = list(inner.values_list(target.attname, flat=True)[: max(limit, self.search_related_array_limit) + 1])
            if len(ids) <= limit:
                return Q(**{f"{model_field.attname}__in": ids})
            if len(ids) > self.search_related_array_limit:
                # A word common in the related table (a name in 15,000 of 490,000 registrations): only
                # the related rows this table refers to can match (2,104 of them have feedback).
                referred = model._base_manager.filter(**{model_field.attname: OuterRef(target.attname)})
                ids = list(inner.filter(Exists(referred)).values_list(target.attname, flat=True)[: self.search_related_array_limit + 1])
            if len(ids) <= self.search_related_array_limit and all(type(i) is int for i in ids):  # an array literal of numbers only
                return Q(AnyOfArray(F(model_field.attname), ids, target.cast_db_type(connections[inner.db])))
            if self._forward_chain(model, field):  # a word in most related rows: the join finds them early
                return Q(ILike(F(field), pattern))
            return Q(**{f"{model_field.attname}__in": inner.values(target.attname)})  # a join would repeat rows
        # a reverse foreign key: the rows some related row of which matches
        remote = model_field.field
        return Q(**{f"{remote.target_field.attname}__in": inner.values(remote.attname)})

    @staticmethod
    def _forward_chain(model, field: str) -> bool:
        *hops, _column = field.split("__")
        for name in hops:
            model_field = model._meta.get_field(name)
            if not model_field.concrete:
                return False
            model = model_field.related_model
        return True

    @classmethod
    def _indexed_search_field(cls, model, field: str) -> bool:
        if field[:1] in "^=@":
            return False
        first, _sep, rest = field.partition("__")
        try:
            model_field = model._meta.get_field(first)
        except FieldDoesNotExist:  # Django's own search reports it
            return False
        if not rest:
            return not model_field.is_relation and model_field.concrete
        forward = model_field.concrete and (model_field.many_to_one or model_field.one_to_one)
        reverse = model_field.auto_created and not model_field.concrete and model_field.one_to_many
        if not (model_field.is_relation and (forward or reverse)):
            return False
        if forward and model_field.target_field.attname != model_field.related_model._meta.pk.attname:
            return False  # a foreign key to a column other than the primary key: left to Django
        return cls._indexed_search_field(model_field.related_model, rest)


class AnyOfArray(Lookup):
    """``lhs = ANY('{1,2,3}'::bigint[])``: a list of ids as one string parameter, which PostgreSQL
    parses as one constant (``IN (%s, %s, ...)`` with thousands of parameters costs milliseconds to
    send, parse and plan) and whose length the planner sees."""

    lookup_name = "kitb_any_of_array"
    prepare_rhs = False

    def __init__(self, lhs, values, db_type: str):
        self.db_type = db_type
        super().__init__(lhs, Value("{" + ",".join(str(v) for v in values) + "}"))

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} = ANY({rhs_sql}::{self.db_type}[])", [*lhs_params, *rhs_params]

    @property
    def output_field(self):
        return BooleanField()


def search_bounded_get_paginator(model_admin, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
    """``ModelAdmin.get_paginator`` for every changelist (wired by ``admin_site``): while a search, or
    a list filter on a value worked out per row, is active the count is bounded at
    ``BoundedCountPaginator.search_exact_limit``, also for an admin whose paginator is the site's
    default (:class:`DeferredJoinPaginator`), whose count is otherwise a full ``COUNT(*)``."""
    from django.contrib.admin.views.main import SEARCH_VAR

    paginator_class = model_admin.paginator
    searching = bool(model_admin.get_search_fields(request)) and bool(request.GET.get(SEARCH_VAR, "").strip())
    # A list filter on a value worked out per row (``counts_like_a_search = True``: a weighted mean
    # over each row's reviews, say) is counted like a search: to 1,001 rows, not through the table.
    computed = any(
        getattr(spec, "counts_like_a_search", False) and spec.parameter_name in request.GET
        for spec in model_admin.get_list_filter(request) if isinstance(spec, type)
    )
    bounded = searching or computed
    if bounded and paginator_class is DeferredJoinPaginator:
        paginator_class = BoundedCountPaginator
    paginator = paginator_class(queryset, per_page, orphans, allow_empty_first_page)
    if bounded and isinstance(paginator, BoundedCountPaginator):
        paginator.exact_limit = min(paginator.exact_limit, paginator.search_exact_limit)
        paginator.count_by_indexes = searching and not computed and isinstance(model_admin, IndexedSearchMixin)
    return paginator
