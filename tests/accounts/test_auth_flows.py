"""Log in, log out, password reset and change, where people land, and the language they see."""
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from kitb_portal.accounts.models import User
from kitb_portal.notifications.models import OutboxMessage
from tests.factories import DEFAULT_PASSWORD, UserFactory

from .helpers import NEW_PASSWORD, html_part, last_mail_to, link_in, log_in

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def test_login_page_renders_with_crispy_form(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'type="email"' in body and 'name="password"' in body
    assert reverse("accounts:password_reset") in body


def test_partner_logs_in_and_lands_on_the_portal(client, partner_a):
    response = log_in(client, partner_a.email)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:landing")
    landing = client.get(response["Location"])
    assert landing["Location"] == reverse("portal:home")
    home = client.get(landing["Location"])
    assert home.status_code == 200 and partner_a.organization.name in home.content.decode()


def test_staff_log_in_and_land_on_the_admin(client, staff_user):
    # Staff in a role that may do without a second factor; KITB administrators: test_second_factor.py.
    response = log_in(client, staff_user.email, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert response.status_code == 200


def test_login_ignores_the_case_of_the_address(client, partner_a):
    assert log_in(client, partner_a.email.upper()).status_code == 302


def test_wrong_password_is_refused_with_a_message(client, partner_a):
    response = log_in(client, partner_a.email, "wrong-password")
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert "correct e-mail address and password" in response.content.decode()


def test_last_login_is_recorded_without_a_history_row(client, partner_a):
    rows = partner_a.history.count()
    log_in(client, partner_a.email)
    partner_a.refresh_from_db()
    assert partner_a.last_login is not None
    assert partner_a.history.count() == rows


def test_logout_ends_the_session(client, partner_a):
    log_in(client, partner_a.email)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    portal = client.get(reverse("portal:home"))
    assert portal.status_code == 302 and portal["Location"].startswith(LOGIN)


def test_anonymous_visitor_is_sent_to_log_in_from_the_portal(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/portal/"
    assert client.get("/").status_code == 302


def test_partner_is_refused_at_the_admin(client_a):
    response = client_a.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    page = client_a.get(response["Location"])
    assert "not authorized to access this page" in page.content.decode()
    assert client_a.get(reverse("admin:accounts_user_changelist")).status_code == 302


def test_partner_cannot_log_in_to_the_admin(client, partner_a):
    response = client.post("/admin/login/", {"username": partner_a.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_staff_are_sent_from_the_portal_home_to_the_admin(staff_client):
    response = staff_client.get(reverse("portal:home"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_password_reset_end_to_end(client, partner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": partner_a.email.upper()})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert client.get(response["Location"]).status_code == 200

    row = OutboxMessage.objects.get(recipient=partner_a, kind="password_reset")
    assert re.fullmatch(rf"password-reset:{partner_a.pk}:\d+", row.key)
    message = last_mail_to(partner_a.email)
    assert "Reset your password" in message.subject
    path = link_in(message)
    assert path in html_part(message)

    confirm = client.get(path)  # Django swaps the token for a session and redirects
    assert confirm.status_code == 302
    form_page = client.get(confirm["Location"])
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = client.post(confirm["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_reset_complete")
    assert client.get(done["Location"]).status_code == 200

    assert log_in(client, partner_a.email, NEW_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    assert log_in(client, partner_a.email, DEFAULT_PASSWORD).status_code == 200  # the old one no longer works
    # The link worked once.
    reused = client.get(path, follow=True)
    assert not reused.context["validlink"]


def test_each_reset_request_is_one_message_in_the_users_language(client, technopark, django_capture_on_commit_callbacks):
    korean = UserFactory(organization=technopark, email="korean@technopark.example", preferred_language="ko")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": korean.email})
        client.post(reverse("accounts:password_reset"), {"email": korean.email})
    rows = OutboxMessage.objects.filter(recipient=korean, kind="password_reset")
    assert rows.count() == 2 and len({r.key for r in rows}) == 2
    assert {r.language for r in rows} == {"ko"}
    assert '<html lang="ko">' in html_part(last_mail_to(korean.email))


def test_reset_for_unknown_or_uninvited_addresses_sends_nothing(client, technopark, django_capture_on_commit_callbacks):
    invited = User.objects.create_user(email="invited@technopark.example", full_name="Invited", organization=technopark)
    invited.set_unusable_password()
    invited.save()
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
        uninvited = client.post(reverse("accounts:password_reset"), {"email": invited.email})
    assert unknown.status_code == uninvited.status_code == 302
    assert mail.outbox == [] and not OutboxMessage.objects.exists()


def test_password_change(client, partner_a):
    log_in(client, partner_a.email)
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change_done")
    assert client.get(response["Location"]).status_code == 200
    partner_a.refresh_from_db()
    assert partner_a.check_password(NEW_PASSWORD)


def test_password_change_needs_login(client, db):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_deactivated_user_cannot_log_in(client, partner_a):
    User.objects.filter(pk=partner_a.pk).update(is_active=False)
    response = log_in(client, partner_a.email)
    assert response.status_code == 200 and SESSION_KEY not in client.session


# --- language --------------------------------------------------------------------------------
def test_korean_partner_sees_korean_right_after_login(client, technopark):
    korean = UserFactory(organization=technopark, email="kim@technopark.example", preferred_language="ko")
    client.cookies["django_language"] = "en"  # the browser had chosen English before
    response = log_in(client, korean.email, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert response["Content-Language"] == "ko"
    assert '<html lang="ko">' in response.content.decode()
    assert client.session["preferred_language"] == "ko"


def test_the_switcher_still_wins_after_login(client, technopark):
    korean = UserFactory(organization=technopark, email="kim@technopark.example", preferred_language="ko")
    log_in(client, korean.email)
    client.post(reverse("set_language"), {"language": "id", "next": "/portal/"})
    assert client.get(reverse("portal:home"))["Content-Language"] == "id"


def test_staff_language_follows_them_into_the_admin(client, kitb):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.otp import fresh_totp_token

    staff = UserFactory(staff=True, is_superuser=True, organization=kitb, email="dewi@kitb.example", preferred_language="id")
    device = TOTPDevice.objects.create(user=staff, name="default", confirmed=True)
    response = client.post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login_verify")
    response = client.post(response["Location"], {"otp_token": fresh_totp_token(device)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/")["Content-Language"] == "id"
