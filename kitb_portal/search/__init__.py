"""Search across records: the core runs the apps' sources (``settings.SEARCH_SOURCES``) and imports no app.

See :mod:`kitb_portal.search.core` for the query rules and :mod:`kitb_portal.search.documents` for the
expressions the apps index.
"""
