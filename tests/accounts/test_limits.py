"""Limits around logging in: password-reset requests per client address and per account (without
telling which addresses have accounts), one address trying many accounts (django-axes), the client
address counted per IPv6 /64."""
import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from kitb_portal.accounts import throttle
from kitb_portal.notifications.models import OutboxMessage
from tests.factories import UserFactory

from .helpers import log_in

pytestmark = pytest.mark.django_db

RESET = "accounts:password_reset"
WRONG = "not-the-password"


@pytest.fixture(autouse=True)
def own_redis_cache(settings):
    """The real Redis cache on a database index of its own, so that nothing else clearing the cache
    resets the counters in the middle of a test."""
    from django.core.cache import cache

    location = settings.CACHES["default"]["LOCATION"].split("?")[0]
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"{location}?db=12", "KEY_PREFIX": "kitb-limits-test"}}
    cache.clear()
    yield cache
    cache.clear()


def _reset(client, email, ip="10.1.0.1"):
    return client.post(reverse(RESET), {"email": email}, REMOTE_ADDR=ip)


def test_reset_requests_per_account_are_limited_without_telling_which_addresses_exist(
    client, partner_a, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 2
    done = reverse("accounts:password_reset_done")
    with django_capture_on_commit_callbacks(execute=True):
        known = [_reset(client, partner_a.email, ip=f"10.1.1.{i}") for i in range(4)]
        unknown = [_reset(client, "nobody@example.com", ip=f"10.1.2.{i}") for i in range(4)]
    # The same answer every time, for an address with an account and one without.
    assert [(r.status_code, r["Location"]) for r in known + unknown] == [(302, done)] * 8
    # ...but only two links went to the account.
    assert OutboxMessage.objects.filter(recipient=partner_a, kind="password_reset").count() == 2
    assert len(mail.outbox) == 2
    page = client.get(done).content.decode()
    assert "only a few links per hour are sent to one address" in page


def test_reset_requests_per_client_address_are_refused_with_a_clear_message(client, partner_a, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 3
    for i in range(3):
        assert _reset(client, f"someone{i}@example.com", ip="10.1.3.1").status_code == 302
    for email in (partner_a.email, "nobody@example.com"):  # the same refusal, account or not
        refused = _reset(client, email, ip="10.1.3.1")
        assert refused.status_code == 429
        assert "Too many password reset requests came from your network" in refused.content.decode()
    assert _reset(client, partner_a.email, ip="10.1.3.2").status_code == 302  # another address


def test_reset_requests_from_one_ipv6_64_count_together(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 2
    assert _reset(client, "a@example.com", ip="2001:db8:5:6::1").status_code == 302
    assert _reset(client, "b@example.com", ip="2001:db8:5:6:1:2:3:4").status_code == 302
    assert _reset(client, "c@example.com", ip="2001:db8:5:6:ffff::9").status_code == 429
    assert _reset(client, "d@example.com", ip="2001:db8:5:7::1").status_code == 302


def test_address_key():
    assert throttle.address_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert throttle.address_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert throttle.address_key("192.0.2.7") == "192.0.2.7"
    assert throttle.address_key("not an address") == throttle.address_key(None) == "unknown"
    request = RequestFactory().get("/", REMOTE_ADDR="2001:db8:9::42")
    assert throttle.client_key(request) == "2001:db8:9::/64"


def test_one_address_trying_many_accounts_is_locked(client, technopark, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 8
    users = [UserFactory(organization=technopark, email=f"user{i}@technopark.example") for i in range(3)]
    # Four wrong passwords on each of two accounts: no pair reaches 5, the address reaches 8 (and is locked at it).
    assert [log_in(client, users[0].email, WRONG).status_code for _ in range(4)] == [200] * 4
    assert [log_in(client, users[1].email, WRONG).status_code for _ in range(4)] == [200] * 3 + [429]
    # Now the address is locked, even for a third account with its right password...
    locked = log_in(client, users[2].email)
    assert locked.status_code == 429
    # ...but not that account from elsewhere.
    assert log_in(Client(REMOTE_ADDR="10.20.30.41"), users[2].email).status_code == 302


def test_below_the_address_limit_a_success_resets_only_its_own_pair(client, technopark, settings):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 8
    first, second = (UserFactory(organization=technopark, email=f"pair{i}@technopark.example") for i in range(2))
    for _ in range(4):
        log_in(client, first.email, WRONG)
    assert log_in(client, second.email).status_code == 302  # another account from the same address logs in
    assert AccessAttempt.objects.filter(username=first.email).exists()  # the first account's failures still count
