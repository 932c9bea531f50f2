"""The models of the tenants app, a package of topic modules: reference (currencies, sectors, rates,
screening settings and criteria), applications (with documents, status changes, comments), reviews,
land (zones, plots, allocations), committee (meetings, agenda, votes), projects (tenant projects and
milestones) and journey (expressions of interest, preferred plots, site visits).

Every model module is imported here so Django finds its models, and every public name is re-exported:
``from tenants.models import Application`` keeps working, and so do the upload_to functions the
migrations name (``tenants.models.document_upload_to``; ``tenants/models_projects.py`` re-exports
the two that migrations 0008 and 0009 name there).

Invariants the database keeps are listed in each module's docstring; the land's are also constraint
triggers (migration 0002).
"""

# The order Django registers the models in (apps.get_models()), as before the split:
# isort: off
from .reference import CURRENCY_CHOICES, CURRENCY_CODES, ExchangeRate, ScreeningCriterion, ScreeningSettings, Sector
from .applications import (
    APPLICATION_SEARCH_DOCUMENT,
    CLOSED_STATUSES,
    IN_REVIEW_STATUSES,
    REQUIRED_DOCUMENT_KINDS,
    Application,
    ApplicationComment,
    ApplicationDocument,
    ApplicationStatus,
    CommentVisibility,
    DocumentKind,
    StatusChange,
    document_upload_to,
)
from .reviews import Review, ReviewAssignment, ReviewScore
from .land import Allocation, AllocationKind, Plot, PlotStatus, Zone
from .committee import (
    AgendaItem,
    AgendaOutcome,
    CommitteeMeeting,
    MeetingMember,
    MeetingStatus,
    MeetingVote,
    VoteChoice,
    minutes_upload_to,
)
from .projects import Milestone, TenantProject, evidence_upload_to
from .journey import ExpressionOfInterest, InterestStatus, PlotPreference, SiteVisit
# isort: on

__all__ = [
    "APPLICATION_SEARCH_DOCUMENT", "AgendaItem", "AgendaOutcome", "Allocation", "AllocationKind",
    "Application", "ApplicationComment", "ApplicationDocument", "ApplicationStatus", "CLOSED_STATUSES",
    "CURRENCY_CHOICES", "CURRENCY_CODES", "CommentVisibility", "CommitteeMeeting", "DocumentKind",
    "ExchangeRate", "ExpressionOfInterest", "IN_REVIEW_STATUSES", "InterestStatus", "MeetingMember",
    "MeetingStatus", "MeetingVote", "Milestone", "Plot", "PlotPreference", "PlotStatus",
    "REQUIRED_DOCUMENT_KINDS", "Review", "ReviewAssignment", "ReviewScore", "ScreeningCriterion",
    "ScreeningSettings", "Sector", "SiteVisit", "StatusChange", "TenantProject", "VoteChoice", "Zone",
    "document_upload_to", "evidence_upload_to", "minutes_upload_to",
]
