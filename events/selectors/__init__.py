"""Every non-trivial read of the events app, scoped by who asks (a package: events, registrations,
staff, cowork, delegations, api; common holds what they share).

Partners see published (and completed or cancelled) events and only their own registrations;
anything else is a 404, the same answer as for something that does not exist. Every name is
re-exported here: ``from events import selectors; selectors.event_get_for(...)`` and dotted paths
such as ``events.selectors.registrations_for_export`` (background export jobs) keep working.
"""
from .api import event_api_list_for, registration_api_list_for, session_api_list_for  # noqa: F401
from .common import PARTNER_VISIBLE_STATUSES, registration_count  # noqa: F401
from .cowork import (  # noqa: F401
    coorganised_events_for,
    managed_event_get,
    managed_feedback,
    managed_feedback_summary,
    managed_registrations,
    proposal_get_for,
    proposals_for,
)
from .delegations import delegation_get_for, delegations_for, document_by_code, letter_get_for  # noqa: F401
from .events import (  # noqa: F401
    event_get_for,
    event_list_for,
    event_with_agenda,
    events_visible_to,
    public_event_get,
    public_event_list,
    public_events_filtered,
    public_presentation_get,
    public_presentations,
)
from .registrations import (  # noqa: F401
    feed_events_for,
    feed_get_by_token,
    feedback_for,
    place_pools,
    registration_current_for,
    registration_get_by_token,
    registration_get_for,
    registration_list_for,
    registrations_visible_to,
    waitlist_place,
)
from .staff import (  # noqa: F401
    checkin_counts,
    checkin_registration_get,
    checkin_search,
    event_admin_queryset,
    event_calendar,
    event_publish_warnings,
    event_summary,
    registrations_for_export,
    staff_event_get,
    suggest_event_slug,
)
