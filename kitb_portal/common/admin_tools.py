"""Admin changelist helpers whose cost does not grow with the tables (used by every app's admin).

* :class:`DeferredJoinPaginator`: a deep page (``OFFSET`` in the thousands) reads the page's ids
  first, on the ordering alone, then those rows with their joins and annotations (every admin
  changelist uses it, see ``admin_site``).
* :class:`BoundedCountPaginator`: one query whatever the table size: the exact count up to
  ``exact_limit`` rows; past it, PostgreSQL's own estimate for an unfiltered list (kept fresh by
  autovacuum's ANALYZE) and ``exact_limit + 1`` for a filtered one. Deep pages as above.
* :class:`TextListFilter`: a list filter that takes typed text (or an id) instead of listing every
  organisation, event or MoU in the sidebar; subclasses say what the text matches.
* :class:`FixedChoicesFilter`: a filter with fixed choices, for a column whose values are known
  (a country code, a language), where Django's default would ``SELECT DISTINCT`` the whole table.
* :func:`fast_action_checkbox`: the same row checkbox without a form-widget template per row.
* :class:`FastRowLinkChangeList`: the same row links without a URL resolve and reverse per row.
* :class:`SharedChoicesInlineMixin`: an inline's foreign-key selects read their choices once per
  request, not once per row.
* :class:`IndexedSearchMixin`: the changelist search of a big table answered by its indexes.
* :class:`DecideViewMixin`: a "decide" page beside the change page (``<id>/decide/``), linked from
  the change page when the user may decide.
* :class:`BatchedAutocompleteInlineMixin`: an inline's autocomplete widgets read the chosen objects
  of every row at once, not once per row.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BooleanField, Exists, F, Lookup, OuterRef, Q, QuerySet, Value
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


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
        ids = list(qs.values_list("pk", flat=True)[bottom:top])
        # A queryset (list_editable's formset needs one), in the same total order as the ids.
        return self._get_page(qs.filter(pk__in=ids), number, self)

    @staticmethod
    def _can_defer(qs) -> bool:
        if not isinstance(qs, QuerySet):
            return False
        query = qs.query
        # DISTINCT would compare the ordering columns too; a UNION has no plain pk to select.
        return not (query.distinct or query.combinator or query.is_sliced)


class BoundedCountPaginator(DeferredJoinPaginator):
    """A paginator whose count costs one query bounded by ``exact_limit`` rows (see the module docstring).

    Past the limit a filtered list's count is ``exact_limit + 1`` and :attr:`count_is_lower_bound`
    is true: the changelist then says "more than 10,000" (``templates/admin/pagination.html`` and
    ``search_form.html``) instead of a number that is not the count. A search counts to
    ``search_exact_limit`` (:func:`search_bounded_get_paginator`).
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


def search_bounded_get_paginator(model_admin, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
    """``ModelAdmin.get_paginator`` for every changelist (wired by ``admin_site``): while a search is
    active the count is bounded at ``BoundedCountPaginator.search_exact_limit``, also for an admin
    whose paginator is the site's default (:class:`DeferredJoinPaginator`), whose count is otherwise
    a full ``COUNT(*)`` of the search's result."""
    from django.contrib.admin.views.main import SEARCH_VAR

    paginator_class = model_admin.paginator
    searching = bool(model_admin.get_search_fields(request)) and bool(request.GET.get(SEARCH_VAR, "").strip())
    if searching and paginator_class is DeferredJoinPaginator:
        paginator_class = BoundedCountPaginator
    paginator = paginator_class(queryset, per_page, orphans, allow_empty_first_page)
    if searching and isinstance(paginator, BoundedCountPaginator):
        paginator.exact_limit = min(paginator.exact_limit, paginator.search_exact_limit)
        paginator.count_by_indexes = isinstance(model_admin, IndexedSearchMixin)
    return paginator


class TextListFilter(admin.SimpleListFilter):
    """Filter by typed text (or an id), rendered as a small search box in the filter sidebar.

    Subclasses set ``title``, ``parameter_name``, ``id_lookup`` (used when the text is a number, e.g.
    ``"event_id"``) and ``text_lookups`` (``icontains`` lookups OR-ed together), or override
    :meth:`filter_text`.
    """

    template = "admin/kitb/text_list_filter.html"
    id_lookup: str | None = None
    text_lookups: tuple[str, ...] = ()
    max_length = 100

    def lookups(self, request, model_admin):
        return [("", "")]  # the admin shows a filter only when it has a lookup; the template ignores it

    def choices(self, changelist):
        yield {
            "selected": self.value() not in (None, ""),
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "hidden": [(k, v) for k, v in changelist.params.items() if k != self.parameter_name],
            "value": self.value() or "",
            "display": _("All"),
        }

    def queryset(self, request, queryset):
        text = (self.value() or "").strip()[: self.max_length]
        if not text:
            return queryset
        if self.id_lookup and text.isdigit():
            return queryset.filter(**{self.id_lookup: int(text)})
        return self.filter_text(queryset, text)

    def filter_text(self, queryset, text: str):
        condition = Q()
        for lookup in self.text_lookups:
            condition |= Q(**{lookup: text})
        return queryset.filter(condition)


class FixedChoicesFilter(admin.SimpleListFilter):
    """Exact-match filter on ``field`` with fixed ``choices`` [(value, label)], plus "other" if ``other``."""

    field: str = ""
    choices_list: list[tuple[str, str]] = []
    other = False

    def lookups(self, request, model_admin):
        return [*self.choices_list, *([("__other__", _("Other"))] if self.other else [])]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "__other__" and self.other:
            return queryset.exclude(**{f"{self.field}__in": [v for v, _l in self.choices_list]})
        if value in {v for v, _l in self.choices_list}:
            return queryset.filter(**{self.field: value})
        return queryset


class ReadOnlyAdminMixin:
    """An admin page that only shows: no adding, changing or deleting here (the records are written
    by services, or must never change)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def fast_action_checkbox(model_admin, obj):
    """A row's action checkbox as one ``format_html``, the same markup as Django's
    ``ModelAdmin.action_checkbox`` (which renders a ``CheckboxInput`` through the form renderer's
    templates for every row). ``admin_site`` gives it to every admin that keeps Django's."""
    return format_html(
        '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
        helpers.ACTION_CHECKBOX_NAME, str(obj.pk),
        format_html(gettext("Select this object for an action - {}"), str(obj)),
    )


class FastRowLinkChangeList(ChangeList):
    """Django's changelist, whose row links cost no URL resolve and reverse per row.

    Django builds each row's link with ``reverse()`` and then ``add_preserved_filters``, which
    ``resolve()``s that link (a walk through every admin URL pattern) only to learn it is not the
    changelist's, then appends the preserved filters (``_changelist_filters=...``): about 0.15 ms a
    row, 15 ms of a 100-row page. Here the change URL is reversed once per page with a placeholder
    for the key, and the preserved filters are appended to each row's link before Django's own
    ``add_preserved_filters`` sees it (with no filters of its own left to preserve it only parses
    and re-encodes the query), so the links are the same strings.
    """

    _PK = "KITBROWPK"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_link_query, self.preserved_filters = self.preserved_filters, ""
        self._change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=(self._PK,),
            current_app=self.model_admin.admin_site.name,
        )

    def url_for_result_template(self) -> str:
        """Every row's link with ``_PK`` in place of the row's (quoted) key."""
        return f"{self._change_url}?{self.row_link_query}" if self.row_link_query else self._change_url

    def url_for_result(self, result):
        return self.url_for_result_template().replace(self._PK, str(quote(getattr(result, self.pk_attname))))


COUNTRY_CHOICES = [("ID", _("Indonesia")), ("KR", _("South Korea"))]
LANGUAGE_CHOICES = [("id", _("Indonesian")), ("ko", _("Korean")), ("en", _("English"))]


class SharedChoicesInlineMixin:
    """An inline whose foreign-key selects (``shared_choice_fields``) read their options once per request.

    Each form of a formset copies the field, and a ``ModelChoiceField`` runs its queryset again for every
    copy: one query per inline row and select (the MoU change page had 34 queries). The options are read
    once, kept on the request, and every row's select shows that list; validation still goes through the
    field's queryset.
    """

    shared_choice_fields: tuple[str, ...] = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name in self.shared_choice_fields and request is not None:
            shared = request.__dict__.setdefault("_kitb_shared_choices", {})
            # Selects over the same rows (two inlines listing every organisation) share one read.
            try:
                key = (db_field.remote_field.model, str(field.queryset.query), field.empty_label)
            except EmptyResultSet:  # a queryset that is none(): nothing to read anyway
                key = (db_field.model, db_field.name)
            if key not in shared:
                shared[key] = list(iter(field.choices))  # iter: no COUNT first
            field.choices = shared[key]
        return field


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


class _KnownChoicesMixin:
    """An autocomplete widget that shows its chosen objects from ``known`` ({str(pk): object}, read
    for every row of the formset at once) instead of reading them itself; Django's own
    ``AutocompleteMixin.optgroups`` with that one read taken out."""

    known: dict | None = None

    def optgroups(self, name, value, attr=None):
        selected_choices = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if self.known is None or not selected_choices <= self.known.keys():
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        has_selected = False
        for key in sorted(selected_choices, key=lambda k: (len(k), k)):
            obj = self.known[key]
            selected = key in value and (has_selected is False or self.allow_multiple_selected)
            has_selected |= selected
            default[1].append(self.create_option(name, obj.pk, self.choices.field.label_from_instance(obj), selected_choices, len(default[1])))
        return [default]


class BatchedAutocompleteSelect(_KnownChoicesMixin, AutocompleteSelect):
    pass


class BatchedAutocompleteSelectMultiple(_KnownChoicesMixin, AutocompleteSelectMultiple):
    pass


class BatchedAutocompleteInlineMixin:
    """An inline whose ``autocomplete_fields`` read the chosen objects of all its rows in one query per
    field. Django's autocomplete widget reads its row's chosen objects when it renders: one query per
    row and field (the event page's agenda: a room and the speakers of every session). Here the
    formset collects every row's chosen ids, reads them once through the form field's queryset, and
    each row's widget shows them from that read. Relations to the model's primary key only.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = BatchedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = BatchedAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        names = tuple(self.get_autocomplete_fields(request))

        class BatchedFormSet(formset):
            @cached_property
            def forms(self):
                forms = super().forms
                _share_chosen_objects(forms, names)
                return forms

        return BatchedFormSet


def _share_chosen_objects(forms, names) -> None:
    for name in names:
        rows = [(form.fields[name], form[name].value()) for form in forms if name in form.fields]
        if not rows:
            continue
        chosen = set()
        for _field, value in rows:
            values = value if isinstance(value, list | tuple) else [value]
            chosen.update(str(v) for v in values if v not in (None, ""))
        field = rows[0][0]
        known = {str(obj.pk): obj for obj in field.queryset.filter(pk__in=chosen)} if chosen else {}
        for form_field, _value in rows:
            widget = getattr(form_field.widget, "widget", form_field.widget)  # inside the add/change links
            if isinstance(widget, _KnownChoicesMixin):
                widget.known = known


class DecideViewMixin:
    """A ``decide_view(request, object_id)`` page at ``<object_id>/decide/`` (URL name
    ``<app>_<model>_decide``), and its link (``decide_url``) on the change page when
    ``can_decide(request, obj)`` says the user may decide on this object."""

    def can_decide(self, request, obj) -> bool:
        raise NotImplementedError

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/decide/", self.admin_site.admin_view(self.decide_view), name=f"{prefix}_decide"),
        ] + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.can_decide(request, obj):  # the change page's own object: no second read
            context["decide_url"] = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_decide", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)
