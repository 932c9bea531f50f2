"""MoUs, their parties and signatories, and the status transitions declared in ``workflow.py``
(negotiation, signing, activation, expiry, termination, renewal)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kitb_portal.accounts.models import Organization

from .. import selectors, workflow
from ..models import DocumentApproval, DocumentKind, MoU, MoUDocument, MoUParty, MoUStatus, MoUTerm
from .common import full_clean, lock_mou, notify_status, require_staff, save_with_history


# --- MoU and parties --------------------------------------------------------------------------
@transaction.atomic
def mou_create(
    *, actor, reference: str, title_en: str, title_id: str = "", title_ko: str = "", summary: str = "",
    scope: list[str] | tuple[str, ...] = (), owner=None, effective_date: dt.date | None = None,
    expiry_date: dt.date | None = None, auto_renew: bool = False, renewal_notice_days: int = 90,
) -> MoU:
    """A new MoU in status draft."""
    require_staff(actor, "partnerships.add_mou")
    mou = MoU(
        reference=reference.strip(), title_en=title_en, title_id=title_id, title_ko=title_ko, summary=summary,
        scope=list(scope), owner=owner, effective_date=effective_date, expiry_date=expiry_date,
        auto_renew=auto_renew, renewal_notice_days=renewal_notice_days, status=MoUStatus.DRAFT,
    )
    full_clean(mou)
    save_with_history(mou, actor=actor, reason="created")
    return mou


@transaction.atomic
def party_add(
    *, actor, mou_id: int, organization: Organization, role: str = MoUParty.Role.SECOND_PARTY,
    signatory_name: str = "", signatory_title: str = "", signed_on: dt.date | None = None,
) -> MoUParty:
    require_staff(actor, "partnerships.add_mouparty")
    mou = lock_mou(mou_id)
    if mou.status not in (MoUStatus.DRAFT, MoUStatus.NEGOTIATION):
        raise ValidationError(_("Parties can only be added while the MoU is a draft or under negotiation."))
    party = MoUParty(
        mou=mou, organization=organization, role=role, signatory_name=signatory_name,
        signatory_title=signatory_title, signed_on=signed_on,
    )
    full_clean(party)
    save_with_history(party, actor=actor, reason="party added")
    return party


@transaction.atomic
def party_set_signatory(
    *, actor, party_id: int, signatory_name: str, signatory_title: str, signed_on: dt.date | None, signatory_contact=None
) -> MoUParty:
    """Record who signed for the party; ``signatory_contact`` (a contact of the party's organisation)
    links the person in the contact directory beside the free-text name and title."""
    require_staff(actor, "partnerships.change_mouparty")
    party = MoUParty.objects.select_for_update().get(pk=party_id)
    party.signatory_name, party.signatory_title, party.signed_on = signatory_name, signatory_title, signed_on
    party.signatory_contact = signatory_contact
    full_clean(party)
    save_with_history(
        party, actor=actor, reason="signatory recorded",
        update_fields=["signatory_name", "signatory_title", "signatory_contact", "signed_on"],
    )
    return party


# --- status transitions (declared in workflow.py) ---------------------------------------------
@transaction.atomic
def mou_start_negotiation(*, mou_id: int, actor) -> MoU:
    mou = lock_mou(mou_id)
    workflow.check(mou, "start_negotiation", actor)
    if MoUParty.objects.filter(mou=mou).count() < 2:
        raise ValidationError(_("MoU %(ref)s needs at least two parties before negotiation starts.") % {"ref": mou.reference})
    mou.status = MoUStatus.NEGOTIATION
    save_with_history(mou, actor=actor, reason="negotiation started", update_fields=["status"])
    notify_status(mou, actor=actor)
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
        draft = selectors.current_draft(mou)
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
    mou = lock_mou(mou_id)
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
    save_with_history(mou, actor=actor, reason="signed", update_fields=["status", "signed_date"])
    notify_status(mou, actor=actor)
    return mou


@transaction.atomic
def mou_activate(
    *, mou_id: int, actor, effective_date: dt.date | None = None, expiry_date: dt.date | None = None
) -> MoU:
    """Signed → active, from the effective date (defaults: the date on record, else the signing date)."""
    mou = lock_mou(mou_id)
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
    save_with_history(mou, actor=actor, reason="activated", update_fields=["status", "effective_date", "expiry_date"])
    notify_status(mou, actor=actor)
    return mou


@transaction.atomic
def mou_expire(*, mou_id: int, actor, today: dt.date | None = None) -> MoU:
    """Active → expired, on or after the expiry date."""
    today = today or timezone.localdate()
    mou = lock_mou(mou_id)
    workflow.check(mou, "expire", actor)
    if mou.expiry_date is None:
        raise ValidationError(_("MoU %(ref)s cannot expire: it has no expiry date.") % {"ref": mou.reference})
    if mou.expiry_date > today:
        raise ValidationError(
            _("MoU %(ref)s cannot be marked expired before its expiry date (%(exp)s).") % {"ref": mou.reference, "exp": mou.expiry_date}
        )
    mou.status = MoUStatus.EXPIRED
    save_with_history(mou, actor=actor, reason="expired", update_fields=["status"])
    notify_status(mou, actor=actor)
    return mou


@transaction.atomic
def mou_terminate(*, mou_id: int, actor, reason: str, termination_date: dt.date | None = None) -> MoU:
    """Any status but expired/terminated → terminated (final)."""
    mou = lock_mou(mou_id)
    workflow.check(mou, "terminate", actor)
    if not (reason or "").strip():
        raise ValidationError(_("MoU %(ref)s cannot be terminated without a reason.") % {"ref": mou.reference})
    mou.status = MoUStatus.TERMINATED
    mou.termination_date = termination_date or timezone.localdate()
    mou.termination_reason = reason.strip()
    save_with_history(mou, actor=actor, reason="terminated", update_fields=["status", "termination_date", "termination_reason"])
    notify_status(mou, actor=actor)
    return mou


@transaction.atomic
def mou_renew(
    *, mou_id: int, actor, new_expiry_date: dt.date, new_effective_date: dt.date | None = None,
    signed_date: dt.date | None = None,
) -> MoU:
    """Active/expired → active with a new term; the old term's dates are kept as an ``MoUTerm``."""
    mou = lock_mou(mou_id)
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
    save_with_history(
        mou, actor=actor, reason=f"renewed: term {mou.term_number}",
        update_fields=["status", "term_number", "effective_date", "expiry_date", "signed_date"],
    )
    notify_status(mou, actor=actor)
    return mou
