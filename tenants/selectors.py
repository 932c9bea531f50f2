"""Reads of the tenants app, scoped by who asks; each costs a fixed number of queries.

Partners see only the applications their organisation referred: anything else raises Http404, the
same answer as for a record that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Round
from django.http import Http404

from .models import (
    IN_REVIEW_STATUSES,
    Application,
    ApplicationComment,
    ApplicationDocument,
    CommentVisibility,
    ExchangeRate,
    Plot,
    Review,
    ReviewAssignment,
    ReviewScore,
    ScreeningCriterion,
    ScreeningSettings,
    StatusChange,
    Zone,
)
from .permissions import can_view_application, can_view_land, is_kitb_administrator, staff_may

MONEY = DecimalField(max_digits=24, decimal_places=2)
SCORE = DecimalField(max_digits=4, decimal_places=2)
DISAGREEMENT_POINTS = 2  # reviewers disagree when their scores on a criterion differ by more than this


# --- applications ---------------------------------------------------------------------------

def _scope(user, qs: QuerySet) -> QuerySet:
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_staff:
        return qs if staff_may(user, "tenants.view_application") else qs.none()
    if user.organization_id is None:
        return qs.none()
    return qs.filter(referrer_id=user.organization_id)


def application_list_for(user, *, status: str | None = None) -> QuerySet[Application]:
    """Applications the user may see (a partner: those their organisation referred), newest first."""
    qs = _scope(user, Application.objects.select_related("sector", "referrer"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def application_get_for(user, pk: int) -> Application:
    try:
        application = Application.objects.select_related("sector", "referrer", "owning_officer").get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_view_application(user, application):
        raise Http404
    return application


def weighted_score_subquery() -> Subquery:
    """Weighted mean score of an application's complete reviews without a conflict of interest."""
    scores = (
        ReviewScore.objects.filter(
            review__assignment__application=OuterRef("pk"),
            review__submitted_at__isnull=False,
            review__conflict_of_interest=False,
        )
        .order_by()
        .values("review__assignment__application")
        .annotate(
            s=ExpressionWrapper(
                Sum(F("score") * F("criterion__weight")) / Sum("criterion__weight"), output_field=SCORE,
            )
        )
        .values("s")
    )
    return Subquery(scores, output_field=SCORE)


def _rate(field: str, currency: str | None = None) -> Subquery:
    """The current (latest ``valid_from``) rate of the row's investment currency (or of ``currency``)."""
    qs = ExchangeRate.objects.filter(currency=currency) if currency else ExchangeRate.objects.filter(currency=OuterRef("investment_currency"))
    return Subquery(qs.order_by("-valid_from").values(field)[:1])


def rates_on(day) -> dict[str, ExchangeRate]:
    """{currency: the rate valid on ``day``} (one query): each currency's row with the latest
    ``valid_from`` not after ``day``."""
    return {
        r.currency: r
        for r in ExchangeRate.objects.filter(valid_from__lte=day).order_by("currency", "-valid_from").distinct("currency")
    }


def convert(amount: Decimal | None, currency: str, rates: dict[str, ExchangeRate]) -> dict[str, Decimal | None]:
    """``amount`` of ``currency`` in USD, IDR and KRW at ``rates`` (None where a rate is missing)."""
    if amount is None:
        return {"usd": None, "idr": None, "krw": None}
    q = Decimal("0.01")
    rate = rates.get(currency)
    usd = Decimal(amount) if currency == "USD" else (Decimal(amount) * rate.usd_rate if rate else None)
    idr = Decimal(amount) if currency == "IDR" else (Decimal(amount) * rate.idr_rate if rate else None)
    krw_rate = rates.get("KRW")
    if currency == "KRW":
        krw = Decimal(amount)
    elif usd is not None and krw_rate is not None:
        krw = usd / krw_rate.usd_rate
    else:
        krw = None
    return {k: (v.quantize(q) if v is not None else None) for k, v in (("usd", usd), ("idr", idr), ("krw", krw))}


def sees_every_score(user) -> bool:
    """Blind reviews: the KITB administrator (and superusers) see every score at any time."""
    return is_kitb_administrator(user)


def _own_counted_review(user, application) -> QuerySet[Review]:
    return Review.objects.filter(
        assignment__application=application, assignment__reviewer_id=user.pk,
        submitted_at__isnull=False, conflict_of_interest=False,
    )


def scores_visible(user, application: Application) -> bool:
    """Whether ``user`` may see the scores of ``application`` (weighted score, averages, spread).

    Blind reviews: anyone but the KITB administrator sees them only after submitting their own
    review of it, and never after declaring a conflict of interest (so a committee member's
    opinion is never shaped by the others'). Partners never see them at all.
    """
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    return sees_every_score(user) or _own_counted_review(user, application).exists()


def with_pipeline_annotations(qs: QuerySet[Application], *, viewer=None) -> QuerySet[Application]:
    """Add ``score``, ``investment_usd``, ``investment_idr``, ``counted_reviews`` and ``assigned_reviews``.

    With ``viewer``: ``score`` is empty (NULL) on every application whose scores the viewer may
    not see (:func:`scores_visible`), so a list column, a filter or an ordering on it tells nothing.
    """
    counted = (
        Review.objects.filter(assignment__application=OuterRef("pk"), submitted_at__isnull=False, conflict_of_interest=False)
        .order_by().values("assignment__application").annotate(n=Count("pk")).values("n")
    )
    assigned = (
        ReviewAssignment.objects.filter(application=OuterRef("pk"))
        .order_by().values("application").annotate(n=Count("pk")).values("n")
    )
    score = Round(weighted_score_subquery(), 2)
    if viewer is not None and not sees_every_score(viewer):
        if viewer.is_staff and viewer.is_active:
            own = _own_counted_review(viewer, OuterRef("pk"))
            score = Case(When(Exists(own), then=score), default=Value(None), output_field=SCORE)
        else:
            score = Value(None, output_field=SCORE)
    return qs.annotate(
        score=score,
        investment_usd=ExpressionWrapper(F("investment_amount") * _rate("usd_rate"), output_field=MONEY),
        investment_idr=ExpressionWrapper(F("investment_amount") * _rate("idr_rate"), output_field=MONEY),
        investment_krw=ExpressionWrapper(F("investment_amount") * _rate("usd_rate") / _rate("usd_rate", "KRW"), output_field=MONEY),
        counted_reviews=Coalesce(Subquery(counted), Value(0)),
        assigned_reviews=Coalesce(Subquery(assigned), Value(0)),
    )


def application_pipeline_for(user) -> QuerySet[Application]:
    """The staff pipeline: every application the user may view, with score and amounts in USD/IDR."""
    qs = _scope(user, Application.objects.select_related("sector", "referrer", "owning_officer"))
    return with_pipeline_annotations(qs, viewer=user)


def application_amounts(application: Application) -> dict[str, Decimal | None]:
    """Planned investment in USD, IDR and KRW at the current rates staff set (None where a rate is missing)."""
    if application.investment_amount is None:
        return {"usd": None, "idr": None, "krw": None}
    from django.utils import timezone

    return convert(application.investment_amount, application.investment_currency, rates_on(timezone.localdate()))


def document_list_for(user, application: Application) -> QuerySet[ApplicationDocument]:
    if not can_view_application(user, application):
        raise Http404
    return application.documents.order_by("created_at", "pk")


def document_get_for(user, application_pk: int, document_pk: int) -> ApplicationDocument:
    application = application_get_for(user, application_pk)
    try:
        return application.documents.get(pk=document_pk)
    except (ApplicationDocument.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def comment_list_for(user, application: Application) -> QuerySet[ApplicationComment]:
    """Staff see every comment; partners only the shared ones (internal ones never reach the portal)."""
    if not can_view_application(user, application):
        raise Http404
    qs = application.comments.select_related("author").order_by("created_at", "pk")
    if not user.is_staff:
        qs = qs.filter(visibility=CommentVisibility.SHARED)
    return qs


def status_changes_for(user, application: Application) -> QuerySet[StatusChange]:
    if not can_view_application(user, application):
        raise Http404
    qs = application.status_changes.order_by("created_at", "pk")
    return qs.select_related("actor") if user.is_staff else qs


# --- reviews --------------------------------------------------------------------------------

@dataclass
class CriterionRow:
    criterion: ScreeningCriterion
    average: Decimal | None
    low: int | None
    high: int | None
    count: int

    @property
    def disagreement(self) -> bool:
        return self.low is not None and self.high is not None and self.high - self.low > DISAGREEMENT_POINTS


@dataclass
class ReviewSummary:
    score: Decimal | None
    rows: list[CriterionRow]
    counted_reviews: int
    conflicted_reviews: int
    pending_reviews: int
    quorum: int

    @property
    def quorum_met(self) -> bool:
        return self.counted_reviews >= self.quorum

    @property
    def disagreements(self) -> list[CriterionRow]:
        return [row for row in self.rows if row.disagreement]


def review_summary(application: Application) -> ReviewSummary:
    """Staff only: weighted score, per-criterion spread, disagreements (> 2 points) and quorum."""
    counted = Q(review__submitted_at__isnull=False, review__conflict_of_interest=False)
    per_criterion = {
        row["criterion"]: row
        for row in ReviewScore.objects.filter(counted, review__assignment__application=application)
        .values("criterion")
        .annotate(avg=Round(ExpressionWrapper(Sum("score") * Decimal("1.0") / Count("pk"), output_field=SCORE), 2),
                  low=Min("score"), high=Max("score"), n=Count("pk"))
    }
    criteria = list(ScreeningCriterion.objects.filter(Q(is_active=True) | Q(pk__in=list(per_criterion))).order_by("position", "code"))
    rows = [
        CriterionRow(c, per_criterion.get(c.pk, {}).get("avg"), per_criterion.get(c.pk, {}).get("low"),
                     per_criterion.get(c.pk, {}).get("high"), per_criterion.get(c.pk, {}).get("n", 0))
        for c in criteria
    ]
    counts = Review.objects.filter(assignment__application=application).aggregate(
        counted=Count("pk", filter=Q(submitted_at__isnull=False, conflict_of_interest=False)),
        conflicted=Count("pk", filter=Q(conflict_of_interest=True)),
        pending=Count("pk", filter=Q(submitted_at__isnull=True)),
    )
    score = (
        Application.objects.filter(pk=application.pk).annotate(score=Round(weighted_score_subquery(), 2))
        .values_list("score", flat=True).first()
    )
    return ReviewSummary(
        score=score, rows=rows, counted_reviews=counts["counted"], conflicted_reviews=counts["conflicted"],
        pending_reviews=counts["pending"], quorum=ScreeningSettings.load().quorum,
    )


def counted_review_count(application_id: int) -> int:
    return Review.objects.filter(
        assignment__application_id=application_id, submitted_at__isnull=False, conflict_of_interest=False,
    ).count()


def review_list_for(user) -> QuerySet[Review]:
    """Reviews in the admin: a reviewer sees their own; the KITB administrator sees all."""
    qs = Review.objects.select_related("assignment__application", "assignment__reviewer")
    if is_kitb_administrator(user):
        return qs
    return qs.filter(assignment__reviewer=user)


def review_get_for(user, pk: int) -> Review:
    try:
        return review_list_for(user).get(pk=pk)
    except (Review.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def review_scores(review: Review) -> dict[int, ReviewScore]:
    return {s.criterion_id: s for s in review.scores.all()}


def active_criteria() -> QuerySet[ScreeningCriterion]:
    return ScreeningCriterion.objects.filter(is_active=True).order_by("position", "code")


# --- reminders ------------------------------------------------------------------------------

def overdue_applications(*, now: datetime, overdue_days: int) -> QuerySet[Application]:
    """Open applications sitting in their step longer than ``overdue_days``, with who to remind."""
    return (
        Application.objects.filter(status__in=IN_REVIEW_STATUSES, status_changed_at__lte=now - timedelta(days=overdue_days))
        .select_related("owning_officer")
        .prefetch_related(
            Prefetch("assignments", queryset=ReviewAssignment.objects.select_related("reviewer", "review").order_by("pk"))
        )
        .order_by("pk")
    )


# --- land -----------------------------------------------------------------------------------

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
    from .models import Allocation

    if not can_view_application(user, application):
        raise Http404
    return Allocation.objects.filter(application=application, is_live=True).select_related("plot__zone").order_by("plot__code")


# --- API ------------------------------------------------------------------------------------
def application_api_list_for(user) -> QuerySet[Application]:
    """Applications for the API: staff get the pipeline's annotations (a score only where they may
    see it, :func:`scores_visible`); a partner their organisation's referrals, without any."""
    if user.is_authenticated and user.is_staff:
        return application_pipeline_for(user).order_by("-created_at", "-pk")
    return application_list_for(user)


def _partner_plot_ids(user) -> QuerySet:
    from .models import Allocation

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


# --- money in the three currencies of the partnership --------------------------------------------

MONEY_CURRENCIES = ("USD", "IDR", "KRW")


# The one statement that reads the rates conversions use (current_rates, and project_figures, which
# reads them in its single query): each currency's rate valid today (the latest ``valid_from``).
RATES_SQL = (
    "SELECT DISTINCT ON (currency) currency, usd_rate, idr_rate FROM tenants_exchangerate"
    " WHERE valid_from <= CURRENT_DATE ORDER BY currency, valid_from DESC"
)


def _rates_from(rows) -> dict[str, tuple[Decimal, Decimal]]:
    return {c: (Decimal(str(usd)), Decimal(str(idr))) for c, usd, idr in rows}


def current_rates() -> dict[str, tuple[Decimal, Decimal]]:
    """{currency: (usd_rate, idr_rate)} at the rates staff set now (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(RATES_SQL)
        return _rates_from(cursor.fetchall())


def convert_money(amount, currency: str, *, rates: dict | None = None) -> dict[str, Decimal | None]:
    """``amount`` of ``currency`` in USD, IDR and KRW (None where a rate is missing), rounded to 0.01.

    USD and IDR use the currency's own rates; KRW goes through USD (the KRW rate's USD value)."""
    if amount is None:
        return {code: None for code in MONEY_CURRENCIES}
    rates = current_rates() if rates is None else rates
    q = Decimal("0.01")
    amount = Decimal(amount)
    usd = amount if currency == "USD" else (amount * rates[currency][0] if currency in rates else None)
    idr = amount if currency == "IDR" else (amount * rates[currency][1] if currency in rates else None)
    if currency == "KRW":
        krw = amount
    elif usd is not None and "KRW" in rates and rates["KRW"][0]:
        krw = usd / rates["KRW"][0]
    else:
        krw = None
    return {"USD": None if usd is None else usd.quantize(q), "IDR": None if idr is None else idr.quantize(q),
            "KRW": None if krw is None else krw.quantize(q)}


# --- tenant projects ------------------------------------------------------------------------------

def _project_scope(user, qs):
    from .permissions import _active

    if not _active(user):
        return qs.none()
    if user.is_staff:
        return qs if staff_may(user, "tenants.view_tenantproject") else qs.none()
    if user.organization_id is None:
        return qs.none()
    return qs.filter(application__referrer_id=user.organization_id)


def milestone_late_days() -> int:
    from django.conf import settings

    return int(getattr(settings, "TENANTS_MILESTONE_LATE_DAYS", 30))


def late_milestones(*, today=None):
    """Milestones not confirmed and planned more than TENANTS_MILESTONE_LATE_DAYS ago."""
    from django.utils import timezone

    from .models_projects import Milestone

    today = today or timezone.localdate()
    return Milestone.objects.filter(actual_on__isnull=True, planned_on__lt=today - timedelta(days=milestone_late_days()))


def with_project_annotations(qs, *, today=None):
    """``at_risk`` (a milestone late beyond the setting), ``next_kind`` / ``next_planned_on`` (the first
    milestone not confirmed yet) and ``done_count``."""
    from .models_projects import Milestone

    open_ = Milestone.objects.filter(project=OuterRef("pk"), actual_on__isnull=True).order_by("position")
    done = Milestone.objects.filter(project=OuterRef("pk"), actual_on__isnull=False).order_by().values("project").annotate(n=Count("pk")).values("n")
    return qs.annotate(
        at_risk=Exists(late_milestones(today=today).filter(project=OuterRef("pk"))),
        next_kind=Subquery(open_.values("kind")[:1]),
        next_planned_on=Subquery(open_.values("planned_on")[:1]),
        done_count=Coalesce(Subquery(done), Value(0)),
    )


def project_list_for(user, *, today=None):
    from .models_projects import TenantProject

    qs = _project_scope(user, TenantProject.objects.select_related("application__sector", "application__referrer", "owner"))
    return with_project_annotations(qs, today=today).order_by("application__company_name", "pk")


def project_get_for(user, pk):
    from .models_projects import TenantProject

    try:
        return project_list_for(user).get(pk=pk)
    except (TenantProject.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def project_milestones(project, *, today=None) -> list:
    """The project's milestones in order, each with ``late`` (planned more than the setting ago, not done)."""
    from django.utils import timezone

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


# --- expressions of interest and site visits ------------------------------------------------------

def interest_list_for(user):
    from .models_projects import ExpressionOfInterest
    from .permissions import _active

    qs = ExpressionOfInterest.objects.select_related("sector", "application")
    if not _active(user):
        return qs.none()
    if user.is_staff:
        return qs if staff_may(user, "tenants.view_expressionofinterest") else qs.none()
    if user.organization_id is None:
        return qs.none()
    return qs.filter(referrer_id=user.organization_id).order_by("-created_at", "-pk")


def interest_get_for(user, pk):
    from .models_projects import ExpressionOfInterest

    try:
        return interest_list_for(user).get(pk=pk)
    except (ExpressionOfInterest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def preferred_plots_of(*, application=None, interest=None) -> list[Plot]:
    from .models_projects import PlotPreference

    qs = PlotPreference.objects.select_related("plot")
    qs = qs.filter(application=application) if application is not None else qs.filter(interest=interest)
    return [p.plot for p in qs.order_by("plot__code")]


def site_visits_for(user, application):
    """Site visits of an application; partners never get the outcome notes (deferred and blanked)."""
    if not can_view_application(user, application):
        raise Http404
    qs = application.site_visits.select_related("host").order_by("scheduled_at", "pk")
    if not user.is_staff:
        qs = qs.defer("outcome_notes")
    return qs


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
        from .milestones import BY_CODE

        return str(BY_CODE[self.kind].label) if self.kind in BY_CODE else self.kind


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
    from django.utils import timezone

    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(PROJECT_FIGURES_SQL, {
            "late_before": today - timedelta(days=milestone_late_days()), "today": today,
            "until": today + timedelta(days=UPCOMING_DAYS), "limit": limit,
        })
        groups, at_risk, upcoming_count, upcoming, rate_rows = cursor.fetchone()
    rates = _rates_from(rate_rows)
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
