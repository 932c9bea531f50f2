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
