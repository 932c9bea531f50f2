"""Reads of the tenants app, scoped by who asks; each costs a fixed number of queries (a package of
topic modules: applications, reviews, land, projects, journey, money).

Partners see only the applications their organisation referred: anything else raises Http404, the
same answer as for a record that does not exist. Every public name is re-exported here, so
``from tenants import selectors; selectors.application_get_for(...)`` keeps working.
"""

from .applications import (
    SCORE,
    application_amounts,
    application_api_list_for,
    application_get_for,
    application_list_for,
    application_pipeline_for,
    comment_list_for,
    document_get_for,
    document_list_for,
    overdue_applications,
    scores_visible,
    sees_every_score,
    status_changes_for,
    weighted_score_subquery,
    with_pipeline_annotations,
)
from .journey import interest_get_for, interest_list_for, preferred_plots_of, site_visits_for
from .land import (
    LAND_SUMMARY_SQL,
    PARTNER_ZONES_SQL,
    ZONE_SUBTREE_SQL,
    ZoneLand,
    allocation_list_for,
    approved_applications,
    land_summary,
    partner_plot_choices,
    partner_plots,
    partner_zones,
    plot_choices_for_allocation,
    plot_list_for,
    site_plan_plots,
    site_plan_zone,
    zone_chain_ids,
    zone_list_for,
    zone_subtree_ids,
    zone_used_area,
)
from .money import (
    MONEY,
    MONEY_CURRENCIES,
    RATES_SQL,
    convert,
    convert_money,
    current_rate,
    current_rates,
    rates_from_rows,
    rates_on,
)
from .projects import (
    PROJECT_FIGURES_SQL,
    UPCOMING_DAYS,
    ProjectFigures,
    UpcomingMilestone,
    late_milestones,
    milestone_late_days,
    project_figures,
    project_get_for,
    project_list_for,
    project_milestones,
    project_money,
    with_project_annotations,
)
from .reviews import (
    DISAGREEMENT_POINTS,
    CriterionRow,
    ReviewSummary,
    active_criteria,
    counted_review_count,
    review_get_for,
    review_list_for,
    review_scores,
    review_summary,
)

__all__ = [
    "CriterionRow", "DISAGREEMENT_POINTS", "LAND_SUMMARY_SQL", "MONEY", "MONEY_CURRENCIES",
    "PARTNER_ZONES_SQL", "PROJECT_FIGURES_SQL", "ProjectFigures", "RATES_SQL", "ReviewSummary", "SCORE",
    "UPCOMING_DAYS", "UpcomingMilestone", "ZONE_SUBTREE_SQL", "ZoneLand", "active_criteria",
    "allocation_list_for", "application_amounts", "application_api_list_for", "application_get_for",
    "application_list_for", "application_pipeline_for", "approved_applications", "comment_list_for",
    "convert", "convert_money", "counted_review_count", "current_rate", "current_rates", "document_get_for",
    "document_list_for", "interest_get_for", "interest_list_for", "land_summary", "late_milestones",
    "milestone_late_days", "overdue_applications", "partner_plot_choices", "partner_plots", "partner_zones",
    "plot_choices_for_allocation", "plot_list_for", "preferred_plots_of", "project_figures",
    "project_get_for", "project_list_for", "project_milestones", "project_money", "rates_from_rows",
    "rates_on", "review_get_for", "review_list_for", "review_scores", "review_summary", "scores_visible",
    "sees_every_score", "site_plan_plots", "site_plan_zone", "site_visits_for", "status_changes_for",
    "weighted_score_subquery", "with_pipeline_annotations", "with_project_annotations", "zone_chain_ids",
    "zone_list_for", "zone_subtree_ids", "zone_used_area",
]
