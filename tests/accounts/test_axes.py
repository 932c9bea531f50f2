"""django-axes: the (account, address) pair is locked after repeated wrong passwords."""
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory

from .helpers import log_in

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"


def fail(client, email, times, **extra):
    return [log_in(client, email, WRONG, **extra).status_code for _ in range(times)]


def test_repeated_wrong_passwords_lock_that_account_from_that_address(client, partner_a, partner_b, settings):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = fail(client, partner_a.email, limit)
    assert statuses == [200] * (limit - 1) + [429]

    # The right password is refused while locked, with a page that says why and for how long.
    locked = log_in(client, partner_a.email)
    assert locked.status_code == 429
    assert SESSION_KEY not in client.session
    body = locked.content.decode()
    assert "Too many failed log-in attempts" in body
    assert "15 minutes" in body
    assert "/accounts/password/reset/" in body

    # Another user from the same address still logs in.
    other = Client()
    assert log_in(other, partner_b.email).status_code == 302

    # The same account from another address still logs in (the pair is locked, not the account).
    elsewhere = Client(REMOTE_ADDR="10.20.30.40")
    assert log_in(elsewhere, partner_a.email).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, partner_a, settings):
    fail(client, partner_a.email, settings.AXES_FAILURE_LIMIT)
    assert log_in(client, partner_a.email).status_code == 429
    # Move the failures back past the cool-off instead of waiting for it.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = log_in(client, partner_a.email)
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=partner_a.email).exists()  # reset on success


def test_short_cool_off_setting(client, partner_a, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    fail(client, partner_a.email, settings.AXES_FAILURE_LIMIT)
    assert log_in(client, partner_a.email).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(seconds=2))
    assert log_in(client, partner_a.email).status_code == 302


def test_failures_count_per_address_whatever_the_case(client, partner_a, settings):
    limit = settings.AXES_FAILURE_LIMIT
    fail(client, partner_a.email.upper(), limit - 1)
    assert log_in(client, f"  {partner_a.email} ", WRONG).status_code == 429
    assert log_in(client, partner_a.email).status_code == 429


def test_a_success_before_the_limit_resets_the_count(client, partner_a, settings):
    fail(client, partner_a.email, settings.AXES_FAILURE_LIMIT - 1)
    assert log_in(client, partner_a.email).status_code == 302
    client.post("/accounts/logout/")
    assert fail(client, partner_a.email, settings.AXES_FAILURE_LIMIT - 1) == [200] * (settings.AXES_FAILURE_LIMIT - 1)


def test_admin_login_is_limited_too(client, kitb, settings):
    staff = UserFactory(staff=True, organization=kitb, email="officer@kitb.example")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/admin/login/", {"username": staff.email, "password": WRONG})
    assert response.status_code == 429


def test_forwarded_for_is_ignored_unless_behind_a_proxy(client, partner_a, settings):
    settings.BEHIND_PROXY = False
    fail(client, partner_a.email, settings.AXES_FAILURE_LIMIT)
    # A forged header does not get a locked-out attacker a fresh address.
    assert log_in(client, partner_a.email, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429


def test_behind_a_proxy_the_client_address_comes_from_the_proxy_header(partner_a, settings):
    settings.BEHIND_PROXY = True
    settings.PROXY_COUNT = 1
    office = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    fail(office, partner_a.email, settings.AXES_FAILURE_LIMIT)
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"
    assert log_in(office, partner_a.email).status_code == 429
    # Another client behind the same proxy is another address.
    home = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert log_in(home, partner_a.email).status_code == 302
    # Entries a client writes itself (left of what our proxy appended) are not believed.
    forger = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.44, 198.51.100.7")
    assert log_in(forger, partner_a.email).status_code == 429


def test_a_password_reset_through_the_emailed_link_ends_the_lockout(client, partner_a, settings, django_capture_on_commit_callbacks):
    from django.core import mail

    from .helpers import NEW_PASSWORD, link_in

    fail(client, partner_a.email, settings.AXES_FAILURE_LIMIT)
    assert log_in(client, partner_a.email).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": partner_a.email})
    form_url = client.get(link_in(mail.outbox[-1]))["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert log_in(client, partner_a.email, NEW_PASSWORD).status_code == 302
