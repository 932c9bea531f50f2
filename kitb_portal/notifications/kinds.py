"""The registry of message kinds: what a person can switch off, and what they cannot and why.

Every ``notify(kind=...)`` in the code uses one of these codes (``grep -rn 'kind="' partnerships events
tenants kitb_portal``). A kind that is *optional* appears on the preferences page and gets a one-click
unsubscribe link; a kind that is not (access to one's account) is always sent, and so is a message
sent with ``notify(mandatory=True)`` (a reminder the person must receive by their role, such as the
expiry of an MoU they own). A mandatory message says so in its footer, with the reason.

An unknown kind counts as optional, labelled with its code, so a new ``notify()`` call never breaks
the preferences (add it here to give it a label).

``carries_secret`` marks the kinds whose e-mail holds a link that gives its holder an account or a
registration (password reset, invitation, a guest's registration links). Such links never sit in the
outbox (``secrets.py``: delivery makes them), and the admin hides the bodies of these kinds from
everyone, administrators included. A new kind with such a link must be marked here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

STAFF = "staff"
PARTNER = "partner"
EVERYONE = "everyone"

DIGEST = "digest"


@dataclass(frozen=True)
class Kind:
    code: str
    label: str | Promise
    audience: str = EVERYONE  # who sees it on the preferences page: staff, partner or everyone
    optional: bool = True  # may be switched off (on the preferences page and by the unsubscribe link)
    # Footer of a mandatory message of this kind (notify(mandatory=True), or a kind that is not optional).
    mandatory_reason: str | Promise = ""
    # Its e-mail may hold a one-time secret link (see the module doc): the admin never shows its body.
    carries_secret: bool = False


KINDS: list[Kind] = [
    Kind("mou_expiry", _("MoU expiry reminders (90, 30 and 7 days before)"),
         mandatory_reason=_("You own this MoU, so its expiry reminders cannot be switched off.")),
    Kind("commitment_due", _("Commitment reminders (due soon, due, overdue)"),
         mandatory_reason=_("You own this MoU, so the reminders about its commitments cannot be switched off.")),
    Kind("mou_status", _("MoU status changes (signed, active, expired, ...)")),
    Kind("mou_draft", _("MoU drafts uploaded and answered")),
    Kind("mou_note", _("Notes added to an MoU's timeline"), audience=STAFF),
    Kind("review_pack", _("Annual review packs (ready to sign off, answers, reminders to prepare them)"),
         mandatory_reason=_("You own this MoU, so the reminder to prepare its annual review cannot be switched off.")),
    Kind("commitment_progress", _("Progress on commitments (reported, proposed as done, confirmed, sent back)")),
    Kind("event_proposal", _("Co-organised event proposals and decisions")),
    Kind("event_delegation", _("Delegations registered for events")),
    Kind("event_documents", _("Invitation letters and certificates of attendance ready")),
    Kind("event_registration", _("Event registrations (confirmation, waiting list)"), carries_secret=True,
         mandatory_reason=_("This message confirms a registration you made (with your check-in code); it cannot be switched off.")),
    # A guest's registration e-mails hold the link to their registration (manage, confirm, feedback).
    Kind("event_reminder", _("Event reminders (7 days and 1 day before)"), carries_secret=True),
    Kind("event_change", _("Changes to events you registered for (new time, cancellation)"), carries_secret=True),
    Kind("event_followup", _("After an event: thanks and feedback"), carries_secret=True),
    Kind("application_status", _("Tenant application status changes")),
    Kind("application_comment", _("Comments on tenant applications")),
    Kind("review_assigned", _("Review assignments"), audience=STAFF,
         mandatory_reason=_("You are assigned to review this application, so this message cannot be switched off.")),
    Kind("application_overdue", _("Overdue application reminders"), audience=STAFF,
         mandatory_reason=_("You are responsible for this application's screening, so this reminder cannot be switched off.")),
    Kind("project_at_risk", _("Tenant projects at risk (a milestone late)"), audience=STAFF,
         mandatory_reason=_("You own this tenant project, so this reminder cannot be switched off.")),
    Kind("job_finished", _("Background imports and exports finished"), audience=STAFF),
    Kind(DIGEST, _("Digest e-mail"), audience=EVERYONE),
    Kind("invitation", _("Invitations"), optional=False, carries_secret=True,
         mandatory_reason=_("This message gives access to your account; it cannot be switched off.")),
    Kind("password_reset", _("Password reset"), optional=False, carries_secret=True,
         mandatory_reason=_("This message gives access to your account; it cannot be switched off.")),
]

BY_CODE: dict[str, Kind] = {kind.code: kind for kind in KINDS}

DEFAULT_MANDATORY_REASON = _("Your role requires this message, so it cannot be switched off.")


def get(code: str) -> Kind:
    """The registered kind, or an optional one labelled with its code."""
    return BY_CODE.get(code) or Kind(code, code)


def is_optional(code: str) -> bool:
    return get(code).optional


def carries_secret(code: str) -> bool:
    """Whether messages of this kind may hold a one-time secret link (their body is never shown)."""
    return get(code).carries_secret


SECRET_KINDS: frozenset[str] = frozenset(kind.code for kind in KINDS if kind.carries_secret)


def mandatory_reason(code: str) -> str | Promise:
    return get(code).mandatory_reason or DEFAULT_MANDATORY_REASON


def choosable(*, staff: bool) -> list[Kind]:
    """The kinds a person can switch on and off on the preferences page (the digest has its own field)."""
    wanted = {EVERYONE, STAFF if staff else PARTNER}
    return [k for k in KINDS if k.optional and k.code != DIGEST and k.audience in wanted]
