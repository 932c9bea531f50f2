"""Role groups: created by a data migration, permissions synchronised after every migrate."""
import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal

from kitb_portal.accounts import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def perms_of(name):
    return set(
        Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename")
    )


def test_every_role_group_exists_after_migrate():
    assert set(Group.objects.filter(name__in=roles.ROLE_PERMISSIONS).values_list("name", flat=True)) == set(roles.ROLE_PERMISSIONS)
    assert set(roles.ROLE_LABELS) == set(roles.ROLE_PERMISSIONS)


def test_role_permissions_match_their_patterns():
    admin = perms_of(roles.KITB_ADMINISTRATOR)
    assert ("accounts", "add_user") in admin
    assert ("accounts", "view_invitation") in admin
    assert ("auth", "view_group") in admin
    assert ("auth", "change_group") not in admin  # only view_group of auth
    assert ("django_celery_beat", "change_periodictask") in admin
    assert ("axes", "view_accessattempt") in admin

    officer = perms_of(roles.PARTNERSHIPS_OFFICER)
    assert ("accounts", "view_user") in officer
    assert ("accounts", "change_user") not in officer
    assert ("accounts", "add_user") not in officer
    # The outbox is for the KITB administrator (and superusers) only.
    assert not {p for p in officer if p[0] == "notifications"}
    assert not {p for p in perms_of(roles.EVENTS_OFFICER) if p[0] == "notifications"}
    # notifications is installed after accounts: its permissions exist only once its own
    # post_migrate handlers ran, and the sync still caught them.
    assert ("notifications", "view_outboxmessage") in admin

    committee = perms_of(roles.SCREENING_COMMITTEE)
    assert committee == {p for p in committee if p[0] in {"tenants", "accounts"}}
    assert ("accounts", "view_organization") in committee


def test_every_permission_of_a_later_app_is_granted_by_wildcard():
    """partnerships/events/tenants come after accounts in INSTALLED_APPS: their models' permissions
    (whatever models they have today) are all in the KITB administrator's group."""
    admin = perms_of(roles.KITB_ADMINISTRATOR)
    for app_label in ("notifications", "partnerships", "events", "tenants"):
        expected = set(Permission.objects.filter(content_type__app_label=app_label).values_list("content_type__app_label", "codename"))
        assert expected <= admin, app_label


def test_post_migrate_resynchronises_groups():
    group = Group.objects.get(name=roles.EVENTS_OFFICER)
    group.permissions.clear()
    stray = Permission.objects.get(content_type__app_label="accounts", codename="delete_user")
    group.permissions.add(stray)
    Group.objects.get(name=roles.SCREENING_COMMITTEE).delete()

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default", apps=apps, plan=[])

    events = perms_of(roles.EVENTS_OFFICER)
    assert ("accounts", "delete_user") not in events
    assert ("accounts", "view_user") in events
    assert ("partnerships", "view_mou") in events or not Permission.objects.filter(content_type__app_label="partnerships").exists()
    assert Group.objects.filter(name=roles.SCREENING_COMMITTEE).exists()


def test_sync_runs_once_per_migrate(monkeypatch):
    """The handler acts once, after the last app's handlers, not once per installed app."""
    calls = []
    monkeypatch.setattr(roles, "sync_role_permissions", lambda **kwargs: calls.append(kwargs))
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default", apps=apps, plan=[])
    assert calls == [{"using": "default"}]


def test_group_grants_model_permissions_to_a_staff_user(kitb):
    user = UserFactory(staff=True, organization=kitb)
    user.groups.add(Group.objects.get(name=roles.PARTNERSHIPS_OFFICER))
    user = type(user).objects.get(pk=user.pk)  # fresh permission cache
    assert user.has_perm("accounts.view_user")
    assert not user.has_perm("accounts.add_user")


def _in_group(user, name):
    user.groups.add(Group.objects.get(name=name))
    user.group_names = None  # read the groups again
    return user


def test_role_predicates_say_who_is_who(kitb, technopark):
    administrator = _in_group(UserFactory(staff=True, organization=kitb), roles.KITB_ADMINISTRATOR)
    officer = _in_group(UserFactory(staff=True, organization=kitb), roles.EVENTS_OFFICER)
    reviewer = _in_group(UserFactory(staff=True, organization=kitb), roles.SCREENING_COMMITTEE)
    superuser = UserFactory(staff=True, organization=kitb, is_superuser=True)
    partner = UserFactory(organization=technopark)
    partner_admin = UserFactory(organization=technopark, is_org_admin=True)
    retired = _in_group(UserFactory(staff=True, organization=kitb, is_active=False), roles.KITB_ADMINISTRATOR)

    assert [roles.is_kitb_administrator(u) for u in (administrator, officer, superuser, partner, retired)] == [
        True, False, True, False, False]
    assert [roles.is_events_officer(u) for u in (administrator, officer, superuser, partner)] == [False, True, True, False]
    assert [roles.is_screening_committee_member(u) for u in (administrator, reviewer, superuser)] == [False, True, True]
    assert [roles.is_partner_user(u) for u in (officer, partner, partner_admin, None)] == [False, True, True, False]
    assert [roles.is_partner_org_admin(u) for u in (partner, partner_admin)] == [False, True]
    assert set(roles.staff_in_groups(roles.EVENTS_OFFICER)) == {officer}
    assert set(roles.staff_in_groups(roles.KITB_ADMINISTRATOR, superusers=True)) == {administrator, superuser}


def test_is_kitb_administrator_reads_the_groups_once_per_user(kitb, django_assert_num_queries):
    administrator = _in_group(UserFactory(staff=True, organization=kitb), roles.KITB_ADMINISTRATOR)
    with django_assert_num_queries(1):
        assert roles.is_kitb_administrator(administrator) and roles.is_kitb_administrator(administrator)


@pytest.mark.django_db
def test_each_group_gets_exactly_the_permissions_its_patterns_match():
    """The compiled matcher answers what fnmatchcase answers for each pattern, permission by permission."""
    from fnmatch import fnmatchcase

    roles.sync_role_permissions()
    every = [(p.pk, f"{p.content_type.app_label}.{p.codename}") for p in Permission.objects.select_related("content_type")]
    for name, patterns in roles.ROLE_PERMISSIONS.items():
        want = {pk for pk, label in every if any(fnmatchcase(label, pattern) for pattern in patterns)}
        assert want, name
        assert set(Group.objects.get(name=name).permissions.values_list("pk", flat=True)) == want, name
