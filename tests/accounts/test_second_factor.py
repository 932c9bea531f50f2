"""Two-factor authentication: required for KITB administrators and superusers in the admin, offered
to everyone else; a TOTP token (or a recovery code, once) after the password; django-axes counts
wrong tokens as failed logins."""
import base64
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kitb_portal.accounts import second_factor
from kitb_portal.accounts.roles import EVENTS_OFFICER, KITB_ADMINISTRATOR
from tests.factories import UserFactory
from tests.otp import fresh_totp_token, wrong_token

from .helpers import log_in

pytestmark = pytest.mark.django_db

VERIFY = reverse("accounts:login_verify")
SETUP = reverse("two_factor:setup")


@pytest.fixture
def kitb_admin(kitb):
    """A KITB administrator by role group (not a superuser)."""
    user = UserFactory(staff=True, organization=kitb, email="administrator@kitb.example", preferred_language="id")
    user.groups.add(Group.objects.get(name=KITB_ADMINISTRATOR))
    return user


@pytest.fixture
def device(kitb_admin):
    return TOTPDevice.objects.create(user=kitb_admin, name="default", confirmed=True)


@pytest.fixture
def events_officer(kitb):
    user = UserFactory(staff=True, organization=kitb, email="events.officer@kitb.example")
    user.groups.add(Group.objects.get(name=EVENTS_OFFICER))
    return user


def verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


# --- who must use it -----------------------------------------------------------------------------
def test_an_administrator_without_a_device_is_sent_to_set_one_up(client, kitb_admin):
    response = log_in(client, kitb_admin.email, follow=True)
    assert response.redirect_chain[-1][0] == f"{SETUP}?next=%2Fadmin%2F"
    assert response.status_code == 200 and SESSION_KEY in client.session
    # Every admin URL sends them there, not only the index.
    for url in ("/admin/", reverse("admin:accounts_user_changelist"), reverse("admin:partnerships_mou_changelist")):
        first = client.get(url)
        assert first.status_code == 302 and first["Location"].startswith("/admin/login/"), url
        second = client.get(first["Location"])
        assert second.status_code == 302 and second["Location"].startswith(SETUP), url


def test_a_superuser_without_a_device_is_sent_to_set_one_up(client, admin_user):
    response = log_in(client, admin_user.email, follow=True)
    assert response.redirect_chain[-1][0].startswith(SETUP)
    assert client.get("/admin/").status_code == 302


def test_with_a_device_the_password_alone_logs_nobody_in(client, kitb_admin, device):
    response = log_in(client, kitb_admin.email)
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert SESSION_KEY not in client.session
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")
    page = client.get(VERIFY)
    assert page.status_code == 200 and 'name="otp_token"' in page.content.decode()


def test_the_right_token_logs_in_verified_in_the_users_language(client, kitb_admin, device):
    log_in(client, kitb_admin.email)
    response = client.post(VERIFY, {"otp_token": fresh_totp_token(device)})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:landing")
    assert response.cookies["django_language"].value == "id"
    assert SESSION_KEY in client.session and verified(client)
    admin = client.get("/admin/", follow=True)
    assert admin.redirect_chain == [] and admin.status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_a_token_made_from_the_device_key_with_django_otp_is_accepted(client, kitb_admin, device):
    """As an authenticator app computes it: RFC 6238 from the key, 30-second steps, 6 digits."""
    log_in(client, kitb_admin.email)
    code = f"{totp(device.bin_key, step=30, t0=0, digits=6, drift=0):06d}"  # still valid a step later (tolerance 1)
    response = client.post(VERIFY, {"otp_token": code, "next": "/admin/"})
    assert response.status_code == 302 and SESSION_KEY in client.session


def test_a_wrong_token_is_refused_with_a_message(client, kitb_admin, device):
    log_in(client, kitb_admin.email)
    response = client.post(VERIFY, {"otp_token": wrong_token(device)})
    assert response.status_code == 200 and SESSION_KEY not in client.session
    errors = response.context["form"].non_field_errors()
    assert errors and errors[0] in response.content.decode()  # said on the page (in the user's language, here Indonesian)
    assert "Kode tidak berlaku" in errors[0]
    assert AccessAttempt.objects.get(username=kitb_admin.email).failures_since_start == 1


def test_wrong_tokens_lock_the_account_from_that_address(client, kitb_admin, device, settings):
    limit = settings.AXES_FAILURE_LIMIT
    log_in(client, kitb_admin.email)
    responses = [client.post(VERIFY, {"otp_token": wrong_token(device)}) for _ in range(limit)]
    assert [r.status_code for r in responses] == [200] * (limit - 1) + [429]
    assert reverse("accounts:password_reset") in responses[-1].content.decode()  # the lockout page (in Indonesian)
    # Locked: the password step is refused too, and the login awaiting its token is gone.
    device.throttle_reset()
    assert log_in(client, kitb_admin.email).status_code == 429
    after = client.post(VERIFY, {"otp_token": fresh_totp_token(device)})
    assert after.status_code == 302 and after["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session


def test_wrong_passwords_and_wrong_tokens_add_up(client, kitb_admin, device, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, kitb_admin.email, "not-the-password").status_code == 200
    assert log_in(client, kitb_admin.email).status_code == 302  # the password is right: on to the token
    assert client.post(VERIFY, {"otp_token": wrong_token(device)}).status_code == 429
    assert SESSION_KEY not in client.session


def test_a_locked_pair_cannot_try_tokens(client, kitb_admin, device, settings):
    log_in(client, kitb_admin.email)  # password right, token awaited
    AccessAttempt.objects.create(
        username=kitb_admin.email, ip_address="127.0.0.1", user_agent="", failures_since_start=settings.AXES_FAILURE_LIMIT,
        get_data="", post_data="", http_accept="", path_info="/accounts/login/verify/",
    )
    response = client.post(VERIFY, {"otp_token": fresh_totp_token(device)})
    assert response.status_code == 429 and SESSION_KEY not in client.session


def test_a_recovery_code_works_once(client, kitb_admin, device):
    codes = second_factor.create_recovery_codes(kitb_admin)
    assert len(codes) == second_factor.RECOVERY_CODES
    log_in(client, kitb_admin.email)
    page = client.get(VERIFY).content.decode()
    assert "?recovery=1" in page
    response = client.post(VERIFY, {"otp_token": codes[0], "recovery": "1"})
    assert response.status_code == 302 and SESSION_KEY in client.session and verified(client)
    assert client.get("/admin/").status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()

    client.post(reverse("accounts:logout"))
    log_in(client, kitb_admin.email)
    again = client.post(VERIFY, {"otp_token": codes[0], "recovery": "1"})
    assert again.status_code == 200 and SESSION_KEY not in client.session
    kitb_admin.staticdevice_set.get().throttle_reset()  # django-otp pauses a device for a second after a failure
    assert client.post(VERIFY, {"otp_token": codes[1], "recovery": "1"}).status_code == 302


def test_the_pending_login_expires(client, kitb_admin, device, settings):
    log_in(client, kitb_admin.email)
    session = client.session
    session[second_factor.PENDING_SESSION_KEY]["at"] -= settings.TWO_FACTOR_LOGIN_TIMEOUT + 1
    session.save()
    response = client.post(VERIFY, {"otp_token": fresh_totp_token(device)})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session


def test_the_admin_login_page_asks_for_the_token_too(client, kitb_admin, device):
    response = client.post("/admin/login/", {"username": kitb_admin.email, "password": "correct-horse-battery-staple", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == VERIFY and SESSION_KEY not in client.session
    response = client.post(VERIFY, {"otp_token": fresh_totp_token(device)})
    assert response["Location"] == "/admin/" and client.get("/admin/").status_code == 200


def test_a_logged_in_but_unverified_administrator_is_asked_for_the_token(client, kitb_admin, device):
    client.force_login(kitb_admin, verified=False)  # e.g. a session from before the device was set up
    first = client.get("/admin/")
    second = client.get(first["Location"])
    assert second.status_code == 302 and second["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    response = client.post(second["Location"], {"otp_token": fresh_totp_token(device)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_administrators_cannot_turn_it_off(client, kitb_admin, device):
    client.force_login(kitb_admin)
    assert client.get(reverse("two_factor:disable")).status_code == 403
    assert client.post(reverse("two_factor:disable"), {"understand": "on"}).status_code == 403
    assert TOTPDevice.objects.filter(user=kitb_admin).exists()
    assert reverse("two_factor:disable") not in client.get(reverse("two_factor:profile")).content.decode()


# --- offered to everyone else --------------------------------------------------------------------
def test_an_optional_staff_role_reaches_the_admin_without_a_second_factor(client, events_officer):
    response = log_in(client, events_officer.email, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:index") and response.status_code == 200
    assert not verified(client)
    assert "Two-factor authentication" in response.content.decode()  # the admin offers it


def test_optional_staff_who_turned_it_on_need_the_token(client, events_officer):
    device = TOTPDevice.objects.create(user=events_officer, name="default", confirmed=True)
    assert log_in(client, events_officer.email)["Location"] == VERIFY
    assert client.get("/admin/").status_code == 302
    client.post(VERIFY, {"otp_token": fresh_totp_token(device)})
    assert client.get("/admin/").status_code == 200


def _set_up_totp(client, next_url=""):
    """Walk django-two-factor-auth's setup wizard as a person would; returns the base32 secret."""
    url = SETUP + (f"?next={next_url}" if next_url else "")
    assert client.get(url).status_code == 200
    page = client.post(url, {"setup_view-current_step": "welcome"})
    body = page.content.decode()
    secret = re.search(r'<code class="user-select-all">([A-Z2-7]+)</code>', body).group(1)
    qr = client.get(re.search(r'<img src="([^"]+)"', body).group(1))
    assert qr.status_code == 200 and qr["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in qr.content and b"<script" not in qr.content
    code = f"{totp(base64.b32decode(secret), 30, 0, 6, 0):06d}"
    done = client.post(url, {"setup_view-current_step": "generator", "generator-token": code})
    assert done.status_code == 302, done.content.decode()[:2000]
    return secret, done


def test_a_partner_opts_in_from_the_portal_and_then_needs_the_token(client, partner_a):
    log_in(client, partner_a.email)
    portal = client.get(reverse("portal:home")).content.decode()
    profile_url = reverse("two_factor:profile")
    assert profile_url in portal  # the portal's navigation
    assert "Turn on two-factor authentication" in client.get(profile_url).content.decode()

    _secret, done = _set_up_totp(client)
    assert done["Location"] == reverse("two_factor:setup_complete")
    complete = client.get(done["Location"]).content.decode()
    codes = list(StaticToken.objects.filter(device__user=partner_a).values_list("token", flat=True))
    assert len(codes) == second_factor.RECOVERY_CODES and all(code in complete for code in codes)
    assert verified(client)
    profile = client.get(profile_url).content.decode()
    assert "is on" in profile and reverse("two_factor:backup_tokens") in profile and reverse("two_factor:disable") in profile
    assert all(code in client.get(reverse("two_factor:backup_tokens")).content.decode() for code in codes)

    client.post(reverse("accounts:logout"))
    response = log_in(client, partner_a.email)
    assert response["Location"] == VERIFY and SESSION_KEY not in client.session
    response = client.post(VERIFY, {"otp_token": fresh_totp_token(second_factor.device_for(partner_a))}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:home")


def test_a_partner_turns_it_off_again(client, partner_a):
    log_in(client, partner_a.email)
    _set_up_totp(client)
    response = client.post(reverse("two_factor:disable"), {"understand": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("two_factor:profile")
    assert second_factor.device_for(partner_a) is None and not StaticToken.objects.filter(device__user=partner_a).exists()
    client.post(reverse("accounts:logout"))
    assert log_in(client, partner_a.email)["Location"] == reverse("accounts:landing")


def test_new_recovery_codes_replace_the_old_ones(client, kitb_admin, device):
    old = second_factor.create_recovery_codes(kitb_admin)
    client.force_login(kitb_admin)
    response = client.post(reverse("two_factor:backup_tokens"), follow=True)
    new = list(StaticToken.objects.filter(device__user=kitb_admin).values_list("token", flat=True))
    assert len(new) == second_factor.RECOVERY_CODES and not set(old) & set(new)
    assert all(code in response.content.decode() for code in new)


def test_an_administrator_sets_a_device_up_and_goes_on_to_the_admin(client, kitb_admin):
    log_in(client, kitb_admin.email, follow=True)
    _secret, done = _set_up_totp(client, next_url="/admin/")
    assert done["Location"] == f"{reverse('two_factor:setup_complete')}?next=%2Fadmin%2F"
    complete = client.get(done["Location"]).content.decode()
    assert 'href="/admin/"' in complete
    assert client.get("/admin/").status_code == 200


def test_second_factor_pages_have_no_inline_script(client, kitb_admin, device):
    log_in(client, kitb_admin.email)
    pages = [client.get(VERIFY), client.get(VERIFY + "?recovery=1")]
    client.post(VERIFY, {"otp_token": fresh_totp_token(device)})
    pages += [client.get(reverse("two_factor:profile")), client.get(reverse("two_factor:backup_tokens"))]
    for page in pages:
        assert page.status_code == 200
        scripts = re.findall(r"<script\b[^>]*>", page.content.decode())
        assert scripts and all("src=" in tag for tag in scripts), scripts
        assert " style=" not in page.content.decode() and "cdnjs" not in page.content.decode()


def test_no_admin_page_shows_second_factor_devices(client, admin_user):
    """django-otp's admin would show another person's TOTP key, QR code and recovery codes."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not admin.site.is_registered(TOTPDevice) and not admin.site.is_registered(StaticDevice)
    for name in ("admin:otp_totp_totpdevice_changelist", "admin:otp_static_staticdevice_changelist"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
