"""Fixtures of the events tests."""
import pytest

from .factories import EventFactory, VenueFactory


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


@pytest.fixture(autouse=True)
def _celery_eager():
    """Run tasks (outbox delivery) in-process: the settings were imported before tests/conftest.py
    set CELERY_TASK_ALWAYS_EAGER, so the app is not eager without this."""
    from kitb_portal.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def own_redis_cache(settings):
    """The real Redis cache, but a database index of its own, so that other test runs' cache.clear()
    (FLUSHDB on theirs) cannot reset the rate-limit counters in the middle of a test."""
    from django.core.cache import cache

    location = settings.CACHES["default"]["LOCATION"].split("?")[0]
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"{location}?db=11", "KEY_PREFIX": "kitb-events-test"}}
    cache.clear()
    yield cache
    cache.clear()
