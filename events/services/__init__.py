"""Every change of state in the events app (a package: events, registrations, places, cowork,
delegations, documents, presentations, sweeps).

Services take keyword-only arguments and the acting user, run in one transaction, record history
and queue e-mail through ``kitb_portal.notifications.services.notify`` (outbox rows now, delivery
after commit). They raise ``PermissionDenied`` or ``ValidationError``; views and admin actions turn
those into messages. Lock order, everywhere: the event row first, then its registrations
(``common._lock_event``); the event lock keeps confirmed registrations within capacity.
"""
from .cowork import (  # noqa: F401
    agenda_session_delete,
    agenda_session_save,
    agenda_speaker_update,
    coorganiser_event_change,
    proposal_accept,
    proposal_decline,
    proposal_request_changes,
    proposal_submit,
    proposal_update,
    proposer_set,
)
from .delegations import MEMBER_FIELDS, delegation_counts, delegation_register, delegation_update, passport_data_purge  # noqa: F401
from .documents import certificate_for, visa_letters_issue  # noqa: F401
from .events import (  # noqa: F401
    event_cancel,
    event_complete,
    event_create,
    event_publish,
    event_reschedule,
    event_save,
    session_create,
    speaker_get_or_create,
    venue_get_or_create,
)
from .places import free_places  # noqa: F401
from .presentations import presentation_add, presentation_update  # noqa: F401
from .registrations import (  # noqa: F401
    GUEST_CONFIRMATION_HOURS,
    LAPSED,
    calendar_feed_get_or_create,
    calendar_feed_reset,
    feedback_submit,
    registration_cancel,
    registration_check_in,
    registration_confirm_guest,
    registration_create,
    registration_mark_attended,
    registration_request_guest,
)
from .sweeps import event_followup_send, event_reminders_send, registration_expire_lapsed  # noqa: F401
