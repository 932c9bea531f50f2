"""Several ``QuerySet.aggregate()`` calls in one SQL statement.

A dashboard panel often needs the totals of two tables (MoUs per status and commitments overdue, say).
:func:`aggregate_together` sends each aggregate as a one-row sub-select and cross-joins them, so the
page pays one round trip, and PostgreSQL one statement, instead of one per table. Each sub-select has
no GROUP BY, so it returns its one row (zeros, NULL sums) even over no rows, as ``aggregate()`` does.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet, Value


def aggregate_together(*parts: tuple[QuerySet, dict]) -> list[dict]:
    """For each ``(queryset, {name: aggregate})``, the dict ``queryset.aggregate(**aggregates)`` would give."""
    if not parts:
        return []
    selects, params, names = [], [], []
    db = parts[0][0].db
    for i, (queryset, aggregates) in enumerate(parts):
        query = queryset.order_by().annotate(_one=Value(1)).values("_one").annotate(**aggregates).query
        sql, part_params = query.sql_with_params()
        selects.append(f"({sql}) AS part{i}")
        params.extend(part_params)
        names.append(list(aggregates))
    with connections[db].cursor() as cursor:
        cursor.execute("SELECT * FROM " + " CROSS JOIN ".join(selects), params)
        row = cursor.fetchone()
        columns = [c.name for c in cursor.description]
    results, at = [], 0
    for part in names:
        assert columns[at] == "_one" and columns[at + 1:at + 1 + len(part)] == part, columns
        results.append(dict(zip(part, row[at + 1:at + 1 + len(part)])))
        at += 1 + len(part)
    return results
