"""The state machines of the events app, declared once as data: which transitions exist, the
statuses each leaves from, where it leads, and who may fire it.

Each transition is still an explicit service (``services.event_publish``, ``registration_cancel``,
``proposal_accept`` …); this module answers "may this actor fire it?" (:func:`require`) and "is it
allowed from the record's status?" (:func:`check_status`), with the messages the services give, so
the services, the admin buttons and the admin actions agree. Transitions are named
``"<machine>.<name>"``: ``"event.publish"``, ``"registration.cancel"``, ``"proposal.accept"``.

Events::

    draft → published → completed          (publish: KITB staff; complete: the sweep, once it has ended)
    draft / published → cancelled         (KITB staff; everyone registered is told)

Registrations::

    (new) → confirmed | waitlisted         (a portal user registers: places left or not)
    (new) → pending → confirmed | waitlisted   (a guest confirms by e-mail within 24 hours)
    pending → expired                      (not confirmed in time: the sweep, or the late link)
    waitlisted → confirmed                 (a place is freed: promotion in queue order)
    pending / confirmed / waitlisted → cancelled   (the holder or staff, before the event starts)
    confirmed → attended                   (check-in: staff at the door or in the admin)

Proposals (co-organised events)::

    submitted → accepted | changes_requested | declined   (KITB's events officer decides)
    submitted / changes_requested → submitted            (the partner edits or resubmits)

``done`` lists the statuses where firing again changes nothing (the service returns quietly: a
second publish, cancel, check-in). Who may fire: for events and proposals the services check it
here (``check_actor=True``); a registration is reached only through a selector scoped to the asker
(their own, a guest's token, or staff pages guarded by ``permissions``), so its services do not
check the actor again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from . import permissions
from .models import EventStatus as E
from .models import ProposalStatus as P
from .models import RegistrationStatus as R

# --- who -------------------------------------------------------------------------------------------
KITB = "kitb"  # KITB staff, or the system (actor None); a partner is refused
SYSTEM = "system"  # a sweep (actor None)
STAFF = "staff"  # KITB staff allowed to change registrations (the admin, the check-in page)
HOLDER = "holder"  # the registered person (their own account, or a guest by the token of their links)
EVENTS_OFFICER = "events_officer"  # decides on proposals (permissions.can_decide_proposals)
PROPOSER = "proposer"  # the organisation's administrator or a colleague they authorised


def _is_kitb(actor, instance) -> bool:
    return not (actor is not None and getattr(actor, "is_authenticated", False) and not actor.is_staff)


def _is_proposer(actor, proposal) -> bool:
    return permissions.can_propose_events(actor) and proposal.organization_id == actor.organization_id


def _is_staff(actor, instance) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_staff)


def _is_holder(actor, registration) -> bool:
    return actor is None or getattr(actor, "pk", None) == registration.user_id


ROLE_CHECKS = {
    KITB: _is_kitb,
    SYSTEM: lambda actor, instance: actor is None,
    STAFF: _is_staff,
    HOLDER: _is_holder,
    EVENTS_OFFICER: lambda actor, instance: permissions.can_decide_proposals(actor),
    PROPOSER: _is_proposer,
}


# --- the transitions ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    targets: frozenset[str]
    who: frozenset[str]
    refusal: str  # the ValidationError's message when the status does not allow it (%(status)s, %(name)s)
    denial: str = ""  # the PermissionDenied's message when the actor may not fire it
    done: frozenset[str] = frozenset()
    refusals: dict = field(default_factory=dict)  # a message of its own for some statuses: {status: (message, code)}
    code: str | None = None
    check_actor: bool = True
    service: str = ""  # the function in events.services that fires it

    def allowed_from(self, status: str) -> bool:
        return status in self.sources


def _t(name, label, sources, targets, who, refusal, **kw) -> Transition:
    return Transition(name=name, label=label, sources=frozenset(sources), targets=frozenset(targets), who=frozenset(who),
                      refusal=refusal, done=frozenset(kw.pop("done", ())), **kw)


KITB_ONLY = _("Only KITB staff publish, cancel, move or resize an event.")

EVENT: dict[str, Transition] = {t.name: t for t in [
    _t("publish", _("Publish"), [E.DRAFT], [E.PUBLISHED], [KITB],
       _("Only a draft can be published (this event is %(status)s)."), denial=KITB_ONLY, done=[E.PUBLISHED],
       service="event_publish"),
    _t("cancel", _("Cancel"), [E.DRAFT, E.PUBLISHED], [E.CANCELLED], [KITB],
       _("A completed event cannot be cancelled."), denial=KITB_ONLY, done=[E.CANCELLED], service="event_cancel"),
    _t("complete", _("Complete"), [E.PUBLISHED], [E.COMPLETED], [SYSTEM, KITB],
       _("Only a published event that has ended can be completed."), done=[E.COMPLETED], check_actor=False,
       service="event_complete"),
]}

LAPSED = _("This registration lapsed because it was not confirmed within 24 hours.")

REGISTRATION: dict[str, Transition] = {t.name: t for t in [
    _t("confirm_guest", _("Confirm by e-mail"), [R.PENDING], [R.CONFIRMED, R.WAITLISTED], [HOLDER],
       _("This link is not valid."), done=[R.CONFIRMED, R.WAITLISTED, R.ATTENDED],
       refusals={R.EXPIRED: (LAPSED, "expired"), R.CANCELLED: (_("This registration was cancelled."), "cancelled")},
       check_actor=False, service="registration_confirm_guest"),
    _t("lapse", _("Lapse"), [R.PENDING], [R.EXPIRED], [SYSTEM], LAPSED, code="expired", check_actor=False,
       service="registration_expire_lapsed"),
    _t("promote", _("Promote from the waitlist"), [R.WAITLISTED], [R.CONFIRMED], [SYSTEM, STAFF, HOLDER],
       _("Only a waitlisted registration is promoted."), check_actor=False),
    _t("cancel", _("Cancel"), [R.PENDING, R.CONFIRMED, R.WAITLISTED], [R.CANCELLED], [HOLDER, STAFF],
       _("The event has started; the registration can no longer be cancelled."), code="started",
       done=[R.CANCELLED, R.EXPIRED], check_actor=False, service="registration_cancel"),
    _t("check_in", _("Check in"), [R.CONFIRMED], [R.ATTENDED], [STAFF],
       _("%(name)s has no confirmed place (%(status)s)."), done=[R.ATTENDED],
       refusals={R.WAITLISTED: (_("%(name)s is on the waitlist, without a confirmed place."), None)},
       check_actor=False, service="registration_check_in"),
]}

UNDECIDED = _("This proposal is %(status)s; only a submitted proposal can be decided.")
DECIDER_ONLY = _("Only KITB's events officer decides on proposals.")

PROPOSAL: dict[str, Transition] = {t.name: t for t in [
    _t("update", _("Change and resubmit"), [P.SUBMITTED, P.CHANGES_REQUESTED], [P.SUBMITTED], [PROPOSER],
       _("This proposal was %(status)s; it can no longer be changed."), denial=_("You may not change this proposal."),
       service="proposal_update"),
    _t("accept", _("Accept"), [P.SUBMITTED], [P.ACCEPTED], [EVENTS_OFFICER], UNDECIDED, denial=DECIDER_ONLY,
       service="proposal_accept"),
    _t("request_changes", _("Ask for changes"), [P.SUBMITTED], [P.CHANGES_REQUESTED], [EVENTS_OFFICER], UNDECIDED,
       denial=DECIDER_ONLY, service="proposal_request_changes"),
    _t("decline", _("Decline"), [P.SUBMITTED], [P.DECLINED], [EVENTS_OFFICER], UNDECIDED, denial=DECIDER_ONLY,
       service="proposal_decline"),
]}

TRANSITIONS: dict[str, Transition] = {
    f"{machine}.{t.name}": t for machine, group in (("event", EVENT), ("registration", REGISTRATION), ("proposal", PROPOSAL))
    for t in group.values()
}


# --- the questions -------------------------------------------------------------------------------------
def may_fire(actor, name: str, instance=None) -> bool:
    """Whether ``actor`` holds one of the roles transition ``name`` (``"event.publish"``) names;
    ``None`` is the system."""
    return any(ROLE_CHECKS[role](actor, instance) for role in TRANSITIONS[name].who)


def can_fire(actor, instance, name: str) -> bool:
    """For buttons and lists: the record's status allows it now and the actor may fire it."""
    return TRANSITIONS[name].allowed_from(instance.status) and may_fire(actor, name, instance)


def require(actor, name: str, instance=None) -> Transition:
    """Raise PermissionDenied (the transition's message) unless ``actor`` may fire it. The roles
    of events and proposal decisions need no record, so the services ask before taking a lock."""
    t = TRANSITIONS[name]
    if t.check_actor and not may_fire(actor, name, instance):
        raise PermissionDenied(t.denial)
    return t


def is_done(instance, name: str) -> bool:
    """The record is already where the transition leads: firing it again changes nothing."""
    return instance.status in TRANSITIONS[name].done


def refusal(instance, name: str) -> ValidationError:
    """The ValidationError the service raises when ``instance``'s status does not allow the transition."""
    t = TRANSITIONS[name]
    message, code = t.refusals.get(instance.status, (t.refusal, t.code))
    return ValidationError(message % {"status": instance.get_status_display(), "name": getattr(instance, "name", "")}, code=code)


def check_status(instance, name: str) -> bool:
    """True when the transition may fire from the record's status, False when it is already done
    (nothing to do); raise the transition's ValidationError otherwise."""
    t = TRANSITIONS[name]
    if instance.status in t.done:
        return False
    if not t.allowed_from(instance.status):
        raise refusal(instance, name)
    return True
