"""Reads for people, scoped by who asks."""
from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from . import permissions
from .models import User


def colleague_list_for(user) -> QuerySet[User]:
    """The partner users of ``user``'s organisation (active first), for its administrators."""
    if not permissions.can_manage_colleagues(user):
        return User.objects.none()
    return (
        User.objects.filter(organization_id=user.organization_id, is_staff=False)
        .only("pk", "email", "full_name", "preferred_language", "is_org_admin", "is_active", "last_login", "password", "organization_id")
        .order_by("-is_active", "full_name", "email")
    )


def colleague_get_for(user, pk: int) -> User:
    """One colleague of ``user``'s organisation; Http404 for anyone else, as for no one."""
    colleague = colleague_list_for(user).filter(pk=pk).first()
    if colleague is None:
        raise Http404("No such colleague.")
    return colleague


def api_token_list_for(user):
    """The user's own API tokens, newest first (revoked and expired ones too, marked so)."""
    from .models import ApiToken

    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_get_for(user, pk: int):
    """One of the user's own tokens; Http404 for anyone else's."""
    token = api_token_list_for(user).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    return token


# --- contacts -----------------------------------------------------------------------------------
def contact_list_for(user, *, organization_id: int | None = None, include_inactive: bool = True):
    """Contacts ``user`` may see (staff with view_contact: all; a partner: their organisation's),
    with organisation and login loaded."""
    from .models import Contact

    if not user.is_authenticated or not user.is_active:
        return Contact.objects.none()
    qs = Contact.objects.select_related("organization", "user")
    if user.is_staff:
        if not permissions.can_view_contacts(user):
            return qs.none()
    elif user.organization_id:
        qs = qs.filter(organization_id=user.organization_id)
    else:
        return qs.none()
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("-is_active", "full_name", "pk")


def contact_get_for(user, pk: int):
    """One contact ``user`` may see; Http404 for another organisation's, as for none."""
    contact = contact_list_for(user).filter(pk=pk).first()
    if contact is None:
        raise Http404("No such contact.")
    return contact


def organization_list_for(user) -> QuerySet:
    """Organisations ``user`` may see: staff with view_organization: all; a partner: their own."""
    from .models import Organization

    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    if user.is_staff:
        return Organization.objects.all() if user.has_perm("accounts.view_organization") else Organization.objects.none()
    return Organization.objects.filter(pk=user.organization_id) if user.organization_id else Organization.objects.none()
