"""Only a superuser changes a superuser: a KITB administrator (staff with accounts.change_user, not a
superuser) cannot set their password, e-mail, active flag or groups, by any admin path."""
import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from kitb_portal.accounts import roles
from kitb_portal.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kitb_admin(kitb):
    user = UserFactory(staff=True, organization=kitb, email="kitb-admin@kitb.example")
    user.groups.add(Group.objects.get(name=roles.KITB_ADMINISTRATOR))
    assert user.has_perm("accounts.change_user") and not user.is_superuser
    return user


@pytest.fixture
def admin_client(client, kitb_admin):
    client.force_login(kitb_admin)
    return client


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def password_url(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


def form_data(user, **changes):
    data = {
        "email": user.email, "full_name": user.full_name, "organization": user.organization_id or "",
        "preferred_language": user.preferred_language, "time_zone": user.time_zone,
        "is_active": "on", "is_staff": "on" if user.is_staff else "", "is_org_admin": "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_the_password_page_of_a_superuser_is_refused(admin_client, admin_user):
    old_hash = admin_user.password
    assert admin_client.get(password_url(admin_user)).status_code == 403
    response = admin_client.post(password_url(admin_user), {
        "password1": "Taken-Over-Passw0rd!", "password2": "Taken-Over-Passw0rd!", "usable_password": "true",
    })
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.password == old_hash


def test_the_change_form_of_a_superuser_is_refused(admin_client, admin_user):
    response = admin_client.post(change_url(admin_user), form_data(admin_user, email="mine@attacker.example", is_active=""))
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.email == "admin@kitb.example" and admin_user.is_active


def test_the_history_revert_of_a_superuser_is_refused(admin_client, kitb):
    """A superuser who was once an ordinary user has versions an administrator could revert to."""
    promoted = UserFactory(staff=True, organization=kitb, email="boss@kitb.example")
    promoted.is_superuser = True
    promoted.save()
    version = promoted.history.order_by("history_id").first()
    url = reverse("admin:accounts_user_simple_history", args=[promoted.pk, version.history_id])
    response = admin_client.post(url, form_data(promoted, email="mine@attacker.example"))
    assert response.status_code == 403
    promoted.refresh_from_db()
    assert promoted.email == "boss@kitb.example" and promoted.is_superuser


def test_bulk_actions_skip_superusers(admin_client, admin_user, partner_a):
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate_users", "_selected_action": [admin_user.pk, partner_a.pk]},
        follow=True,
    )
    assert response.status_code == 200
    admin_user.refresh_from_db()
    partner_a.refresh_from_db()
    assert admin_user.is_active and not partner_a.is_active


def test_a_non_superuser_cannot_grant_superuser_status(admin_client, staff_user):
    response = admin_client.post(change_url(staff_user), form_data(staff_user, is_superuser="on"))
    assert response.status_code == 302
    staff_user.refresh_from_db()
    assert not staff_user.is_superuser


def test_a_non_superuser_grants_only_groups_within_their_own_rights(kitb, staff_user):
    officer = UserFactory(staff=True, organization=kitb, email="officer@kitb.example")
    officer.groups.add(Group.objects.get(name=roles.PARTNERSHIPS_OFFICER))
    officer.user_permissions.add(*Permission.objects.filter(content_type__app_label="accounts", codename__in=["change_user", "view_user"]))
    officer = User.objects.get(pk=officer.pk)
    client = Client()
    client.force_login(officer)
    administrators = Group.objects.get(name=roles.KITB_ADMINISTRATOR)

    # Neither for themselves nor for anyone else.
    for target in (officer, staff_user):
        response = client.post(change_url(target), form_data(target, groups=[str(administrators.pk)]))
        assert response.status_code == 200  # the form refuses the choice
        assert not target.groups.filter(pk=administrators.pk).exists()


def test_a_superuser_still_changes_a_superuser(client, admin_user, kitb):
    other = UserFactory(staff=True, organization=kitb, is_superuser=True, email="root2@kitb.example")
    client.force_login(admin_user)
    assert client.get(password_url(other)).status_code == 200
    response = client.post(change_url(other), form_data(other, full_name="Renamed Root"))
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.full_name == "Renamed Root"
