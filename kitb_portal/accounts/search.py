"""The accounts' search sources (``settings.SEARCH_SOURCES``): organisations and people.

Staff allowed to view organisations / users find all of them (and reach their admin pages). A partner
finds only their own organisation, and, if they administer it, their colleagues (the scope of the
colleague pages, :func:`selectors.colleague_list_for`): never another organisation or its people.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kitb_portal.search.core import Hit, Query, Source, ranked

from . import permissions, selectors
from .models import User
from .roles import is_active_user


class OrganizationSource(Source):
    key = "organisations"
    label = _("Organisations")

    def available(self, user) -> bool:
        if not is_active_user(user):
            return False
        return user.has_perm("accounts.view_organization") if user.is_staff else bool(user.organization_id)

    def search(self, user, query: Query, *, limit: int) -> list[Hit]:
        rows = ranked(selectors.organization_list_for(user), query, like=("name", "local_name"), limit=limit)
        return [
            Hit(
                title=org.name, detail=" · ".join(p for p in (org.local_name, str(org.get_kind_display()), org.country) if p),
                rank=org.search_rank,
                url=reverse("admin:accounts_organization_change", args=[org.pk]) if user.is_staff else reverse("portal:home"),
            )
            for org in rows
        ]


class PersonSource(Source):
    key = "people"
    label = _("People and contacts")

    def available(self, user) -> bool:
        if not is_active_user(user):
            return False
        return user.has_perm("accounts.view_user") if user.is_staff else permissions.can_manage_colleagues(user)

    def search(self, user, query: Query, *, limit: int) -> list[Hit]:
        scoped = User.objects.all() if user.is_staff else selectors.colleague_list_for(user)
        rows = ranked(
            scoped, query, like=("full_name", "email"), exact=Q(email__iexact=query.text),
            display=User.objects.select_related("organization"), limit=limit,
        )
        return [
            Hit(
                title=f"{person.full_name} <{person.email}>" if person.full_name else person.email,
                detail=" · ".join(p for p in (person.organization.name if person.organization_id else "",
                                              "" if person.is_active else str(_("inactive"))) if p),
                rank=person.search_rank,
                url=reverse("admin:accounts_user_change", args=[person.pk]) if user.is_staff else reverse("portal:user_list"),
            )
            for person in rows
        ]


organisations = OrganizationSource()
people = PersonSource()
