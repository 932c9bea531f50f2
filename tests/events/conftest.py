"""Fixtures of the events tests."""
import pytest

from tests.conftest import redis_db, redis_location
from tests.factories import UserFactory

from .factories import EventFactory, VenueFactory


@pytest.fixture
def org_admin(technopark):
    """The partner organisation administrator of Chungbuk Technopark (delegations, letters)."""
    return UserFactory(organization=technopark, email="boss@technopark.example", is_org_admin=True)


@pytest.fixture
def venue(db):
    return VenueFactory(name="KITB Convention Hall", city="Batang")


@pytest.fixture
def event(db, venue, staff_user):
    """A published on-site seminar ten-odd days ahead with 10 places."""
    return EventFactory(published=True, venue=venue, actor=staff_user, capacity=10)


@pytest.fixture
def mail_on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (outbox delivery) so mail.outbox fills."""
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return run


@pytest.fixture
def own_redis_cache(settings):
    """The real Redis cache, but a database index of its own, so that other test runs' cache.clear()
    (FLUSHDB on theirs) cannot reset the rate-limit counters in the middle of a test."""
    from django.core.cache import cache

    location = redis_location(settings.CACHES["default"]["LOCATION"], redis_db(11))
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": location, "KEY_PREFIX": "kitb-events-test"}}
    cache.clear()
    yield cache
    cache.clear()
