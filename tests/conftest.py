"""Shared fixtures. Tests run on the real PostgreSQL and Redis (embedded unless the URLs are set)."""
import os

# Unit tests run Celery tasks in-process (settings default CELERY_TASK_ALWAYS_EAGER to on under
# pytest); tests marked `worker` start a real worker instead.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import pytest  # noqa: E402

# Real SMTP server and real Celery worker fixtures (smtp_server, celery_worker, ...).
pytest_plugins = ["tests.live"]

from tests.factories import OrganizationFactory, UserFactory  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_cache_and_lang(settings):
    """Each test starts with an empty cache and English; axes records are per test database."""
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """``client.force_login(user)`` skips the login form, password and all; for a user the admin asks
    a second factor of (KITB administrators, superusers, anyone with a device) it skips that step too:
    the session counts as verified with the user's TOTP device (made if missing), as after the token
    step. ``force_login(user, verified=False)`` logs in without it. The steps themselves are tested
    through the forms (tests/accounts/test_second_factor.py)."""
    from django.test import Client

    from kitb_portal.accounts import second_factor

    original = Client.force_login

    def force_login(self, user, backend=None, *, verified=True):
        original(self, user, backend)
        if verified and (second_factor.is_required(user) or second_factor.device_for(user) is not None):
            session = self.session
            second_factor.mark_session_verified(session, user)
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def kitb(db):
    return OrganizationFactory(host=True)


@pytest.fixture
def technopark(db):
    return OrganizationFactory(name="Chungbuk Technopark", local_name="충북테크노파크", kind="technopark", country="KR")


@pytest.fixture
def province(db):
    return OrganizationFactory(name="Chungcheongbuk-do Provincial Government", local_name="충청북도", kind="government", country="KR")


@pytest.fixture
def staff_user(db, kitb):
    return UserFactory(staff=True, organization=kitb, email="staff@kitb.example")


@pytest.fixture
def admin_user(db, kitb):
    return UserFactory(staff=True, organization=kitb, is_superuser=True, email="admin@kitb.example")


@pytest.fixture
def partner_a(db, technopark):
    """A partner user of Chungbuk Technopark."""
    return UserFactory(organization=technopark, email="a@technopark.example")


@pytest.fixture
def partner_b(db, province):
    """A partner user of the provincial government: must never see partner A's records."""
    return UserFactory(organization=province, email="b@province.example")


@pytest.fixture
def client_a(client, partner_a):
    client.force_login(partner_a)
    return client


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client
