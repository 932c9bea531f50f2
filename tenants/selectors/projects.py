"""Reads of the tenant projects (what an approved application becomes): the projects a user may see,
their milestones (late, overdue), their money in the three currencies, and the figures of all
projects for the dashboard and the digest (one query)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from ..milestones import label_of
from ..models import Milestone, TenantProject
from ..permissions import _active, staff_may
from .money import MONEY_CURRENCIES, RATES_SQL, convert_money, current_rates, rates_from_rows


def _project_scope(user, qs):
    if not _active(user):
        return qs.none()
    if user.is_staff:
        return qs if staff_may(user, "tenants.view_tenantproject") else qs.none()
    if user.organization_id is None:
        return qs.none()
    return qs.filter(application__referrer_id=user.organization_id)


def milestone_late_days() -> int:
    return int(getattr(settings, "TENANTS_MILESTONE_LATE_DAYS", 30))


def late_milestones(*, today=None):
    """Milestones not confirmed and planned more than TENANTS_MILESTONE_LATE_DAYS ago."""
    today = today or timezone.localdate()
    return Milestone.objects.filter(actual_on__isnull=True, planned_on__lt=today - timedelta(days=milestone_late_days()))


def with_project_annotations(qs, *, today=None):
    """``at_risk`` (a milestone late beyond the setting), ``next_kind`` / ``next_planned_on`` (the first
    milestone not confirmed yet) and ``done_count``."""
    open_ = Milestone.objects.filter(project=OuterRef("pk"), actual_on__isnull=True).order_by("position")
    done = Milestone.objects.filter(project=OuterRef("pk"), actual_on__isnull=False).order_by().values("project").annotate(n=Count("pk")).values("n")
    return qs.annotate(
        at_risk=Exists(late_milestones(today=today).filter(project=OuterRef("pk"))),
        next_kind=Subquery(open_.values("kind")[:1]),
        next_planned_on=Subquery(open_.values("planned_on")[:1]),
        done_count=Coalesce(Subquery(done), Value(0)),
    )


def project_list_for(user, *, today=None):
    qs = _project_scope(user, TenantProject.objects.select_related("application__sector", "application__referrer", "owner"))
    return with_project_annotations(qs, today=today).order_by("application__company_name", "pk")


def project_get_for(user, pk):
    try:
        return project_list_for(user).get(pk=pk)
    except (TenantProject.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def project_milestones(project, *, today=None) -> list:
    """The project's milestones in order, each with ``late`` (planned more than the setting ago, not done)."""
    today = today or timezone.localdate()
    limit = today - timedelta(days=milestone_late_days())
    rows = list(project.milestones.select_related("confirmed_by").order_by("position"))
    for m in rows:
        m.late = m.actual_on is None and m.planned_on is not None and m.planned_on < limit
        m.overdue = m.actual_on is None and m.planned_on is not None and m.planned_on < today
    return rows


def project_money(project, *, rates=None) -> dict:
    """Planned and realised investment in USD, IDR and KRW (the application's currency converted)."""
    application = project.application
    rates = current_rates() if rates is None else rates
    return {
        "currency": application.investment_currency,
        "planned": application.investment_amount,
        "realised": project.investment_realised,
        "planned_in": convert_money(application.investment_amount, application.investment_currency, rates=rates),
        "realised_in": convert_money(project.investment_realised, application.investment_currency, rates=rates),
    }


# --- figures of the projects (dashboard and digest) ----------------------------------------------

UPCOMING_DAYS = 60


@dataclass
class UpcomingMilestone:
    project_id: int
    kind: str
    planned_on: date
    company_name: str

    @property
    def label(self) -> str:
        return label_of(self.kind)


@dataclass
class ProjectFigures:
    projects: int
    planned: dict  # {"USD": ..., "IDR": ..., "KRW": ...}, None where a rate is missing
    realised: dict
    missing_rates: list[str]
    jobs_planned: int
    jobs_realised: int
    jobs_local: int
    at_risk: int
    upcoming: list[UpcomingMilestone]
    upcoming_count: int


PROJECT_FIGURES_SQL = """
SELECT
  (SELECT COALESCE(json_agg(json_build_array(t.currency, t.n, t.planned::text, t.realised::text, t.jobs_planned, t.jobs, t.local)), '[]'::json)
     FROM (SELECT a.investment_currency AS currency, COUNT(p.id) AS n, SUM(a.investment_amount) AS planned,
                  SUM(p.investment_realised) AS realised, COALESCE(SUM(a.jobs_planned), 0) AS jobs_planned,
                  COALESCE(SUM(p.jobs_realised), 0) AS jobs, COALESCE(SUM(p.jobs_local), 0) AS local
             FROM tenants_tenantproject p JOIN tenants_application a ON a.id = p.application_id
            GROUP BY a.investment_currency) t),
  (SELECT COUNT(DISTINCT m.project_id) FROM tenants_milestone m WHERE m.actual_on IS NULL AND m.planned_on < %(late_before)s),
  (SELECT COUNT(*) FROM tenants_milestone m WHERE m.actual_on IS NULL AND m.planned_on BETWEEN %(today)s AND %(until)s),
  (SELECT COALESCE(json_agg(json_build_array(u.project_id, u.kind, u.planned_on, u.company_name)), '[]'::json)
     FROM (SELECT m.project_id, m.kind, m.planned_on, a.company_name
             FROM tenants_milestone m JOIN tenants_tenantproject p ON p.id = m.project_id JOIN tenants_application a ON a.id = p.application_id
            WHERE m.actual_on IS NULL AND m.planned_on BETWEEN %(today)s AND %(until)s
            ORDER BY m.planned_on, m.id LIMIT %(limit)s) u),
  (SELECT COALESCE(json_agg(json_build_array(r.currency, r.usd_rate::text, r.idr_rate::text)), '[]'::json) FROM (""" + RATES_SQL + """) r)
"""


def project_figures(*, today=None, limit: int = 10) -> ProjectFigures:
    """Investment planned vs realised (summed per currency, then converted through
    :func:`convert_money` at the current rates), jobs, projects at risk (a milestone late by more
    than TENANTS_MILESTONE_LATE_DAYS), and the milestones due in the next UPCOMING_DAYS days: one
    query whatever the number of projects."""
    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(PROJECT_FIGURES_SQL, {
            "late_before": today - timedelta(days=milestone_late_days()), "today": today,
            "until": today + timedelta(days=UPCOMING_DAYS), "limit": limit,
        })
        groups, at_risk, upcoming_count, upcoming, rate_rows = cursor.fetchone()
    rates = rates_from_rows(rate_rows)
    planned = {code: Decimal(0) for code in MONEY_CURRENCIES}
    realised = {code: Decimal(0) for code in MONEY_CURRENCIES}
    missing = set()
    for currency, _n, planned_sum, realised_sum, _jp, _j, _l in groups:
        for total, amount in ((planned, planned_sum), (realised, realised_sum)):
            if amount is None:
                continue
            for code, value in convert_money(Decimal(amount), currency, rates=rates).items():
                if value is None:
                    missing.add(currency)
                elif total[code] is not None:
                    total[code] += value
    return ProjectFigures(
        projects=sum(g[1] for g in groups), planned=planned, realised=realised, missing_rates=sorted(missing),
        jobs_planned=sum(g[4] for g in groups), jobs_realised=sum(g[5] for g in groups), jobs_local=sum(g[6] for g in groups),
        at_risk=at_risk, upcoming_count=upcoming_count,
        upcoming=[UpcomingMilestone(pid, kind, date.fromisoformat(day), name) for pid, kind, day, name in upcoming],
    )
