"""The authentication backend: ModelBackend's answers, in fewer queries."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from kitb_portal.accounts.backends import PortalBackend, group_names
from kitb_portal.accounts.roles import KITB_ADMINISTRATOR
from tests.factories import UserFactory
from tests.utils import count_queries

pytestmark = pytest.mark.django_db


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_permissions_are_modelbackends_in_one_query(kitb):
    user = UserFactory(staff=True, organization=kitb, email="mixed@kitb.example")
    user.user_permissions.add(Permission.objects.get(codename="view_venue"))
    group = Group.objects.create(name="Readers")
    group.permissions.add(Permission.objects.get(codename="view_mou"), Permission.objects.get(codename="view_venue"))
    user.groups.add(group)

    expected = ModelBackend().get_all_permissions(_fresh(user))
    queries, _sql, perms = count_queries(PortalBackend().get_all_permissions, _fresh(user))
    assert perms == expected == {"events.view_venue", "partnerships.view_mou"}
    assert queries == 1

    superuser = UserFactory(staff=True, is_superuser=True, organization=kitb, email="root@kitb.example")
    assert PortalBackend().get_all_permissions(_fresh(superuser)) == ModelBackend().get_all_permissions(_fresh(superuser))
    user.is_active = False
    user.save()
    assert PortalBackend().get_all_permissions(_fresh(user)) == set()
    assert not _fresh(user).has_perm("partnerships.view_mou")


def test_the_users_group_names_come_with_the_user(client, kitb):
    user = UserFactory(staff=True, organization=kitb, email="boss@kitb.example")
    user.groups.add(Group.objects.get_or_create(name=KITB_ADMINISTRATOR)[0])
    client.force_login(user)
    request = client.get("/healthz/").wsgi_request
    loaded = get_user(request)
    assert loaded == user
    queries, _sql, names = count_queries(group_names, loaded)
    assert names == {KITB_ADMINISTRATOR} and queries == 0
    # a user loaded another way reads them once
    other = _fresh(user)
    assert count_queries(group_names, other)[0] == 1 and count_queries(group_names, other)[0] == 0


def test_a_deactivated_user_is_not_loaded(client, kitb):
    user = UserFactory(staff=True, organization=kitb, email="gone@kitb.example")
    client.force_login(user)
    user.is_active = False
    user.save()
    assert client.get("/admin/").status_code == 302


def test_module_permissions_are_modelbackends(kitb):
    from django.apps import apps

    user = UserFactory(staff=True, organization=kitb, email="modules@kitb.example")
    user.user_permissions.add(Permission.objects.get(codename="view_venue"))
    group = Group.objects.create(name="Module readers")
    group.permissions.add(Permission.objects.get(codename="view_mou"))
    user.groups.add(group)
    superuser = UserFactory(staff=True, is_superuser=True, organization=kitb, email="root2@kitb.example")
    labels = [config.label for config in apps.get_app_configs()]
    for someone in (user, superuser):
        ours, djangos = PortalBackend(), ModelBackend()
        fresh_ours, fresh_djangos = _fresh(someone), _fresh(someone)
        assert [ours.has_module_perms(fresh_ours, label) for label in labels] == [
            djangos.has_module_perms(fresh_djangos, label) for label in labels
        ]
    fresh = _fresh(user)
    assert PortalBackend().has_module_perms(fresh, "events") and not PortalBackend().has_module_perms(fresh, "tenants")
    user.user_permissions.add(Permission.objects.get(codename="view_application"))
    assert PortalBackend().has_module_perms(_fresh(user), "tenants")
    user.is_active = False
    user.save()
    assert not PortalBackend().has_module_perms(_fresh(user), "events")
