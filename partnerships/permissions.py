"""Object rules of the partnerships app: ``can_<verb>_<noun>(user, obj)``.

Reading is scoped by the selectors; these rules decide what a user may *do* with what they can see.
"""

from __future__ import annotations

from kitb_portal.accounts import roles
from kitb_portal.accounts.roles import is_partner_user

from .models import DocumentKind, MoU, MoUDocument, MoUParty, MoUStatus


def _is_party_member(user, mou: MoU) -> bool:
    if not is_partner_user(user):
        return False
    return any(p.organization_id == user.organization_id for p in mou.parties.all())


def _is_officer(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff and user.has_perm("partnerships.change_mou"))


def can_view_mou(user, mou: MoU) -> bool:
    if user.is_authenticated and user.is_active and user.is_staff:
        return user.has_perm("partnerships.view_mou")
    return _is_party_member(user, mou)


def can_add_note(user, mou: MoU) -> bool:
    """Partners of a party and partnership officers may add notes to the MoU's timeline."""
    if _is_officer(user):
        return True
    return _is_party_member(user, mou)


def can_upload_document(user, mou: MoU) -> bool:
    """A new document version: officers, or a party's partner users; never on a terminated MoU."""
    if mou.status == MoUStatus.TERMINATED:
        return False
    return _is_officer(user) or _is_party_member(user, mou)


def can_decide_on_draft(user, document: MoUDocument, party: MoUParty) -> bool:
    """Approve / request changes for ``party`` on a draft: the party's own partner users, or an officer
    recording an answer received another way. Only while the MoU is being drafted or negotiated."""
    if document.kind != DocumentKind.DRAFT or document.mou_id != party.mou_id:
        return False
    if document.mou.status not in (MoUStatus.DRAFT, MoUStatus.NEGOTIATION):
        return False
    if _is_officer(user):
        return True
    return roles.is_partner_user(user) and user.organization_id == party.organization_id


def may_answer_drafts(user, mou: MoU) -> bool:
    """Who may open the approve / request-changes form at all: an officer, or a party's partner user
    (``can_decide_on_draft`` then decides for the draft and the party): those who may add a note."""
    return can_add_note(user, mou)


def can_change_commitment(user, commitment) -> bool:
    return _is_officer(user) or (
        user.is_authenticated and user.is_staff and user.has_perm("partnerships.change_commitment")
    )


def can_report_progress(user, commitment) -> bool:
    """Progress on a commitment: the active partner users of its responsible organisation."""
    return roles.is_partner_user(user) and user.organization_id == commitment.responsible_organization_id


def can_confirm_commitment(user, commitment) -> bool:
    """Confirm a proposal or send it back: the MoU's owner (superusers stand in)."""
    if not roles.is_active_staff(user):
        return False
    return bool(user.is_superuser or (commitment.mou.owner_id and commitment.mou.owner_id == user.pk))
