"""Every change of state in the tenants app (a package: applications, reviews, land, reminders).

Services take keyword-only arguments and the acting user, run in one transaction, record history
and queue e-mail through ``kitb_portal.notifications.services.notify``. They raise
``PermissionDenied`` or ``ValidationError``; views and admin actions turn those into messages.
"""
from .applications import (  # noqa: F401
    DRAFT_FIELDS,
    REQUIRED_FIELDS,
    application_approve,
    application_create,
    application_missing_requirements,
    application_reject,
    application_set_officer,
    application_start_due_diligence,
    application_start_screening,
    application_submit,
    application_to_committee,
    application_update_draft,
    application_withdraw,
    comment_add,
    document_add,
)
from .committee import (  # noqa: F401
    committee_decision_check,
    meeting_agenda_add,
    meeting_attendance_set,
    meeting_cancel,
    meeting_close,
    meeting_minutes_write,
    meeting_schedule,
    meeting_vote,
    review_due_sweep,
)
from .journey import (  # noqa: F401
    interest_close,
    interest_convert,
    interest_submit,
    preferred_plots_set,
    site_visit_change,
    site_visit_record_outcome,
    site_visit_schedule,
)
from .land import allocation_release, plot_allocate, plot_reserve  # noqa: F401
from .projects import milestone_confirm, milestone_plan, project_at_risk_sweep, project_open, project_update  # noqa: F401
from .reference import (  # noqa: F401
    criterion_ensure,
    exchange_rate_set,
    plot_ensure,
    screening_settings_update,
    sector_ensure,
    zone_ensure,
)
from .reminders import application_overdue_sweep  # noqa: F401
from .reviews import review_assign, review_save, review_submit  # noqa: F401
