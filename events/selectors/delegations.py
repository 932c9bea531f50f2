"""Delegations of the user's organisation, and the letters and certificates KITB issued (by their
verification code; a visa letter only for those who may see passport data)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404

from kitb_portal.accounts import roles

from .. import permissions
from ..models import Delegation, DelegationMember, DocumentKind, IssuedDocument


def delegations_for(user):
    """The delegations of the user's organisation (partners only)."""
    if not roles.is_partner_user(user):
        return Delegation.objects.none()
    return Delegation.objects.filter(organization_id=user.organization_id).select_related("event").order_by("-created_at", "-pk")


def delegation_get_for(user, pk: int):
    """A delegation of the user's organisation, members and their places loaded; else Http404."""
    members = Prefetch(
        "members",
        queryset=DelegationMember.objects.select_related("registration").prefetch_related("registration__issued_documents")
        .order_by("pk"),
    )
    try:
        return delegations_for(user).select_related("event__venue", "organization", "administrator").prefetch_related(
            members).get(pk=pk)
    except (Delegation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- letters and certificates ---------------------------------------------------------------------------
def document_by_code(code: str):
    """An issued letter or certificate by its verification code; Http404 for anything else."""
    if not code or len(code) > 32:
        raise Http404
    try:
        return IssuedDocument.objects.select_related("registration__event__venue").get(code=code)
    except IssuedDocument.DoesNotExist as exc:
        raise Http404 from exc


def letter_get_for(user, *, delegation_id: int, member_id: int):
    """The visa letter of a member of the user's organisation's delegation; Http404 otherwise (and
    for anyone who may not see passport data)."""
    delegation = delegation_get_for(user, delegation_id)
    if not permissions.can_see_passport(user, delegation):
        raise Http404
    try:
        member = DelegationMember.objects.get(pk=member_id, delegation=delegation)
        return IssuedDocument.objects.select_related(
            "registration__event__venue", "registration__delegation_member__delegation__organization"
        ).get(kind=DocumentKind.VISA_LETTER, registration_id=member.registration_id)
    except (DelegationMember.DoesNotExist, IssuedDocument.DoesNotExist) as exc:
        raise Http404 from exc
