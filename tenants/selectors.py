"""Reads of the tenants app, scoped by who asks; each costs a fixed number of queries.

Partners see only the applications their organisation referred: anything else raises Http404, the
same answer as for a record that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case, Count, DecimalField, Exists, ExpressionWrapper, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value, When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Round
from django.http import Http404

from .models import (
    IN_REVIEW_STATUSES, Application, ApplicationComment, ApplicationDocument, CommentVisibility, ExchangeRate, Plot,
    Review, ReviewAssignment, ReviewScore, ScreeningCriterion, ScreeningSettings, StatusChange, Zone,
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
        raise Http404
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
        raise Http404


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
        raise Http404


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


def site_plan_plots(zone: Zone) -> list[Plot]:
    """The plots of a zone and its sub-zones for the site plan, with the application holding each."""
    live = Application.objects.filter(allocations__plot=OuterRef("pk"), allocations__is_live=True).values("company_name")[:1]
    return list(
        Plot.objects.filter(zone_id__in=RawSQL(ZONE_SUBTREE_SQL, [zone.pk])).annotate(holder=Subquery(live))
        .order_by("grid_row", "grid_col", "code")
    )


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
