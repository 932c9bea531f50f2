"""The admin for users, organisations and invitations."""
import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from kitb_portal.accounts import roles, services
from kitb_portal.accounts.models import Invitation, User
from tests.factories import OrganizationFactory, UserFactory
from tests.utils import assert_flat_queries, count_queries

from .helpers import last_mail_to, link_in

pytestmark = pytest.mark.django_db

USERS = reverse("admin:accounts_user_changelist")
INVITE = reverse("admin:accounts_user_invite")


@pytest.fixture
def kitb_admin_client(client, kitb):
    """A KITB administrator (role group, not a superuser)."""
    user = UserFactory(staff=True, organization=kitb, email="kitb-admin@kitb.example")
    user.groups.add(Group.objects.get(name=roles.KITB_ADMINISTRATOR))
    client.force_login(user)
    client.user = user
    return client


def test_user_changelist_with_filters_and_search(staff_client, partner_a, partner_b, technopark):
    response = staff_client.get(USERS)
    assert response.status_code == 200
    body = response.content.decode()
    assert partner_a.email in body and partner_b.email in body
    assert INVITE in body  # the "Invite a partner user" button

    filtered = staff_client.get(USERS, {"organization__id__exact": technopark.pk, "is_active__exact": "1", "preferred_language__exact": "en"})
    assert filtered.status_code == 200
    assert partner_a.email in filtered.content.decode() and partner_b.email not in filtered.content.decode()
    searched = staff_client.get(USERS, {"q": "Chungbuk Technopark"})
    assert list(searched.context["cl"].result_list) == [partner_a]
    assert staff_client.get(USERS, {"is_staff__exact": "1"}).status_code == 200


@pytest.mark.slow  # builds the data twice: the query count at two sizes
def test_user_changelist_queries_do_not_grow(staff_client):
    def changelist():
        assert staff_client.get(USERS).status_code == 200

    for _i in range(3):
        UserFactory(organization=OrganizationFactory())
    small = count_queries(changelist)
    for _i in range(30):
        UserFactory(organization=OrganizationFactory())
    large = count_queries(changelist)
    assert_flat_queries(small, large)


@pytest.mark.slow  # builds the data twice: the query count at two sizes
def test_organisation_and_invitation_changelists_queries_do_not_grow(staff_client, technopark, admin_user, django_capture_on_commit_callbacks):
    def pages():
        assert staff_client.get(reverse("admin:accounts_organization_changelist")).status_code == 200
        assert staff_client.get(reverse("admin:accounts_invitation_changelist")).status_code == 200

    def invite_some(n, offset):
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(n):
                org = OrganizationFactory()
                services.user_invite(actor=admin_user, email=f"p{offset + i}@example.com", full_name=f"P {i}", organization=org, language="en")

    invite_some(2, 0)
    small = count_queries(pages)
    invite_some(20, 100)
    large = count_queries(pages)
    assert_flat_queries(small, large)


def test_organisation_changelist_shows_user_counts(staff_client, partner_a, technopark):
    UserFactory(organization=technopark)
    response = staff_client.get(reverse("admin:accounts_organization_changelist"))
    row = next(o for o in response.context["cl"].result_list if o.pk == technopark.pk)
    assert row._user_count == 2


def test_invite_from_the_admin(kitb_admin_client, province, django_capture_on_commit_callbacks):
    assert kitb_admin_client.get(INVITE).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = kitb_admin_client.post(
            INVITE, {"full_name": "Lee Ji-woo", "email": "Lee@Chungbuk.example", "organization": province.pk, "language": "ko", "is_org_admin": "on"}
        )
    assert response.status_code == 302 and response["Location"] == USERS
    user = User.objects.get(email="lee@chungbuk.example")
    assert user.organization == province and user.is_org_admin and user.preferred_language == "ko"
    assert not user.has_usable_password() and not user.is_staff
    invitation = Invitation.objects.get(user=user)
    assert invitation.invited_by == kitb_admin_client.user
    assert link_in(last_mail_to(user.email)).startswith("/accounts/invitation/")
    messages = [str(m) for m in kitb_admin_client.get(USERS).context["messages"]]
    assert any("invitation was sent to lee@chungbuk.example" in m for m in messages)


def test_admin_invite_shows_service_errors_on_the_form(kitb_admin_client, partner_a, technopark):
    response = kitb_admin_client.post(INVITE, {"full_name": "X", "email": partner_a.email, "organization": technopark.pk, "language": "en"})
    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    missing = kitb_admin_client.post(INVITE, {"full_name": "", "email": "bad", "language": "en"})
    assert set(missing.context["form"].errors) == {"full_name", "email", "organization"}
    assert mail.outbox == []


def test_admin_invite_needs_the_add_user_permission(client, kitb, technopark):
    officer = UserFactory(staff=True, organization=kitb)
    officer.groups.add(Group.objects.get(name=roles.PARTNERSHIPS_OFFICER))
    client.force_login(officer)
    assert client.get(USERS).status_code == 200  # may view users
    assert INVITE not in client.get(USERS).content.decode()
    assert client.get(INVITE).status_code == 403
    assert client.post(INVITE, {"full_name": "X", "email": "x@example.com", "organization": technopark.pk, "language": "en"}).status_code == 403
    assert not User.objects.filter(email="x@example.com").exists()


def test_admin_actions_deactivate_reactivate_and_reinvite(kitb_admin_client, partner_a, technopark, django_capture_on_commit_callbacks):
    action = lambda name, *users: kitb_admin_client.post(  # noqa: E731
        USERS, {"action": name, "_selected_action": [u.pk for u in users]}, follow=True
    )
    response = action("deactivate_users", partner_a, kitb_admin_client.user)
    partner_a.refresh_from_db()
    assert not partner_a.is_active
    kitb_admin_client.user.refresh_from_db()
    assert kitb_admin_client.user.is_active  # not themselves
    texts = [str(m) for m in response.context["messages"]]
    assert any("cannot deactivate your own account" in t for t in texts)
    assert any("1 user(s) deactivated" in t for t in texts)

    action("reactivate_users", partner_a)
    partner_a.refresh_from_db()
    assert partner_a.is_active

    pending = User.objects.create_user(email="pending@technopark.example", full_name="Pending", organization=technopark)
    with django_capture_on_commit_callbacks(execute=True):
        response = action("send_new_invitation", pending, partner_a)
    assert Invitation.objects.filter(user=pending).count() == 1
    assert not Invitation.objects.filter(user=partner_a).exists()
    texts = [str(m) for m in response.context["messages"]]
    assert any("already has an account" in t for t in texts)
    assert last_mail_to("pending@technopark.example")


def test_a_kitb_administrator_cannot_make_anyone_superuser(kitb_admin_client, partner_a):
    url = reverse("admin:accounts_user_change", args=[partner_a.pk])
    page = kitb_admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields
    data = {
        "email": partner_a.email, "full_name": "Renamed Partner", "organization": partner_a.organization_id,
        "preferred_language": "ko", "time_zone": "Asia/Seoul", "is_active": "on", "is_superuser": "on",
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    }
    response = kitb_admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    partner_a.refresh_from_db()
    assert partner_a.full_name == "Renamed Partner" and partner_a.preferred_language == "ko"
    assert not partner_a.is_superuser
    assert partner_a.history.latest().history_user == kitb_admin_client.user


def test_superuser_adds_a_staff_user_with_a_password(staff_client, kitb):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "New.Officer@KITB.example", "full_name": "New Officer", "organization": kitb.pk, "preferred_language": "id",
         "is_staff": "on", "usable_password": "true", "password1": "Officer-Password-2026", "password2": "Officer-Password-2026"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new.officer@kitb.example")
    assert user.is_staff and user.check_password("Officer-Password-2026")
    duplicate = staff_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "NEW.OFFICER@kitb.example", "full_name": "Again", "organization": kitb.pk, "preferred_language": "id",
         "usable_password": "false"},
    )
    assert duplicate.status_code == 200 and "already exists" in duplicate.content.decode()


def test_invitation_admin_is_read_only(staff_client, admin_user, technopark, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.user_invite(actor=admin_user, email="ro@technopark.example", full_name="RO", organization=technopark, language="en")
    listing = staff_client.get(reverse("admin:accounts_invitation_changelist"))
    assert listing.status_code == 200 and "ro@technopark.example" in listing.content.decode()
    assert invitation.token not in listing.content.decode()
    detail = staff_client.get(reverse("admin:accounts_invitation_change", args=[invitation.pk]))
    assert detail.status_code == 200 and "Valid" in detail.content.decode()
    assert staff_client.get(reverse("admin:accounts_invitation_add")).status_code == 403
    assert staff_client.post(reverse("admin:accounts_invitation_delete", args=[invitation.pk]), {"post": "yes"}).status_code == 403
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_user_history_page(staff_client, partner_a, admin_user):
    services.user_deactivate(actor=admin_user, user=partner_a)
    response = staff_client.get(reverse("admin:accounts_user_history", args=[partner_a.pk]))
    assert response.status_code == 200
    assert "deactivated" in response.content.decode()


def test_users_are_deactivated_never_deleted(staff_client, partner_a):
    assert staff_client.get(reverse("admin:accounts_user_delete", args=[partner_a.pk])).status_code == 403
    actions = dict(staff_client.get(USERS).context["action_form"].fields["action"].choices)
    assert "delete_selected" not in actions and "deactivate_users" in actions
    assert User.objects.filter(pk=partner_a.pk).exists()
