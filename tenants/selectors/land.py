"""Reads of the land: zones (a tree) and plots, the land summary, the area used in a zone's subtree,
the site plan, the plots held by an application, and what partners may see of the land (never an
internal zone, never who holds a plot)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.http import Http404

from ..models import Allocation, Application, Plot, Zone
from ..permissions import can_view_application, can_view_land


@dataclass
class ZoneLand:
    id: int
    code: str
    name: str
    parent_id: int | None
    depth: int
    area_ha: Decimal
    allocated_ha: Decimal
    reserved_ha: Decimal
    free_ha: Decimal
    allocated_pct: Decimal
    reserved_pct: Decimal
    free_pct: Decimal
    plots: int


LAND_SUMMARY_SQL = """
WITH RECURSIVE
tree(id, depth, path) AS (
    SELECT id, 0, ARRAY[code::text] FROM tenants_zone WHERE parent_id IS NULL
    UNION ALL
    SELECT z.id, t.depth + 1, t.path || z.code::text FROM tenants_zone z JOIN tree t ON z.parent_id = t.id
),
closure(ancestor_id, zone_id) AS (
    SELECT id, id FROM tenants_zone
    UNION
    SELECT c.ancestor_id, z.id FROM closure c JOIN tenants_zone z ON z.parent_id = c.zone_id
),
live AS (
    SELECT p.zone_id, a.kind, p.area_ha FROM tenants_allocation a JOIN tenants_plot p ON p.id = a.plot_id WHERE a.is_live
),
used AS (
    SELECT c.ancestor_id AS zone_id,
           COALESCE(SUM(l.area_ha) FILTER (WHERE l.kind = 'allocated'), 0) AS allocated,
           COALESCE(SUM(l.area_ha) FILTER (WHERE l.kind = 'reserved'), 0) AS reserved
    FROM closure c JOIN live l ON l.zone_id = c.zone_id
    GROUP BY c.ancestor_id
),
plots AS (
    SELECT c.ancestor_id AS zone_id, COUNT(p.id) AS n
    FROM closure c JOIN tenants_plot p ON p.zone_id = c.zone_id GROUP BY c.ancestor_id
)
SELECT z.id, z.code, z.name, z.parent_id, t.depth, z.area_ha,
       COALESCE(u.allocated, 0)::numeric(12, 2), COALESCE(u.reserved, 0)::numeric(12, 2),
       (z.area_ha - COALESCE(u.allocated, 0) - COALESCE(u.reserved, 0))::numeric(12, 2),
       ROUND(100 * COALESCE(u.allocated, 0) / z.area_ha, 1),
       ROUND(100 * COALESCE(u.reserved, 0) / z.area_ha, 1),
       ROUND(100 * (z.area_ha - COALESCE(u.allocated, 0) - COALESCE(u.reserved, 0)) / z.area_ha, 1),
       COALESCE(pl.n, 0)
FROM tenants_zone z
JOIN tree t ON t.id = z.id
LEFT JOIN used u ON u.zone_id = z.id
LEFT JOIN plots pl ON pl.zone_id = z.id
ORDER BY t.path
"""


def land_summary() -> list[ZoneLand]:
    """Per zone (its descendants included): area, allocated, reserved and free, in ha and %; one query."""
    with connection.cursor() as cursor:
        cursor.execute(LAND_SUMMARY_SQL)
        return [ZoneLand(*row) for row in cursor.fetchall()]


def zone_chain_ids(zone_id: int) -> list[int]:
    """The zone and its ancestors (root last)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """WITH RECURSIVE chain(id, parent_id, depth) AS (
                   SELECT id, parent_id, 0 FROM tenants_zone WHERE id = %s
                   UNION
                   SELECT z.id, z.parent_id, c.depth + 1 FROM tenants_zone z JOIN chain c ON z.id = c.parent_id
               ) SELECT id FROM chain ORDER BY depth""",
            [zone_id],
        )
        return [row[0] for row in cursor.fetchall()]


def zone_used_area(zone_ids: list[int]) -> dict[int, Decimal]:
    """Live allocated + reserved plot area in each zone's subtree."""
    if not zone_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """WITH RECURSIVE closure(ancestor_id, zone_id) AS (
                   SELECT id, id FROM tenants_zone WHERE id = ANY(%s)
                   UNION
                   SELECT c.ancestor_id, z.id FROM closure c JOIN tenants_zone z ON z.parent_id = c.zone_id
               )
               SELECT c.ancestor_id, SUM(p.area_ha)
               FROM closure c
               JOIN tenants_plot p ON p.zone_id = c.zone_id
               JOIN tenants_allocation a ON a.plot_id = p.id AND a.is_live
               GROUP BY c.ancestor_id""",
            [list(zone_ids)],
        )
        used = {zone_id: Decimal(0) for zone_id in zone_ids}
        used.update({row[0]: row[1] for row in cursor.fetchall()})
        return used


def site_plan_zone(code: str = "phase-1") -> Zone | None:
    return Zone.objects.filter(code=code).first()


ZONE_SUBTREE_SQL = """WITH RECURSIVE sub(id) AS (
    SELECT id FROM tenants_zone WHERE id = %s
    UNION
    SELECT z.id FROM tenants_zone z JOIN sub ON z.parent_id = sub.id
) SELECT id FROM sub"""


def zone_subtree_ids(zone_id: int) -> list[int]:
    """The zone and all its descendants."""
    with connection.cursor() as cursor:
        cursor.execute(ZONE_SUBTREE_SQL, [zone_id])
        return [row[0] for row in cursor.fetchall()]


def site_plan_plots(zone: Zone, *, for_partners: bool = False) -> list[Plot]:
    """The plots of a zone and its sub-zones for the site plan, with the application holding each.

    ``for_partners``: no holder (never a tenant's name) and no plot of an internal zone."""
    qs = Plot.objects.filter(zone_id__in=RawSQL(ZONE_SUBTREE_SQL, [zone.pk]))
    if for_partners:
        qs = qs.filter(zone_id__in=RawSQL(PARTNER_ZONES_SQL, []))
    else:
        live = Application.objects.filter(allocations__plot=OuterRef("pk"), allocations__is_live=True).values("company_name")[:1]
        qs = qs.annotate(holder=Subquery(live))
    return list(qs.order_by("grid_row", "grid_col", "code"))


def plot_choices_for_allocation() -> QuerySet[Plot]:
    return Plot.objects.select_related("zone").filter(status=Plot.Status.AVAILABLE).order_by("code")


def approved_applications() -> QuerySet[Application]:
    return Application.objects.filter(status=Application.Status.APPROVED).select_related("referrer").order_by("company_name")


def allocation_list_for(user, application: Application) -> QuerySet:
    """Live plots held by an application (partners see the plot, never who decided)."""
    if not can_view_application(user, application):
        raise Http404
    return Allocation.objects.filter(application=application, is_live=True).select_related("plot__zone").order_by("plot__code")


def _partner_plot_ids(user) -> QuerySet:
    return Allocation.objects.filter(is_live=True, application__referrer_id=user.organization_id).values("plot_id")


def plot_list_for(user) -> QuerySet[Plot]:
    """Plots: staff who may view land see every plot; a partner the plots held (reserved or
    allocated) for the applications their organisation referred (as on the application's page)."""
    if not user.is_authenticated or not user.is_active:
        return Plot.objects.none()
    if user.is_staff:
        qs = Plot.objects.all() if can_view_land(user) else Plot.objects.none()
    elif user.organization_id:
        qs = Plot.objects.filter(pk__in=_partner_plot_ids(user))
    else:
        return Plot.objects.none()
    return qs.select_related("zone").order_by("code")


def zone_list_for(user) -> QuerySet[Zone]:
    """Zones: staff who may view land see all; a partner the zones of the plots they may see."""
    if not user.is_authenticated or not user.is_active:
        return Zone.objects.none()
    if user.is_staff:
        qs = Zone.objects.all() if can_view_land(user) else Zone.objects.none()
    elif user.organization_id:
        qs = Zone.objects.filter(plots__in=_partner_plot_ids(user)).distinct()
    else:
        return Zone.objects.none()
    return qs.order_by("code")


# --- land for partners ----------------------------------------------------------------------------

PARTNER_ZONES_SQL = """WITH RECURSIVE visible(id) AS (
    SELECT id FROM tenants_zone WHERE parent_id IS NULL AND NOT is_internal
    UNION
    SELECT z.id FROM tenants_zone z JOIN visible v ON z.parent_id = v.id WHERE NOT z.is_internal
) SELECT id FROM visible"""


def partner_zones() -> list[Zone]:
    """Zones partners may see: not internal, and under no internal zone (one query)."""
    return list(Zone.objects.filter(pk__in=RawSQL(PARTNER_ZONES_SQL, [])).order_by("code"))


def partner_plots(zones: list[Zone]) -> list[Plot]:
    """The plots of those zones, for partners: area, utilities and status; never who holds them."""
    return list(Plot.objects.filter(zone_id__in=[z.pk for z in zones]).order_by("zone__code", "code"))


def partner_plot_choices():
    """Plots a partner may name as preferred: available, in a zone partners may see."""
    return Plot.objects.filter(status=Plot.Status.AVAILABLE, zone_id__in=RawSQL(PARTNER_ZONES_SQL, [])).select_related("zone").order_by("code")
