"""Paginators whose cost does not grow with the table: deep pages by ids first, bounded counts (the
admin's changelists), and the portal's lists' pages with their per-row counts worked out for the page only."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


class DeferredJoinPaginator(Paginator):
    """Deep pages read their ids first, then their rows (a "deferred join").

    ``OFFSET 33600`` makes PostgreSQL build and throw away 33,600 whole rows: with the changelist's
    joins (``list_select_related``) and annotations (a score subquery per row) that is a sort of
    every wide joined row, or the subqueries of every skipped row, hundreds of milliseconds. From
    ``deferred_from`` rows on, the page's ids are read with the same filters and ordering but no
    select_related columns and no annotation the filters and ordering do not need (an index walk
    where the ordering has an index), then the rows of those ids with the full query, in the same
    order (the admin's ordering always ends with the primary key, so it is total). The shallow pages
    keep their one query.
    """

    deferred_from = 1000

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        qs = self.object_list
        if bottom < self.deferred_from or not self._can_defer(qs):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._page_rows(qs, bottom, top), number, self)

    def _page_rows(self, qs, bottom: int, top: int) -> QuerySet:
        ids = list(qs.values_list("pk", flat=True)[bottom:top])
        # A queryset (list_editable's formset needs one), in the same total order as the ids.
        return qs.filter(pk__in=ids)

    @staticmethod
    def _can_defer(qs) -> bool:
        if not isinstance(qs, QuerySet):
            return False
        query = qs.query
        # DISTINCT would compare the ordering columns too; a UNION has no plain pk to select.
        return not (query.distinct or query.combinator or query.is_sliced)


class PageFirstPaginator(DeferredJoinPaginator):
    """The portal's lists, whose rows carry counts in correlated subqueries (an MoU's commitments, an
    event's places taken and the reader's own registration): from the second page on, the page's ids
    are chosen by a subquery with the same filters and order but none of those columns, so PostgreSQL
    works them out for the page's rows only, not for every row it skips before them; still one query.
    Page 9 of the MoUs of an organisation party to 2,000: 9.3 -> 1.7 ms; page 8 of the events
    3.7 -> 1.1 ms. The list's order must be total (end with the primary key)."""

    deferred_from = 1

    def _page_rows(self, qs, bottom: int, top: int) -> QuerySet:
        return qs.filter(pk__in=qs.values("pk")[bottom:top])


class BoundedCountPaginator(DeferredJoinPaginator):
    """A paginator whose count costs one query bounded by ``exact_limit`` rows (see the docstring of kitb_portal.common.admin_tools).

    Past the limit a filtered list's count is ``exact_limit + 1`` and :attr:`count_is_lower_bound`
    is true: the changelist then says "more than 10,000" (``templates/admin/pagination.html`` and
    ``search_form.html``) instead of a number that is not the count. A search counts to
    ``search_exact_limit`` (``admin_tools.search.search_bounded_get_paginator``).
    """

    exact_limit = 10_000
    # A search matching more than ten 100-row pages is refined, not paged: its count stops at 1,000
    # ("more than 1,000 results"). Counting 10,001 matches of a common word ("2026" in 5,000 event
    # titles: 50,000 registrations) read 350,000 rows through a join, 700 ms; 1,001 reads a tenth.
    search_exact_limit = 1_000
    count_is_lower_bound = False
    # Set for an IndexedSearchMixin search, whose every condition an index answers: the count reads
    # the bitmap of those indexes. Under a LIMIT the planner otherwise bets on reading the table until
    # 1,001 matches turned up, as if they were spread evenly; they are not ("2026" registrations lie
    # together: 70,000 rows read, 4 ILIKEs each, 75-110 ms, against 20 ms for the bitmap).
    count_by_indexes = False

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if not isinstance(qs, QuerySet):
            return super().count
        limited = qs.order_by().values("pk")[: self.exact_limit + 1]
        try:
            sql, params = limited.query.sql_with_params()
        except EmptyResultSet:  # a condition no row can meet (a search whose every part is "id IN ()")
            return 0
        with connections[qs.db].cursor() as cursor:
            if self.count_by_indexes:
                cursor.execute("SET enable_seqscan = off")
            try:
                cursor.execute(
                    f"SELECT (SELECT COUNT(*) FROM ({sql}) AS limited), "
                    "(SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass)",
                    [*params, qs.model._meta.db_table],
                )
                exact, estimate = cursor.fetchone()
            finally:
                if self.count_by_indexes:
                    cursor.execute("RESET enable_seqscan")
        if exact <= self.exact_limit:
            return exact
        if not qs.query.where:
            return max(int(estimate or 0), exact)
        self.count_is_lower_bound = True
        return exact  # a filtered list past the limit: the first exact_limit + 1 rows are reachable

