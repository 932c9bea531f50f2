"""Who may do what with people and organisations (object rules beside the model permissions)."""
from __future__ import annotations

from .roles import is_active_user, is_partner_org_admin


def can_manage_colleagues(user) -> bool:
    """The portal's colleague pages: partner organisation administrators only."""
    return is_partner_org_admin(user)


def can_invite_user(actor, organization) -> bool:
    """Staff with the add-user permission: any organisation; a partner organisation
    administrator: their own organisation only."""
    if not is_active_user(actor):
        return False
    if actor.is_staff:
        return actor.has_perm("accounts.add_user")
    return is_partner_org_admin(actor) and organization is not None and organization.pk == actor.organization_id


def can_deactivate_user(actor, user) -> bool:
    """Staff with the change-user permission: anyone but a superuser (unless they are one);
    a partner organisation administrator: partner colleagues of their own organisation."""
    if not is_active_user(actor) or actor.pk == user.pk:
        return False
    if actor.is_staff:
        return actor.has_perm("accounts.change_user") and (actor.is_superuser or not user.is_superuser)
    return is_partner_org_admin(actor) and not user.is_staff and user.organization_id == actor.organization_id


def can_view_contacts(user, organization_id: int | None = None) -> bool:
    """Staff with the view-contact permission: every organisation's; a partner user: their own's."""
    if not is_active_user(user):
        return False
    if user.is_staff:
        return user.has_perm("accounts.view_contact")
    return bool(user.organization_id) and (organization_id is None or organization_id == user.organization_id)


def can_manage_contacts(actor, organization_id: int | None) -> bool:
    """Add, edit, deactivate contacts: staff with the change-contact permission (any organisation);
    a partner organisation administrator (their own organisation only)."""
    if not is_active_user(actor):
        return False
    if actor.is_staff:
        return actor.has_perm("accounts.change_contact")
    return is_partner_org_admin(actor) and organization_id == actor.organization_id
