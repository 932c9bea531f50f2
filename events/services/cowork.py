"""Partners as co-workers on events: proposals of co-organised events and their decisions, the
co-organisers' agenda (sessions and speakers). Services (keyword-only, the acting user passed in),
re-exported by ``events.services``; ``Event.organizers`` is the rule for who co-organises.

A co-organiser never publishes, cancels, moves the venue or changes the capacity: those services
(``event_save``, ``event_publish``, ``event_cancel``) refuse any non-staff actor.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kitb_portal.notifications.services import notify

from .. import permissions, workflow
from ..models import (
    Event,
    EventMode,
    EventProposal,
    EventProposer,
    EventStatus,
    ProposalStatus,
    Session,
    Speaker,
)
from .common import _history
from .events import event_save, speaker_get_or_create

User = get_user_model()

PROPOSAL_FIELDS = (
    "kind", "title_id", "title_ko", "title_en", "description_id", "description_ko", "description_en",
    "preferred_start", "preferred_end", "mode", "expected_audience", "audience_description", "mou", "commitment",
)
SESSION_FIELDS = ("title", "title_id", "title_ko", "description", "start", "end", "language", "interpretation")
SPEAKER_FIELDS = ("bio", "bio_id", "bio_ko")


def _site(path: str) -> str:
    return settings.SITE_URL + path


# --- who is told ----------------------------------------------------------------------------------
def events_officers():
    """Active staff in the events officer group (else KITB administrators and superusers), told of proposals."""
    from kitb_portal.accounts.roles import EVENTS_OFFICER, KITB_ADMINISTRATOR, staff_in_groups

    people = list(staff_in_groups(EVENTS_OFFICER).order_by("pk"))
    if not people:
        people = list(staff_in_groups(KITB_ADMINISTRATOR, superusers=True).order_by("pk"))
    return people


def _proposal_audience(proposal: EventProposal) -> list:
    """The proposer and the organisation's administrators and authorised proposers."""
    qs = User.objects.filter(is_active=True, is_staff=False, organization_id=proposal.organization_id)
    people = {u.pk: u for u in qs.filter(is_org_admin=True)}
    people.update({u.pk: u for u in qs.filter(event_proposer__isnull=False)})
    if proposal.proposed_by_id and proposal.proposed_by.is_active:
        people[proposal.proposed_by_id] = proposal.proposed_by
    return [people[k] for k in sorted(people)]


def _notify_officers(proposal: EventProposal, *, revision: int) -> None:
    link = _site(reverse("admin:events_eventproposal_change", args=[proposal.pk]))
    for person in events_officers():
        notify(
            recipient=person, template="events/email/proposal_submitted",
            context={"proposal": proposal, "link": link, "revision": revision, "viewer_tz": person.time_zone},
            key=f"event-proposal:{proposal.pk}:{revision}:{person.pk}", kind="event_proposal",
        )


def _notify_decision(proposal: EventProposal) -> None:
    link = _site(reverse("events:proposal_detail", args=[proposal.pk]))
    for person in _proposal_audience(proposal):
        notify(
            recipient=person, template="events/email/proposal_decided",
            context={"proposal": proposal, "link": link, "viewer_tz": person.time_zone},
            key=f"event-proposal-decided:{proposal.pk}:{proposal.status}:{proposal.decided_at:%Y%m%d%H%M%S%f}:{person.pk}",
            kind="event_proposal",
        )


# --- authorised proposers -------------------------------------------------------------------------
@transaction.atomic
def proposer_set(*, actor, user_id: int, authorised: bool) -> None:
    """An organisation administrator authorises a colleague to propose and co-organise events (or not)."""
    if not permissions.can_authorise_proposers(actor):
        raise PermissionDenied(_("Only your organisation's administrator authorises colleagues."))
    try:
        colleague = User.objects.get(pk=user_id, organization_id=actor.organization_id, is_staff=False)
    except User.DoesNotExist:
        raise ValidationError(_("This person is not in your organisation.")) from None
    if authorised:
        EventProposer.objects.get_or_create(user=colleague, defaults={"granted_by": actor})
    else:
        EventProposer.objects.filter(user=colleague).delete()


# --- proposals ------------------------------------------------------------------------------------
def _check_mou(actor, proposal: EventProposal) -> None:
    from partnerships.models import MoUParty

    if proposal.mou_id and not MoUParty.objects.filter(mou_id=proposal.mou_id, organization_id=actor.organization_id).exists():
        raise ValidationError({"mou": _("Your organisation is not a party to this MoU.")})
    if proposal.commitment_id and proposal.commitment.mou_id != (proposal.mou_id or proposal.commitment.mou_id):
        raise ValidationError({"commitment": _("This commitment belongs to another MoU.")})


@transaction.atomic
def proposal_submit(*, actor, **fields) -> EventProposal:
    """A partner proposes an event its organisation would co-organise; the events officers are told."""
    if not permissions.can_propose_events(actor):
        raise PermissionDenied(_("Only your organisation's administrator or a colleague they authorised proposes events."))
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise PermissionDenied(_("These details are not part of a proposal: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    proposal = EventProposal(organization_id=actor.organization_id, proposed_by=actor, **fields)
    proposal.full_clean()
    _check_mou(actor, proposal)
    _history(proposal, actor, "submitted")
    proposal.save()
    _notify_officers(proposal, revision=1)
    return proposal


@transaction.atomic
def proposal_update(*, actor, proposal_id: int, **fields) -> EventProposal:
    """The partner edits a proposal that is not decided yet (after "changes requested", it is submitted again)."""
    proposal = EventProposal.objects.select_for_update().get(pk=proposal_id)
    workflow.require(actor, "proposal.update", proposal)
    workflow.check_status(proposal, "proposal.update")
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise PermissionDenied(_("These details are not part of a proposal: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    resubmitted = proposal.status == ProposalStatus.CHANGES_REQUESTED
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.status = ProposalStatus.SUBMITTED
    proposal.full_clean()
    _check_mou(actor, proposal)
    _history(proposal, actor, "resubmitted" if resubmitted else "edited")
    proposal.save()
    if resubmitted:
        _notify_officers(proposal, revision=proposal.history.count())
    return proposal


def _lock_undecided(actor, proposal_id: int, message: str, transition: str) -> tuple[EventProposal, str]:
    workflow.require(actor, transition)
    proposal = EventProposal.objects.select_for_update(of=("self",)).select_related("organization", "proposed_by").get(pk=proposal_id)
    workflow.check_status(proposal, transition)
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Write a message to the partner with your decision.")})
    return proposal, message


def _decide(proposal: EventProposal, actor, status: str, message: str) -> None:
    proposal.status, proposal.decision_message = status, message
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    _history(proposal, actor, status)
    proposal.save()
    _notify_decision(proposal)


@transaction.atomic
def proposal_accept(
    *, actor, proposal_id: int, message: str, venue=None, start=None, end=None, capacity: int | None = None,
    slug: str = "",
) -> Event:
    """Accept: the proposal becomes a draft event with the partner organisation (and KITB) as organisers."""
    from kitb_portal.accounts.models import Organization

    proposal, message = _lock_undecided(actor, proposal_id, message, "proposal.accept")
    if proposal.mode != EventMode.ONLINE and venue is None:
        raise ValidationError({"venue": _("An on-site or hybrid event needs a venue.")})
    event = Event(
        kind=proposal.kind, title_en=proposal.title_en, title_id=proposal.title_id, title_ko=proposal.title_ko,
        description_en=proposal.description_en, description_id=proposal.description_id,
        description_ko=proposal.description_ko, mode=proposal.mode, venue=venue,
        start=start or proposal.preferred_start, end=end or proposal.preferred_end,
        capacity=capacity or proposal.expected_audience, status=EventStatus.DRAFT, slug=slug,
        mou_id=proposal.mou_id, commitment_id=proposal.commitment_id,
    )
    event = event_save(event=event, actor=actor)
    organisers = [proposal.organization_id, *Organization.objects.filter(is_host=True).values_list("pk", flat=True)]
    event.organizers.add(*organisers)
    proposal.event = event
    _decide(proposal, actor, ProposalStatus.ACCEPTED, message)
    return event


@transaction.atomic
def proposal_request_changes(*, actor, proposal_id: int, message: str) -> EventProposal:
    proposal, message = _lock_undecided(actor, proposal_id, message, "proposal.request_changes")
    _decide(proposal, actor, ProposalStatus.CHANGES_REQUESTED, message)
    return proposal


@transaction.atomic
def proposal_decline(*, actor, proposal_id: int, message: str) -> EventProposal:
    proposal, message = _lock_undecided(actor, proposal_id, message, "proposal.decline")
    _decide(proposal, actor, ProposalStatus.DECLINED, message)
    return proposal


# --- the co-organisers' agenda ---------------------------------------------------------------------
def _lock_managed_event(actor, event_id: int) -> Event:
    event = Event.objects.select_for_update(of=("self",)).get(pk=event_id)
    if not (permissions.can_manage_agenda(actor, event) or (actor.is_staff and actor.has_perm("events.change_event"))):
        raise PermissionDenied(_("You may not change this event's agenda."))
    return event


def _check_fields(fields: dict, allowed) -> None:
    refused = set(fields) - set(allowed)
    if refused:
        raise PermissionDenied(
            _("Co-organisers change the agenda, sessions and speakers only (not: %(f)s).") % {"f": ", ".join(sorted(refused))}
        )


def _parse_speakers(lines: str) -> list[Speaker]:
    """"Name — Organisation" (or "Name | Organisation"), one per line."""
    speakers = []
    for raw in (lines or "").splitlines():
        raw = raw.strip()
        if not raw:
            continue
        for sep in ("—", "|", " - "):
            if sep in raw:
                name, org = (p.strip() for p in raw.split(sep, 1))
                break
        else:
            name, org = raw, ""
        if len(name) > 200 or len(org) > 200:
            raise ValidationError({"speakers": _("A speaker's name or organisation is too long (200 characters at most).")})
        if name:
            speakers.append(speaker_get_or_create(name=name, organization_name=org))
    return speakers


@transaction.atomic
def agenda_session_save(*, actor, event_id: int, session_id: int | None = None, speakers: str | None = None, **fields) -> Session:
    """Add or change a session of a co-organised event (title and description, time inside the event,
    language, interpretation, speakers). Any other detail (room, venue, capacity, status) is refused."""
    _check_fields(fields, SESSION_FIELDS)
    event = _lock_managed_event(actor, event_id)
    if session_id is None:
        session = Session(event=event)
    else:
        try:
            session = Session.objects.get(pk=session_id, event=event)
        except Session.DoesNotExist:
            raise ValidationError(_("This session is not part of the event.")) from None
    for name, value in fields.items():
        setattr(session, name, value)
    session.event = event
    session.full_clean()
    speaker_objs = _parse_speakers(speakers) if speakers is not None else None
    session.save()
    if speaker_objs is not None:
        session.speakers.set(speaker_objs)
    Event.objects.filter(pk=event.pk).update(updated_at=timezone.now())
    return session


@transaction.atomic
def agenda_session_delete(*, actor, event_id: int, session_id: int) -> None:
    event = _lock_managed_event(actor, event_id)
    deleted, _n = Session.objects.filter(pk=session_id, event=event).delete()
    if not deleted:
        raise ValidationError(_("This session is not part of the event."))


@transaction.atomic
def agenda_speaker_update(*, actor, event_id: int, speaker_id: int, **fields) -> Speaker:
    """A co-organiser edits the bio (id/ko/en) of a speaker of their event. A speaker who also speaks
    at an event the organisation does not co-organise is KITB's to edit."""
    _check_fields(fields, SPEAKER_FIELDS)
    event = _lock_managed_event(actor, event_id)
    try:
        speaker = Speaker.objects.select_for_update().get(pk=speaker_id, sessions__event=event)
    except Speaker.DoesNotExist:
        raise ValidationError(_("This speaker is not on the event's agenda.")) from None
    except Speaker.MultipleObjectsReturned:
        speaker = Speaker.objects.select_for_update().filter(pk=speaker_id).first()
    if not actor.is_staff:
        elsewhere = Session.objects.filter(speakers=speaker).exclude(event__organizers=actor.organization_id).exists()
        if elsewhere:
            raise ValidationError(_("This speaker also speaks at events your organisation does not co-organise; ask KITB to change the bio."))
    for name, value in fields.items():
        setattr(speaker, name, (value or "").strip())
    speaker.full_clean()
    speaker.save()
    return speaker


def coorganiser_event_change(*, actor, event_id: int, **fields) -> None:
    """What a co-organiser may change on the event itself: nothing but the agenda. Venue, capacity,
    status, time, meeting link: refused (``PermissionDenied``), whatever is asked."""
    event = Event.objects.get(pk=event_id)
    if not permissions.is_coorganiser(actor, event):
        raise PermissionDenied(_("You may not change this event."))
    _check_fields(fields, ())
