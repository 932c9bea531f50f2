"""Admin changelist helpers whose cost does not grow with the tables (used by every app's admin).

* :class:`DeferredJoinPaginator` (from ``kitb_portal/common/pagination.py``, beside the portal lists'
  ``PageFirstPaginator``): a deep page (``OFFSET`` in the thousands) reads the page's ids
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
* :class:`BatchedAutocompleteInlineMixin`: an inline's autocomplete and raw-id widgets read the chosen
  objects of every row at once, not once per row.
"""

from ..pagination import BoundedCountPaginator, DeferredJoinPaginator
from .changelist import DecideViewMixin, FastRowLinkChangeList, ReadOnlyAdminMixin, fast_action_checkbox
from .filters import COUNTRY_CHOICES, LANGUAGE_CHOICES, FixedChoicesFilter, TextListFilter
from .inlines import (
    BatchedAutocompleteInlineMixin,
    BatchedAutocompleteSelect,
    BatchedAutocompleteSelectMultiple,
    SharedChoicesInlineMixin,
)
from .search import AnyOfArray, IndexedSearchMixin, search_bounded_get_paginator

__all__ = [
    "COUNTRY_CHOICES", "LANGUAGE_CHOICES", "AnyOfArray", "BatchedAutocompleteInlineMixin", "BatchedAutocompleteSelect",
    "BatchedAutocompleteSelectMultiple", "BoundedCountPaginator", "DecideViewMixin", "DeferredJoinPaginator",
    "FastRowLinkChangeList", "FixedChoicesFilter", "IndexedSearchMixin", "ReadOnlyAdminMixin", "SharedChoicesInlineMixin",
    "TextListFilter", "fast_action_checkbox", "search_bounded_get_paginator",
]
