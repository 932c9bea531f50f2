"""Commitments: staff create, close and reopen them; the responsible organisation reports progress
(and may propose one done, with PDF evidence); the MoU's owner confirms it or sends it back."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitb_portal.accounts.models import Organization
from kitb_portal.notifications.services import notify

from .. import permissions, selectors
from ..files import check_pdf
from ..models import Commitment, CommitmentProgress, CommitmentStatus, MoUParty, ProgressKind
from .common import full_clean, lock_mou, mou_link_for, require_staff, save_with_history


# --- commitments ------------------------------------------------------------------------------
@transaction.atomic
def commitment_create(
    *, actor, mou_id: int, description: str, responsible_organization: Organization, responsible_person: str = "",
    responsible_user=None, due_date: dt.date | None = None, responsible_contact=None,
) -> Commitment:
    require_staff(actor, "partnerships.add_commitment")
    mou = lock_mou(mou_id)
    if not MoUParty.objects.filter(mou=mou, organization=responsible_organization).exists():
        raise ValidationError(
            {"responsible_organization": _("%(org)s is not a party to MoU %(ref)s.") % {
                "org": responsible_organization.name, "ref": mou.reference}}
        )
    commitment = Commitment(
        mou=mou, description=description.strip(), responsible_organization=responsible_organization,
        responsible_person=responsible_person, responsible_user=responsible_user, due_date=due_date,
        responsible_contact=responsible_contact,
    )
    full_clean(commitment)
    save_with_history(commitment, actor=actor, reason="created")
    return commitment


def _close_commitment(*, actor, commitment_id: int, status: str, note: str, closed_on: dt.date | None) -> Commitment:
    require_staff(actor, "partnerships.change_commitment")
    commitment = Commitment.objects.select_for_update().get(pk=commitment_id)
    if commitment.status != CommitmentStatus.OPEN:
        raise ValidationError(_("This commitment is already %(status)s.") % {"status": commitment.get_status_display()})
    if not (note or "").strip():
        raise ValidationError({"fulfilment_note": _("Say what fulfilled the commitment (or why it is waived).")})
    commitment.status = status
    commitment.fulfilment_note = note.strip()
    commitment.closed_on = closed_on or timezone.localdate()
    save_with_history(commitment, actor=actor, reason=status, update_fields=["status", "fulfilment_note", "closed_on"])
    return commitment


@transaction.atomic
def commitment_complete(*, actor, commitment_id: int, note: str, closed_on: dt.date | None = None) -> Commitment:
    """Open → done, with what fulfilled it (e.g. the event that took place)."""
    return _close_commitment(actor=actor, commitment_id=commitment_id, status=CommitmentStatus.DONE, note=note, closed_on=closed_on)


@transaction.atomic
def commitment_waive(*, actor, commitment_id: int, note: str) -> Commitment:
    return _close_commitment(actor=actor, commitment_id=commitment_id, status=CommitmentStatus.WAIVED, note=note, closed_on=None)


@transaction.atomic
def commitment_reopen(*, actor, commitment_id: int) -> Commitment:
    require_staff(actor, "partnerships.change_commitment")
    commitment = Commitment.objects.select_for_update().get(pk=commitment_id)
    if commitment.status == CommitmentStatus.OPEN:
        raise ValidationError(_("This commitment is already open."))
    commitment.status, commitment.closed_on = CommitmentStatus.OPEN, None
    save_with_history(commitment, actor=actor, reason="reopened", update_fields=["status", "closed_on"])
    return commitment


# --- commitment progress (reported by the responsible organisation) -----------------------------
def _lock_commitment(commitment_id: int) -> Commitment:
    try:
        return (
            Commitment.objects.select_for_update(of=("self",))
            .select_related("mou", "mou__owner", "responsible_organization")
            .get(pk=commitment_id)
        )
    except Commitment.DoesNotExist:
        raise ValidationError(_("This commitment does not exist.")) from None


def _responsible_contacts(commitment: Commitment, *, exclude_user=None) -> list:
    people = selectors.partner_contacts_queryset().filter(organization_id=commitment.responsible_organization_id)
    if exclude_user is not None:
        people = people.exclude(pk=exclude_user.pk)
    return list(people)


@transaction.atomic
def commitment_progress_post(
    *, actor, commitment_id: int, text: str, reported_on: dt.date | None = None, evidence=None,
    propose_done: bool = False,
) -> CommitmentProgress:
    """The responsible organisation's user reports progress (optionally a PDF as evidence) and may
    propose the commitment done; the MoU owner is e-mailed. Nothing is stored if refused."""
    commitment = _lock_commitment(commitment_id)
    if not permissions.can_report_progress(actor, commitment):
        raise PermissionDenied(_("Only the responsible organisation reports progress on this commitment."))
    if commitment.status != CommitmentStatus.OPEN:
        raise ValidationError(_("This commitment is already %(status)s.") % {"status": commitment.get_status_display()})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what was done.")})
    today = timezone.localdate()
    reported_on = reported_on or today
    if reported_on > today:
        raise ValidationError({"reported_on": _("The date cannot be in the future.")})
    if propose_done and commitment.done_proposed_at is not None:
        raise ValidationError(_("This commitment is already proposed as done; wait for the MoU owner's answer."))
    entry = CommitmentProgress(
        commitment=commitment, kind=ProgressKind.DONE_PROPOSED if propose_done else ProgressKind.PROGRESS,
        reported_on=reported_on, text=text, author=actor,
    )
    if evidence is not None:
        checked = check_pdf(evidence)  # raises ValidationError before anything is written
        entry.evidence_name, entry.evidence_size, entry.evidence_sha256 = checked.display_name, checked.size, checked.sha256
    entry.full_clean(exclude=["evidence"])
    if evidence is not None:
        entry.evidence.save("evidence.pdf", evidence, save=False)
    try:
        with transaction.atomic():
            save_with_history(entry, actor=actor, reason=entry.kind)
            if propose_done:
                commitment.done_proposed_at = timezone.now()
                save_with_history(commitment, actor=actor, reason="proposed as done", update_fields=["done_proposed_at"])
    except Exception:
        if entry.evidence:
            entry.evidence.storage.delete(entry.evidence.name)
        raise
    owner = commitment.mou.owner
    if owner is not None and owner.is_active and owner.pk != actor.pk:
        notify(
            recipient=owner, template="partnerships/email/commitment_progress",
            context={"mou": commitment.mou, "commitment": commitment, "entry": entry, "actor": actor,
                     "link": mou_link_for(owner, commitment.mou)},
            key=f"commitment-progress:{entry.pk}:{owner.pk}", kind="commitment_progress",
        )
    return entry


def _decide_proposal(*, actor, commitment_id: int, confirm: bool, message: str) -> CommitmentProgress:
    commitment = _lock_commitment(commitment_id)
    if not permissions.can_confirm_commitment(actor, commitment):
        raise PermissionDenied(_("Only the MoU's owner confirms or sends back a commitment."))
    if commitment.status != CommitmentStatus.OPEN or commitment.done_proposed_at is None:
        raise ValidationError(_("This commitment has not been proposed as done."))
    message = (message or "").strip()
    if not confirm and not message:
        raise ValidationError({"message": _("Say what is still missing.")})
    proposal = commitment.progress_entries.filter(kind=ProgressKind.DONE_PROPOSED).order_by("-created_at", "-id").first()
    commitment.done_proposed_at = None
    if confirm:
        commitment.status = CommitmentStatus.DONE
        commitment.fulfilment_note = message or (proposal.text if proposal else "")
        commitment.closed_on = timezone.localdate()
        save_with_history(commitment, actor=actor, reason="confirmed as done",
              update_fields=["status", "fulfilment_note", "closed_on", "done_proposed_at"])
    else:
        save_with_history(commitment, actor=actor, reason="sent back", update_fields=["done_proposed_at"])
    entry = CommitmentProgress(
        commitment=commitment, kind=ProgressKind.CONFIRMED if confirm else ProgressKind.RETURNED,
        text=message, author=actor,
    )
    save_with_history(entry, actor=actor, reason=entry.kind)
    for person in _responsible_contacts(commitment, exclude_user=actor):
        notify(
            recipient=person, template="partnerships/email/commitment_decision",
            context={"mou": commitment.mou, "commitment": commitment, "entry": entry, "confirmed": confirm,
                     "link": mou_link_for(person, commitment.mou)},
            key=f"commitment-decision:{entry.pk}:{person.pk}", kind="commitment_progress",
        )
    return entry


@transaction.atomic
def commitment_confirm_done(*, actor, commitment_id: int, message: str = "") -> CommitmentProgress:
    """The MoU owner confirms a commitment proposed as done: it is closed as done."""
    return _decide_proposal(actor=actor, commitment_id=commitment_id, confirm=True, message=message)


@transaction.atomic
def commitment_send_back(*, actor, commitment_id: int, message: str) -> CommitmentProgress:
    """The MoU owner sends a proposal back (with what is missing); the commitment stays open."""
    return _decide_proposal(actor=actor, commitment_id=commitment_id, confirm=False, message=message)
