"""The portal's colleague pages: partner organisation administrators invite and deactivate
colleagues of their own organisation, and no one else."""
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kitb_portal.accounts import services
from kitb_portal.accounts.models import Invitation, User
from tests.factories import UserFactory
from tests.utils import assert_flat_queries, count_queries

from .helpers import last_mail_to, log_in

pytestmark = pytest.mark.django_db

LIST = reverse("portal:user_list")
INVITE = reverse("portal:user_invite")


def deactivate_url(user):
    return reverse("portal:user_deactivate", args=[user.pk])


def reactivate_url(user):
    return reverse("portal:user_reactivate", args=[user.pk])


@pytest.fixture
def admin_client_a(client, org_admin_a):
    client.force_login(org_admin_a)
    return client


def invite_form(**overrides):
    data = {"full_name": "Han So-hee", "email": "han@technopark.example", "language": "ko"}
    data.update(overrides)
    return data


# --- the list ----------------------------------------------------------------------------------
def test_org_admin_sees_only_colleagues_of_their_organisation(admin_client_a, colleague_a, partner_b, staff_user):
    response = admin_client_a.get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert colleague_a.email in body
    assert partner_b.email not in body
    assert staff_user.email not in body
    assert set(response.context["page_obj"].object_list) == {colleague_a, response.wsgi_request.user}


def test_colleague_list_paginates_with_flat_queries(admin_client_a, technopark):
    def page():
        response = admin_client_a.get(LIST)
        assert response.status_code == 200
        return response

    UserFactory.create_batch(3, organization=technopark)
    small = count_queries(page)
    UserFactory.create_batch(40, organization=technopark)
    large = count_queries(page)
    assert_flat_queries(small, large, limit=12)
    response = large[2]
    assert response.context["page_obj"].paginator.num_pages == 2
    assert admin_client_a.get(LIST, {"page": 2}).status_code == 200
    assert admin_client_a.get(LIST, {"page": "nonsense"}).status_code == 200


def test_invited_and_deactivated_colleagues_are_marked(admin_client_a, colleague_a, org_admin_a, technopark, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.user_invite(actor=org_admin_a, email="pending@technopark.example", full_name="Pending Person", organization=technopark, language="en")
    services.user_deactivate(actor=org_admin_a, user=colleague_a)
    body = admin_client_a.get(LIST).content.decode()
    assert "invited, not joined yet" in body
    assert "deactivated" in body
    assert reactivate_url(colleague_a) in body


# --- who may use the pages -------------------------------------------------------------------
@pytest.mark.parametrize("method,url_name", [("get", "list"), ("get", "invite"), ("post", "invite"), ("post", "deactivate"), ("post", "reactivate")])
def test_ordinary_partner_gets_403(client, partner_a, colleague_a, method, url_name):
    client.force_login(partner_a)
    url = {"list": LIST, "invite": INVITE, "deactivate": deactivate_url(colleague_a), "reactivate": reactivate_url(colleague_a)}[url_name]
    response = getattr(client, method)(url, invite_form() if url_name == "invite" else {})
    assert response.status_code == 403
    colleague_a.refresh_from_db()
    assert colleague_a.is_active
    assert not User.objects.filter(email="han@technopark.example").exists()


def test_staff_use_the_admin_not_these_pages(staff_client):
    assert staff_client.get(LIST).status_code == 403
    assert staff_client.get(INVITE).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, colleague_a):
    for url in (LIST, INVITE):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    response = client.post(deactivate_url(colleague_a))
    assert response.status_code == 302
    colleague_a.refresh_from_db()
    assert colleague_a.is_active


# --- invite ----------------------------------------------------------------------------------
def test_org_admin_invites_a_colleague_into_their_own_organisation(admin_client_a, technopark, org_admin_a, django_capture_on_commit_callbacks):
    page = admin_client_a.get(INVITE)
    assert page.status_code == 200
    assert 'name="organization"' not in page.content.decode()  # the organisation is not a choice

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_a.post(INVITE, invite_form())
    assert response.status_code == 302 and response["Location"] == LIST
    user = User.objects.get(email="han@technopark.example")
    assert user.organization == technopark and not user.has_usable_password()
    assert Invitation.objects.get(user=user).invited_by == org_admin_a
    assert last_mail_to("han@technopark.example")


def test_a_forged_organisation_field_is_ignored(admin_client_a, technopark, province, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_a.post(INVITE, invite_form(organization=province.pk))
    assert User.objects.get(email="han@technopark.example").organization == technopark
    assert not province.users.filter(email="han@technopark.example").exists()


def test_inviting_another_organisations_user_gives_a_form_error(admin_client_a, partner_b, province):
    response = admin_client_a.post(INVITE, invite_form(email=partner_b.email.upper()))
    assert response.status_code == 200
    assert "cannot be invited into this organisation" in response.content.decode()
    partner_b.refresh_from_db()
    assert partner_b.organization == province
    assert not Invitation.objects.filter(user=partner_b).exists()
    assert mail.outbox == []


def test_invite_form_says_what_to_fix(admin_client_a):
    response = admin_client_a.post(INVITE, invite_form(email="not-an-address", full_name="", language="xx"))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"email", "full_name", "language"}


def test_service_refuses_an_org_admin_inviting_elsewhere(org_admin_a, province):
    with pytest.raises(PermissionDenied):
        services.user_invite(actor=org_admin_a, email="x@province.example", full_name="X", organization=province, language="ko")


# --- deactivate / reactivate -----------------------------------------------------------------
def test_org_admin_deactivates_a_colleague_who_then_cannot_log_in(admin_client_a, colleague_a, client):
    from django.test import Client

    colleague_client = Client()
    assert log_in(colleague_client, colleague_a.email).status_code == 302
    assert colleague_client.get(reverse("portal:home")).status_code == 200

    response = admin_client_a.post(deactivate_url(colleague_a))
    assert response.status_code == 302 and response["Location"] == LIST
    colleague_a.refresh_from_db()
    assert not colleague_a.is_active
    assert User.objects.filter(pk=colleague_a.pk).exists()  # kept, with their history
    assert colleague_a.history.filter(history_change_reason="deactivated").exists()

    # Their open session ends at the next request, and they cannot log in again.
    assert colleague_client.get(reverse("portal:home")).status_code == 302
    login = log_in(Client(), colleague_a.email)
    assert login.status_code == 200 and not login.wsgi_request.user.is_authenticated


def test_org_admin_reactivates_a_colleague(admin_client_a, colleague_a, org_admin_a):
    services.user_deactivate(actor=org_admin_a, user=colleague_a)
    response = admin_client_a.post(reactivate_url(colleague_a))
    assert response.status_code == 302
    colleague_a.refresh_from_db()
    assert colleague_a.is_active


def test_another_organisations_user_is_404_and_untouched(admin_client_a, partner_b, staff_user):
    for user in (partner_b, staff_user):
        assert admin_client_a.post(deactivate_url(user)).status_code == 404
        assert admin_client_a.post(reactivate_url(user)).status_code == 404
        user.refresh_from_db()
        assert user.is_active
    assert admin_client_a.post(reverse("portal:user_deactivate", args=[999999])).status_code == 404


def test_org_admin_b_cannot_touch_org_a(client, org_admin_b, colleague_a):
    client.force_login(org_admin_b)
    assert client.post(deactivate_url(colleague_a)).status_code == 404
    assert colleague_a.email not in client.get(LIST).content.decode()


def test_org_admin_cannot_deactivate_themselves(admin_client_a, org_admin_a):
    response = admin_client_a.post(deactivate_url(org_admin_a), follow=True)
    assert response.status_code == 200
    assert "cannot deactivate your own account" in response.content.decode()
    org_admin_a.refresh_from_db()
    assert org_admin_a.is_active


def test_deactivate_needs_post(admin_client_a, colleague_a):
    assert admin_client_a.get(deactivate_url(colleague_a)).status_code == 405
    colleague_a.refresh_from_db()
    assert colleague_a.is_active


def test_service_rules_for_deactivation(org_admin_a, partner_b, colleague_a, admin_user, staff_user):
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=org_admin_a, user=partner_b)
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=colleague_a, user=org_admin_a)  # not an administrator
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=staff_user, user=colleague_a)  # staff without change_user
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=org_admin_a, user=admin_user)
    with pytest.raises(ValidationError):
        services.user_deactivate(actor=org_admin_a, user=org_admin_a)
    services.user_deactivate(actor=admin_user, user=colleague_a)  # KITB superuser may
    colleague_a.refresh_from_db()
    assert not colleague_a.is_active
    # A deactivated administrator can no longer act.
    services.user_deactivate(actor=admin_user, user=org_admin_a)
    org_admin_a.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.user_reactivate(actor=org_admin_a, user=colleague_a)
