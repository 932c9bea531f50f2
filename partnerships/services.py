"""Every change of state in the partnerships app.

Keyword-only arguments, the acting user first-class (``None`` only for the system's daily sweep),
one transaction each, history recorded through django-simple-history (with who and why), and
notifications written to the outbox (delivered after commit). Refusals are ``ValidationError``
(with a message naming what is missing) or ``PermissionDenied``; views and admin turn them into messages.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kitb_portal.accounts.models import Organization
from kitb_portal.notifications.services import notify

from . import permissions, selectors, workflow
from .files import check_pdf
from .models import (
    Commitment,
    CommitmentProgress,
    CommitmentStatus,
    DocumentApproval,
    DocumentKind,
    MoU,
    MoUDocument,
    MoUNote,
    MoUParty,
    MoUStatus,
    MoUTerm,
    NoteKind,
    ProgressKind,
)
from .reminders import reminders_sweep  # noqa: F401  (a service too; lives in its own module)


# --- helpers ----------------------------------------------------------------------------------
def _save(obj, *, actor, reason: str, update_fields: list[str] | None = None) -> None:
    """Save with history attribution (who and why)."""
    obj._history_user = actor
    obj._change_reason = reason
    if update_fields is not None and "updated_at" not in update_fields and hasattr(obj, "updated_at"):
        update_fields = [*update_fields, "updated_at"]
    obj.save(update_fields=update_fields)


def _lock_mou(mou_id: int) -> MoU:
    try:
        return MoU.objects.select_for_update().get(pk=mou_id)
    except MoU.DoesNotExist:
        raise ValidationError(_("This MoU does not exist.")) from None


def _require_staff(actor, perm: str) -> None:
    if actor is not None and not (actor.is_active and actor.is_staff and actor.has_perm(perm)):
        raise PermissionDenied(_("You may not do this."))


def _full_clean(obj, exclude: list[str] | None = None) -> None:
    obj.full_clean(exclude=exclude, validate_unique=True)


def mou_link_for(user, mou: MoU) -> str:
    """Where a recipient should go for this MoU: the admin for staff, the portal for partners."""
    from django.conf import settings
    from django.urls import reverse

    if user.is_staff:
        return settings.SITE_URL + reverse("admin:partnerships_mou_change", args=[mou.pk])
    return settings.SITE_URL + reverse("partnerships:mou_detail", args=[mou.pk])


def _mou_audience(mou: MoU, *, exclude_user=None) -> list:
    """The owner (if active) and every party organisation's partner contacts, without duplicates."""
    org_ids = list(MoUParty.objects.filter(mou=mou).values_list("organization_id", flat=True))
    people = list(selectors.partner_contacts_queryset().filter(organization_id__in=org_ids))
    if mou.owner_id and mou.owner.is_active:
        people.insert(0, mou.owner)
    seen, result = set(), []
    for person in people:
        if person.pk in seen or (exclude_user is not None and person.pk == exclude_user.pk):
            continue
        seen.add(person.pk)
        result.append(person)
    return result


def _notify_status(mou: MoU, *, actor) -> None:
    for person in _mou_audience(mou, exclude_user=actor):
        notify(
            recipient=person, template="partnerships/email/mou_status_changed",
            context={"mou": mou, "link": mou_link_for(person, mou), "actor": actor},
            key=f"mou-status:{mou.pk}:{mou.term_number}:{mou.status}:{person.pk}", kind="mou_status",
        )


# --- MoU and parties --------------------------------------------------------------------------
@transaction.atomic
def mou_create(
    *, actor, reference: str, title_en: str, title_id: str = "", title_ko: str = "", summary: str = "",
    scope: list[str] | tuple[str, ...] = (), owner=None, effective_date: dt.date | None = None,
    expiry_date: dt.date | None = None, auto_renew: bool = False, renewal_notice_days: int = 90,
) -> MoU:
    """A new MoU in status draft."""
    _require_staff(actor, "partnerships.add_mou")
    mou = MoU(
        reference=reference.strip(), title_en=title_en, title_id=title_id, title_ko=title_ko, summary=summary,
        scope=list(scope), owner=owner, effective_date=effective_date, expiry_date=expiry_date,
        auto_renew=auto_renew, renewal_notice_days=renewal_notice_days, status=MoUStatus.DRAFT,
    )
    _full_clean(mou)
    _save(mou, actor=actor, reason="created")
    return mou


@transaction.atomic
def party_add(
    *, actor, mou_id: int, organization: Organization, role: str = MoUParty.Role.SECOND_PARTY,
    signatory_name: str = "", signatory_title: str = "", signed_on: dt.date | None = None,
) -> MoUParty:
    _require_staff(actor, "partnerships.add_mouparty")
    mou = _lock_mou(mou_id)
    if mou.status not in (MoUStatus.DRAFT, MoUStatus.NEGOTIATION):
        raise ValidationError(_("Parties can only be added while the MoU is a draft or under negotiation."))
    party = MoUParty(
        mou=mou, organization=organization, role=role, signatory_name=signatory_name,
        signatory_title=signatory_title, signed_on=signed_on,
    )
    _full_clean(party)
    _save(party, actor=actor, reason="party added")
    return party


@transaction.atomic
def party_set_signatory(
    *, actor, party_id: int, signatory_name: str, signatory_title: str, signed_on: dt.date | None, signatory_contact=None
) -> MoUParty:
    """Record who signed for the party; ``signatory_contact`` (a contact of the party's organisation)
    links the person in the contact directory beside the free-text name and title."""
    _require_staff(actor, "partnerships.change_mouparty")
    party = MoUParty.objects.select_for_update().get(pk=party_id)
    party.signatory_name, party.signatory_title, party.signed_on = signatory_name, signatory_title, signed_on
    party.signatory_contact = signatory_contact
    _full_clean(party)
    _save(
        party, actor=actor, reason="signatory recorded",
        update_fields=["signatory_name", "signatory_title", "signatory_contact", "signed_on"],
    )
    return party


# --- status transitions (declared in workflow.py) ---------------------------------------------
@transaction.atomic
def mou_start_negotiation(*, mou_id: int, actor) -> MoU:
    mou = _lock_mou(mou_id)
    workflow.check(mou, "start_negotiation", actor)
    if MoUParty.objects.filter(mou=mou).count() < 2:
        raise ValidationError(_("MoU %(ref)s needs at least two parties before negotiation starts.") % {"ref": mou.reference})
    mou.status = MoUStatus.NEGOTIATION
    _save(mou, actor=actor, reason="negotiation started", update_fields=["status"])
    _notify_status(mou, actor=actor)
    return mou


def sign_blockers(mou: MoU, *, prefetched: bool = False) -> list[str]:
    """What is missing before ``mou`` can be marked signed (empty list = nothing).

    ``prefetched``: read the MoU's prefetched parties (with organisations) and documents (with
    approvals) instead of querying, as the admin's change page does; the signing service queries."""
    missing: list[str] = []
    if prefetched:
        parties = list(mou.parties.all())
        documents = list(mou.documents.all())
        has_signed_copy = any(d.kind == DocumentKind.SIGNED_COPY for d in documents)
        drafts = [d for d in documents if d.kind == DocumentKind.DRAFT]
        draft = max(drafts, key=lambda d: d.version) if drafts else None
    else:
        parties = list(MoUParty.objects.filter(mou=mou).select_related("organization"))
        has_signed_copy = MoUDocument.objects.filter(mou=mou, kind=DocumentKind.SIGNED_COPY).exists()
        draft = MoUDocument.objects.filter(mou=mou, kind=DocumentKind.DRAFT).order_by("-version").first()
    if len(parties) < 2:
        missing.append(_("at least two parties"))
    if not has_signed_copy:
        missing.append(_("a signed copy (upload a document version of kind “Signed copy”)"))
    for party in parties:
        gaps = []
        if not party.signatory_name.strip():
            gaps.append(_("signatory name"))
        if not party.signatory_title.strip():
            gaps.append(_("signatory title"))
        if not party.signed_on:
            gaps.append(_("signing date"))
        if gaps:
            missing.append(_("%(org)s: %(gaps)s") % {"org": party.organization.name, "gaps": ", ".join(gaps)})
    if draft is None:
        missing.append(_("a final draft approved by every party (no draft version was uploaded)"))
    else:
        if prefetched:
            approved = {a.party_id for a in draft.approvals.all() if a.decision == DocumentApproval.Decision.APPROVED}
        else:
            approved = set(
                DocumentApproval.objects.filter(document=draft, decision=DocumentApproval.Decision.APPROVED).values_list(
                    "party_id", flat=True
                )
            )
        for party in parties:
            if party.pk not in approved:
                missing.append(
                    _("approval of the final draft (version %(v)s) by %(org)s") % {"v": draft.version, "org": party.organization.name}
                )
    return missing


@transaction.atomic
def mou_sign(*, mou_id: int, actor, signed_date: dt.date | None = None) -> MoU:
    """Negotiation → signed. Needs a signed copy, every signatory, and every party's approval of the final draft."""
    mou = _lock_mou(mou_id)
    workflow.check(mou, "sign", actor)
    missing = sign_blockers(mou)
    if missing:
        raise ValidationError(
            _("MoU %(ref)s cannot be marked signed; missing: %(missing)s.") % {"ref": mou.reference, "missing": "; ".join(missing)},
            code="sign_incomplete",
        )
    if signed_date is None:
        signed_date = MoUParty.objects.filter(mou=mou).aggregate(last=Max("signed_on"))["last"]
    mou.signed_date = signed_date
    mou.status = MoUStatus.SIGNED
    _save(mou, actor=actor, reason="signed", update_fields=["status", "signed_date"])
    _notify_status(mou, actor=actor)
    return mou


@transaction.atomic
def mou_activate(
    *, mou_id: int, actor, effective_date: dt.date | None = None, expiry_date: dt.date | None = None
) -> MoU:
    """Signed → active, from the effective date (defaults: the date on record, else the signing date)."""
    mou = _lock_mou(mou_id)
    workflow.check(mou, "activate", actor)
    effective = effective_date or mou.effective_date or mou.signed_date
    expiry = expiry_date or mou.expiry_date
    if effective is None:
        raise ValidationError(_("MoU %(ref)s cannot be activated: it has no effective date.") % {"ref": mou.reference})
    if expiry is not None and expiry <= effective:
        raise ValidationError(
            _("MoU %(ref)s cannot be activated: the expiry date (%(exp)s) must be after the effective date (%(eff)s).")
            % {"ref": mou.reference, "exp": expiry, "eff": effective}
        )
    mou.effective_date, mou.expiry_date, mou.status = effective, expiry, MoUStatus.ACTIVE
    _save(mou, actor=actor, reason="activated", update_fields=["status", "effective_date", "expiry_date"])
    _notify_status(mou, actor=actor)
    return mou


@transaction.atomic
def mou_expire(*, mou_id: int, actor, today: dt.date | None = None) -> MoU:
    """Active → expired, on or after the expiry date."""
    today = today or timezone.localdate()
    mou = _lock_mou(mou_id)
    workflow.check(mou, "expire", actor)
    if mou.expiry_date is None:
        raise ValidationError(_("MoU %(ref)s cannot expire: it has no expiry date.") % {"ref": mou.reference})
    if mou.expiry_date > today:
        raise ValidationError(
            _("MoU %(ref)s cannot be marked expired before its expiry date (%(exp)s).") % {"ref": mou.reference, "exp": mou.expiry_date}
        )
    mou.status = MoUStatus.EXPIRED
    _save(mou, actor=actor, reason="expired", update_fields=["status"])
    _notify_status(mou, actor=actor)
    return mou


@transaction.atomic
def mou_terminate(*, mou_id: int, actor, reason: str, termination_date: dt.date | None = None) -> MoU:
    """Any status but expired/terminated → terminated (final)."""
    mou = _lock_mou(mou_id)
    workflow.check(mou, "terminate", actor)
    if not (reason or "").strip():
        raise ValidationError(_("MoU %(ref)s cannot be terminated without a reason.") % {"ref": mou.reference})
    mou.status = MoUStatus.TERMINATED
    mou.termination_date = termination_date or timezone.localdate()
    mou.termination_reason = reason.strip()
    _save(mou, actor=actor, reason="terminated", update_fields=["status", "termination_date", "termination_reason"])
    _notify_status(mou, actor=actor)
    return mou


@transaction.atomic
def mou_renew(
    *, mou_id: int, actor, new_expiry_date: dt.date, new_effective_date: dt.date | None = None,
    signed_date: dt.date | None = None,
) -> MoU:
    """Active/expired → active with a new term; the old term's dates are kept as an ``MoUTerm``."""
    mou = _lock_mou(mou_id)
    workflow.check(mou, "renew", actor)
    if mou.expiry_date is None and new_effective_date is None:
        raise ValidationError(
            _("MoU %(ref)s has no expiry date; give the new term's effective date.") % {"ref": mou.reference}
        )
    effective = new_effective_date or (mou.expiry_date + dt.timedelta(days=1))
    if new_expiry_date is None or new_expiry_date <= effective:
        raise ValidationError(
            _("The new term's expiry date must be after its effective date (%(eff)s).") % {"eff": effective}
        )
    MoUTerm.objects.create(
        mou=mou, term_number=mou.term_number, signed_date=mou.signed_date, effective_date=mou.effective_date,
        expiry_date=mou.expiry_date, ended_status=mou.status, renewed_by=actor,
    )
    mou.term_number += 1
    mou.effective_date, mou.expiry_date = effective, new_expiry_date
    if signed_date:
        mou.signed_date = signed_date
    mou.status = MoUStatus.ACTIVE
    _save(
        mou, actor=actor, reason=f"renewed: term {mou.term_number}",
        update_fields=["status", "term_number", "effective_date", "expiry_date", "signed_date"],
    )
    _notify_status(mou, actor=actor)
    return mou


# --- documents and draft approvals ------------------------------------------------------------
@transaction.atomic
def document_upload(
    *, actor, mou_id: int, uploaded_file, kind: str = DocumentKind.DRAFT, language: str = "en",
    governing_language: str = "en", comment: str = "",
) -> MoUDocument:
    """A new version of the MoU's document (a PDF ≤ MAX_UPLOAD_MB). Nothing is stored if refused."""
    mou = _lock_mou(mou_id)
    mou_with_parties = MoU.objects.prefetch_related("parties").get(pk=mou.pk)
    if not permissions.can_upload_document(actor, mou_with_parties):
        raise PermissionDenied(_("You may not upload documents to this MoU."))
    checked = check_pdf(uploaded_file)  # raises ValidationError; nothing written yet
    version = (MoUDocument.objects.filter(mou=mou).aggregate(v=Max("version"))["v"] or 0) + 1
    document = MoUDocument(
        mou=mou, version=version, kind=kind, language=language, governing_language=governing_language,
        original_name=checked.display_name, size=checked.size, sha256=checked.sha256, comment=comment, uploaded_by=actor,
    )
    document.full_clean(exclude=["file"])
    document.file.save("upload.pdf", uploaded_file, save=False)  # name comes from upload_to: random
    try:
        with transaction.atomic():  # savepoint: a failed insert leaves the caller's transaction usable
            _save(document, actor=actor, reason=f"version {version} uploaded")
    except Exception:
        document.file.storage.delete(document.file.name)  # no row, no file
        raise
    if kind == DocumentKind.DRAFT:
        for person in _mou_audience(mou, exclude_user=actor):
            notify(
                recipient=person, template="partnerships/email/mou_draft_uploaded",
                context={"mou": mou, "document": document, "link": mou_link_for(person, mou), "actor": actor},
                key=f"mou-draft:{document.pk}:{person.pk}", kind="mou_draft",
            )
    return document


@transaction.atomic
def document_decide(
    *, actor, document_id: int, decision: str, comment: str = "", party_id: int | None = None
) -> DocumentApproval:
    """A party approves the current draft or asks for changes (with a comment)."""
    try:
        document = MoUDocument.objects.select_related("mou").get(pk=document_id)
    except MoUDocument.DoesNotExist:
        raise ValidationError(_("This document version does not exist.")) from None
    mou = _lock_mou(document.mou_id)
    document.mou = mou
    if party_id is None:
        party = MoUParty.objects.filter(mou=mou, organization_id=actor.organization_id).first() if actor.organization_id else None
        if party is None:
            raise PermissionDenied(_("Your organisation is not a party to this MoU."))
    else:
        party = MoUParty.objects.filter(mou=mou, pk=party_id).first()
        if party is None:
            raise ValidationError(_("This party is not a party to the MoU."))
    if document.kind != DocumentKind.DRAFT:
        raise ValidationError(_("Only draft versions are approved; version %(v)s is a %(kind)s.") % {
            "v": document.version, "kind": document.get_kind_display()})
    if not permissions.can_decide_on_draft(actor, document, party):
        if mou.status not in (MoUStatus.DRAFT, MoUStatus.NEGOTIATION):
            raise ValidationError(_("Drafts can only be approved while the MoU is a draft or under negotiation."))
        raise PermissionDenied(_("You may not answer for this party."))
    latest = selectors.current_draft_id(mou.pk)
    if latest != document.pk:
        raise ValidationError(
            _("Version %(v)s is no longer the current draft; please review the latest draft.") % {"v": document.version}
        )
    if decision not in DocumentApproval.Decision.values:
        raise ValidationError(_("Choose “approve” or “request changes”."))
    comment = (comment or "").strip()
    if decision == DocumentApproval.Decision.CHANGES_REQUESTED and not comment:
        raise ValidationError({"comment": _("Say which changes you ask for.")})
    approval = DocumentApproval.objects.filter(document=document, party=party).first() or DocumentApproval(
        document=document, party=party
    )
    approval.decision, approval.comment, approval.decided_by, approval.decided_at = decision, comment, actor, timezone.now()
    _save(approval, actor=actor, reason=decision)
    owner = mou.owner
    if owner is not None and owner.is_active and owner.pk != actor.pk:
        notify(
            recipient=owner, template="partnerships/email/mou_draft_decision",
            context={"mou": mou, "document": document, "approval": approval, "party": party, "link": mou_link_for(owner, mou)},
            key=f"mou-draft-decision:{document.pk}:{party.pk}:{decision}:{owner.pk}", kind="mou_draft",
        )
    return approval


# --- commitments ------------------------------------------------------------------------------
@transaction.atomic
def commitment_create(
    *, actor, mou_id: int, description: str, responsible_organization: Organization, responsible_person: str = "",
    responsible_user=None, due_date: dt.date | None = None, responsible_contact=None,
) -> Commitment:
    _require_staff(actor, "partnerships.add_commitment")
    mou = _lock_mou(mou_id)
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
    _full_clean(commitment)
    _save(commitment, actor=actor, reason="created")
    return commitment


def _close_commitment(*, actor, commitment_id: int, status: str, note: str, closed_on: dt.date | None) -> Commitment:
    _require_staff(actor, "partnerships.change_commitment")
    commitment = Commitment.objects.select_for_update().get(pk=commitment_id)
    if commitment.status != CommitmentStatus.OPEN:
        raise ValidationError(_("This commitment is already %(status)s.") % {"status": commitment.get_status_display()})
    if not (note or "").strip():
        raise ValidationError({"fulfilment_note": _("Say what fulfilled the commitment (or why it is waived).")})
    commitment.status = status
    commitment.fulfilment_note = note.strip()
    commitment.closed_on = closed_on or timezone.localdate()
    _save(commitment, actor=actor, reason=status, update_fields=["status", "fulfilment_note", "closed_on"])
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
    _require_staff(actor, "partnerships.change_commitment")
    commitment = Commitment.objects.select_for_update().get(pk=commitment_id)
    if commitment.status == CommitmentStatus.OPEN:
        raise ValidationError(_("This commitment is already open."))
    commitment.status, commitment.closed_on = CommitmentStatus.OPEN, None
    _save(commitment, actor=actor, reason="reopened", update_fields=["status", "closed_on"])
    return commitment


# --- notes ------------------------------------------------------------------------------------
@transaction.atomic
def note_add(
    *, actor, mou_id: int, text: str, kind: str = NoteKind.NOTE, noted_on: dt.date | None = None,
    internal: bool | None = None,
) -> MoUNote:
    """A dated entry in the MoU's timeline, recorded with its author.

    KITB staff's notes are internal (never shown to partners, on the portal or by e-mail) unless
    ``internal=False`` shares them; a partner's note is always shared.
    """
    mou = MoU.objects.prefetch_related("parties").select_related("owner").get(pk=mou_id)
    if not permissions.can_add_note(actor, mou):
        raise PermissionDenied(_("You may not add notes to this MoU."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    internal = bool(actor.is_staff) if internal is None else bool(internal and actor.is_staff)
    note = MoUNote(
        mou=mou, text=text, kind=kind, noted_on=noted_on or timezone.localdate(), author=actor, internal=internal
    )
    _full_clean(note)
    try:
        with transaction.atomic():
            note.save()
    except IntegrityError as exc:  # pragma: no cover - constraints mirror full_clean
        raise ValidationError(str(exc)) from exc
    owner = mou.owner
    if not actor.is_staff and owner is not None and owner.is_active:
        notify(
            recipient=owner, template="partnerships/email/mou_note_added",
            context={"mou": mou, "note": note, "link": mou_link_for(owner, mou)},
            key=f"mou-note:{note.pk}:{owner.pk}", kind="mou_note",
        )
    return note


# --- targets and the annual review pack (their own module) -------------------------------------
from .review_services import (  # noqa: E402,F401
    review_pack_build,
    review_pack_generate,
    review_pack_sign_off,
    review_reminders_sweep,
    target_create,
    target_delete,
    target_save,
)


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
            _save(entry, actor=actor, reason=entry.kind)
            if propose_done:
                commitment.done_proposed_at = timezone.now()
                _save(commitment, actor=actor, reason="proposed as done", update_fields=["done_proposed_at"])
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
        _save(commitment, actor=actor, reason="confirmed as done",
              update_fields=["status", "fulfilment_note", "closed_on", "done_proposed_at"])
    else:
        _save(commitment, actor=actor, reason="sent back", update_fields=["done_proposed_at"])
    entry = CommitmentProgress(
        commitment=commitment, kind=ProgressKind.CONFIRMED if confirm else ProgressKind.RETURNED,
        text=message, author=actor,
    )
    _save(entry, actor=actor, reason=entry.kind)
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
