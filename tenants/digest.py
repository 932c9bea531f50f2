"""The tenants section of the digest (``settings.DIGEST_SECTIONS``; composed by
``kitb_portal.notifications.digest``).

Staff who may view applications: the screening pipeline (applications per step, and how many are
overdue in their step), the moves between steps in the reader's window, the tenant projects
(investment realised vs planned, jobs, projects at risk, milestones due soon), and the land still free per
zone (new when an allocation was made or released in the window). Partner users: the open
applications their organisation referred and those decided in the window (new when their status
changed in the window).

A fixed number of queries whatever the number of readers (permissions, settings, pipeline counts,
status changes, land per zone, allocation changes, referred applications), all read in bulk with
aggregates, so the section keeps working while the screening workflow grows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import partial

from django.db import connection
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kitb_portal.notifications.digest import (
    DigestGroup,
    DigestItem,
    DigestSection,
    after,
    shared,
    site_url,
    users_with_perm,
)

from .models import IN_REVIEW_STATUSES, Allocation, Application, ApplicationStatus, ScreeningSettings, StatusChange
from .selectors import project_figures

DEFAULT_OVERDUE_DAYS = 14

# Free land per zone (its sub-zones included): live allocations and reservations take their plots' area.
LAND_FREE_SQL = """
WITH RECURSIVE closure(ancestor_id, zone_id) AS (
    SELECT id, id FROM tenants_zone
    UNION
    SELECT c.ancestor_id, z.id FROM closure c JOIN tenants_zone z ON z.parent_id = c.zone_id
),
used AS (
    SELECT c.ancestor_id AS zone_id, SUM(p.area_ha) AS ha
    FROM closure c
    JOIN tenants_plot p ON p.zone_id = c.zone_id
    JOIN tenants_allocation a ON a.plot_id = p.id AND a.is_live
    GROUP BY c.ancestor_id
)
SELECT z.id, z.name, z.area_ha, (z.area_ha - COALESCE(u.ha, 0))::numeric(12, 2)
FROM tenants_zone z LEFT JOIN used u ON u.zone_id = z.id
ORDER BY z.code
"""


def _status_label(value):
    return ApplicationStatus(value).label if value in ApplicationStatus.values else value


def section(recipients, since, now) -> dict:
    staff_ids = users_with_perm(recipients, "tenants.view_application")
    partners = [u for u in recipients if not u.is_staff and u.organization_id]
    readers = [u for u in recipients if u.pk in staff_ids] + partners
    if not readers:
        return {}
    earliest = min(since[u.pk] for u in readers)
    changes = list(
        StatusChange.objects.filter(created_at__gt=earliest, created_at__lte=now)
        .values_list("application_id", "application__company_name", "application__referrer_id", "from_status", "to_status", "created_at")
        .order_by("created_at", "pk")
    )
    answer: dict = {}
    cache: dict = {}

    if staff_ids:
        overdue_days = (ScreeningSettings.objects.filter(pk=1).values_list("overdue_days", flat=True).first() or DEFAULT_OVERDUE_DAYS)
        pipeline = {
            row["status"]: row
            for row in Application.objects.filter(status__in=IN_REVIEW_STATUSES).values("status").annotate(
                n=Count("pk"), overdue=Count("pk", filter=Q(status_changed_at__lte=now - dt.timedelta(days=overdue_days)))
            )
        }
        with connection.cursor() as cursor:
            cursor.execute(LAND_FREE_SQL)
            zones = cursor.fetchall()
        land = Allocation.objects.aggregate(created=Max("created_at"), released=Max("released_at"))
        figures = project_figures(today=timezone.localdate(now))

        projects_url = site_url("admin:tenants_tenantproject_changelist")
        project_items = []
        if figures.projects:
            usd = {k: ("—" if v is None else f"{v:,.0f}") for k, v in (("planned", figures.planned["USD"]), ("realised", figures.realised["USD"]))}
            project_items = [
                DigestItem(_("Investment realised / planned"), projects_url,
                           format_lazy(_("USD {realised} of USD {planned}"), realised=usd["realised"], planned=usd["planned"])),
                DigestItem(_("Jobs realised / planned"), projects_url,
                           format_lazy(_("{realised} of {planned}, {local} of them local"), realised=figures.jobs_realised,
                                       planned=figures.jobs_planned, local=figures.jobs_local)),
                DigestItem(_("Projects at risk"), projects_url + "?at_risk=1", str(figures.at_risk)),
            ] + [
                DigestItem(m.company_name, site_url("admin:tenants_tenantproject_change", m.project_id),
                           format_lazy(_("{milestone} planned on {date}"), milestone=m.label, date=m.planned_on.isoformat()))
                for m in figures.upcoming
            ]

        def staff_section(reader_since):
            moved = [c for c in changes if c[5] > reader_since]
            steps = []
            for status in IN_REVIEW_STATUSES:
                row = pipeline.get(status, {"n": 0, "overdue": 0})
                detail = format_lazy(_("{n} in this step, {overdue} overdue (more than {days} days)"),
                                     n=row["n"], overdue=row["overdue"], days=overdue_days)
                new = any(c[4] == status for c in moved)
                steps.append(DigestItem(_status_label(status), site_url("admin:tenants_application_changelist") + f"?status={status}",
                                        detail, new=new))
            moves = [
                DigestItem(name, site_url("admin:tenants_application_change", app_id),
                           format_lazy(_("{old} → {new}"), old=_status_label(old), new=_status_label(new)), new=True)
                for app_id, name, _referrer, old, new, _at in reversed(moved)
            ]
            land_new = after(land["created"], reader_since) or after(land["released"], reader_since)
            land_items = [
                DigestItem(name, "", format_lazy(_("{free} ha free of {area} ha"), free=free, area=area), new=land_new)
                for _id, name, area, free in zones
            ]
            return DigestSection("tenants", _("Tenant screening and land"), [
                DigestGroup.of(_("Screening pipeline"), steps),
                DigestGroup.of(_("Applications that moved"), moves),
                DigestGroup.of(_("Tenant projects"), project_items),
                DigestGroup.of(_("Land still free per zone"), land_items),
            ], url=site_url("admin:tenants_application_changelist"))

        for user in readers:
            if user.pk in staff_ids:
                answer[user.pk] = shared(cache, ("staff", since[user.pk]), partial(staff_section, since[user.pk]))

    org_ids = {u.organization_id for u in partners}
    if org_ids:
        applications = list(
            Application.objects.filter(referrer_id__in=org_ids)
            .filter(Q(status__in=IN_REVIEW_STATUSES) | Q(status_changed_at__gt=earliest))
            .exclude(status=ApplicationStatus.DRAFT)
            .values_list("pk", "company_name", "referrer_id", "status", "status_changed_at")
            .order_by("company_name", "pk")
        )
        by_org = defaultdict(list)
        for row in applications:
            by_org[row[2]].append(row)

        def partner_section(org_id, reader_since):
            items = [
                DigestItem(name, site_url("tenants:application_detail", pk), _status_label(status),
                           new=after(changed_at, reader_since))
                for pk, name, _org, status, changed_at in by_org.get(org_id, [])
                if status in IN_REVIEW_STATUSES or after(changed_at, reader_since)
            ]
            return DigestSection("tenants", _("Tenant applications"), [DigestGroup.of(_("Applications your organisation referred"), items)],
                                 url=site_url("tenants:application_list"))

        for user in partners:
            answer[user.pk] = shared(cache, (user.organization_id, since[user.pk]),
                                     partial(partner_section, user.organization_id, since[user.pk]))
    return answer
