"""The object rules (``can_<verb>_<noun>`` in the apps' permissions.py) agree with the access matrix,
for every role; the README's table is the matrix; the role groups' permissions are derived from it."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from kitb_portal.accounts import access
from kitb_portal.accounts import permissions as account_rules
from kitb_portal.accounts.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def _user(world, role):
    from django.contrib.auth.models import AnonymousUser

    user = world.users[role]
    return AnonymousUser() if user is None else type(user).objects.get(pk=user.pk)  # fresh permission caches


def _cell(role, area, level):
    return access.grant(role, area).allows(level)


def test_object_rules_follow_the_matrix(world):
    from events import permissions as event_rules
    from kitb_portal.jobs import permissions as job_rules
    from kitb_portal.notifications import permissions as outbox_rules
    from tenants import permissions as tenant_rules
    from tenants.services.projects import can_change_projects

    org_a = world.objects["accounts.organization"]
    staff_only = access.STAFF_ROLES
    checks = {
        "events.can_check_in": (event_rules.can_check_in, "checkin", access.CHANGE, staff_only),
        "events.can_view_summary": (event_rules.can_view_summary, "events", access.READ, staff_only),
        "tenants.can_view_land": (tenant_rules.can_view_land, "land", access.READ, staff_only),
        "tenants.can_allocate_land": (tenant_rules.can_allocate_land, "land", access.CHANGE, staff_only),
        "tenants.can_assign_reviewers": (tenant_rules.can_assign_reviewers, "assignments", access.CHANGE, staff_only),
        "tenants.can_edit_criteria": (tenant_rules.can_edit_criteria, "screening", access.CHANGE, staff_only),
        "tenants.can_create_application": (tenant_rules.can_create_application, "applications", access.CHANGE, access.PARTNER_ROLES),
        "tenants.can_view_meetings": (tenant_rules.can_view_meetings, "committee", access.READ, staff_only),
        "tenants.can_manage_meetings": (tenant_rules.can_manage_meetings, "committee", access.CHANGE, staff_only),
        "tenants.can_change_projects": (can_change_projects, "projects", access.CHANGE, staff_only),
        "jobs.can_use_jobs": (job_rules.can_use_jobs, "jobs", access.READ, staff_only),
        "notifications.can_retry_outbox_message": (outbox_rules.can_retry_outbox_message, "outbox", access.CHANGE, staff_only),
        "accounts.can_manage_colleagues": (account_rules.can_manage_colleagues, "users", access.CHANGE, access.PARTNER_ROLES),
        "accounts.can_invite_user": (lambda u: account_rules.can_invite_user(u, u.organization if not u.is_staff else org_a)
                                     if u.is_authenticated else False, "users", access.CHANGE, staff_only | access.PARTNER_ROLES),
    }
    wrong = []
    for role in access.ROLES:
        user = _user(world, role)
        for name, (rule, area, level, applies_to) in checks.items():
            want = role in applies_to and _cell(role, area, level)
            if bool(rule(user)) != want:
                wrong.append(f"{name} for {role}: rule says {bool(rule(user))}, the matrix {want}")
    assert not wrong, "\n".join(wrong)


def test_role_groups_hold_exactly_the_derived_permissions(world):
    for role, group_name in access.ROLE_GROUPS.items():
        held = {f"{a}.{c}" for a, c in Group.objects.get(name=group_name).permissions.values_list("content_type__app_label", "codename")}
        assert held == set(access.permissions_of(role)) == set(ROLE_PERMISSIONS[group_name]), role
    # every permission the matrix names exists (a renamed model would silently grant nothing)
    existing = {f"{a}.{c}" for a, c in Permission.objects.values_list("content_type__app_label", "codename")}
    named = {p for role in access.ROLE_GROUPS for p in access.permissions_of(role)}
    assert named <= existing, sorted(named - existing)


def test_every_model_with_permissions_belongs_to_an_area():
    from django.apps import apps

    outside = {"admin.logentry", "auth.permission", "contenttypes.contenttype", "sessions.session", "jobs.backgroundjob"}
    missing = [m._meta.label_lower for m in apps.get_models()
               if m._meta.label_lower not in outside and access.area_of_model(m._meta.label_lower) is None]
    assert not missing, f"models no access area carries: {missing}"


def test_outbox_is_for_the_administrator_and_superusers_only():
    readers = [role for role in access.ROLES if _cell(role, "outbox", access.READ)]
    assert readers == [access.ADMINISTRATOR, access.SUPERUSER]


def test_readme_table_is_the_matrix():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert access.matrix_markdown() in readme, "README's 'Roles and access' table differs: paste access.matrix_markdown()"
