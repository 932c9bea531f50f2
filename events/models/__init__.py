"""Venues, events (conferences, seminars, workshops), agenda, speakers, registrations, feedback,
co-organised event proposals, delegations, issued letters and certificates, presentation files.

A package of topic modules: ``venues`` (venues, rooms, speakers), ``events`` (events, their
choices, the overlap rule, agenda sessions), ``registrations`` (registrations, feedback, calendar
feeds), ``proposals`` (co-organised events), ``delegations``, ``documents`` (letters and
certificates), ``presentations`` (presentation files); ``common`` holds what they share. Every
name is re-exported here, so ``from events.models import Event`` keeps working, and so do the
callables the migrations name (``events.models.new_check_in_code``, ``new_token``,
``new_verification_code``, ``TsTzRange``).

Invariants the database keeps (the forms only make the messages friendly):

* two non-cancelled events never overlap in the same venue (exclusion constraint, btree_gist);
* one active registration per person per event (partial unique on user and on lower(email));
* end after start, registration closes before the event ends, ratings 1–5, statuses valid.

Confirmed registrations never exceed capacity: ``services.registration_create`` and the other
services that confirm take a row lock on the event first.
"""

from .common import LANGUAGES, _in_language
from .delegations import PASSPORT_NUMBER_RE, Delegation, DelegationMember, DelegationStatus, Dietary
from .documents import DocumentKind, IssuedDocument, new_verification_code
from .events import (
    EVENT_SEARCH_DOCUMENT,
    OVERLAP_CODE,
    SESSION_SEARCH_DOCUMENT,
    Attendance,
    Event,
    EventKind,
    EventMode,
    EventStatus,
    Session,
    Topic,
    TsTzRange,
    overlap_error,
    overlapping_events,
)
from .presentations import Presentation
from .proposals import EventProposal, EventProposer, ProposalStatus
from .registrations import (
    ACTIVE_REGISTRATION_STATUSES,
    CHECK_IN_ALPHABET,
    CHECK_IN_CODE_LENGTH,
    HOLDS_PLACE_STATUSES,
    REGISTRATION_SEARCH_DOCUMENT,
    CalendarFeed,
    Feedback,
    Registration,
    RegistrationStatus,
    new_check_in_code,
    new_token,
)
from .venues import SPEAKER_SEARCH_DOCUMENT, Room, Speaker, Venue

__all__ = [
    "ACTIVE_REGISTRATION_STATUSES", "CHECK_IN_ALPHABET", "CHECK_IN_CODE_LENGTH", "EVENT_SEARCH_DOCUMENT",
    "HOLDS_PLACE_STATUSES", "LANGUAGES", "OVERLAP_CODE", "PASSPORT_NUMBER_RE", "REGISTRATION_SEARCH_DOCUMENT",
    "SESSION_SEARCH_DOCUMENT", "SPEAKER_SEARCH_DOCUMENT", "Attendance", "CalendarFeed", "Delegation",
    "DelegationMember", "DelegationStatus", "Dietary", "DocumentKind", "Event", "EventKind", "EventMode",
    "EventProposal", "EventProposer", "EventStatus", "Feedback", "IssuedDocument", "Presentation", "ProposalStatus",
    "Registration", "RegistrationStatus", "Room", "Session", "Speaker", "Topic", "TsTzRange", "Venue",
    "_in_language", "new_check_in_code", "new_token", "new_verification_code", "overlap_error", "overlapping_events",
]
