"""Shared fixtures. Tests run on the real PostgreSQL and Redis (embedded unless the URLs are set)."""
import gc
import os
import sys
import types

# Unit tests run Celery tasks in-process (settings default CELERY_TASK_ALWAYS_EAGER to on under
# pytest); tests marked `worker` start a real worker instead.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import pytest

# Real SMTP server and real Celery worker fixtures (smtp_server, celery_worker, ...).
pytest_plugins = ["tests.live"]

from tests.factories import (  # noqa: E402
    UserFactory,
    admin_user_of,
    host_organization,
    partner_a_user,
    partner_b_user,
    province_organization,
    technopark_organization,
)

# Under pytest-xdist (`make test-fast`: `-n 2`) each worker is its own process with its own test
# database (pytest-django adds the suffix _gw0, _gw1, ...) and, set here, its own Redis cache
# database: tests call cache.clear(), which is FLUSHDB, and must not empty another worker's cache.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under -n; "" otherwise
WORKER_INDEX = int(XDIST_WORKER[2:]) if XDIST_WORKER.startswith("gw") else None
# Redis database numbers: 0 is the broker's, 1 the dev cache, 2 the cache of a serial test run;
# xdist workers take 3-10; redis_db(11) (tests/events: its own rate-limit cache) gives 11 / 12-15.
MAX_WORKERS = 4


def redis_db(serial: int) -> int:
    """The Redis database a test run in this process uses where a serial run uses ``serial``."""
    if WORKER_INDEX is None:
        return serial
    if WORKER_INDEX >= MAX_WORKERS:
        raise pytest.UsageError(f"tests/conftest.py gives Redis databases to {MAX_WORKERS} xdist workers at most, not {WORKER_INDEX + 1}")
    return {2: 3, 11: 12}[serial] + WORKER_INDEX


def redis_location(location: str, db: int) -> str:
    """``location`` (a cache URL, unix:// or redis://) pointed at Redis database ``db``."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(location)
    if parts.scheme == "unix":
        query = {**dict(parse_qsl(parts.query)), "db": str(db)}
        return f"unix://{parts.path}?{urlencode(query)}"
    return urlunsplit(parts._replace(path=f"/{db}"))


def _own_cache_per_xdist_worker() -> None:
    if WORKER_INDEX is None:
        return
    from django.conf import settings
    from django.test.signals import clear_cache_handlers

    location = redis_location(settings.CACHES["default"]["LOCATION"], redis_db(2))
    settings.CACHE_REDIS_URL = location
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": location}}
    clear_cache_handlers(setting="CACHES")


_own_cache_per_xdist_worker()


def pytest_configure(config):
    """The suite makes millions of short-lived objects (requests, querysets, template contexts):
    Python's default thresholds (a young-generation collection every 700 allocations) spent some
    4 % of a run collecting. Objects alive after start-up (Django, the apps, the URL patterns) are
    set aside for good, and collections run less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


# CPython 3.11 and 3.12 keep Python frames in 16 KiB chunks, map a chunk when a call needs one and
# unmap it as soon as that call returns. Template rendering recurses deeply, and a test whose frames
# end near a chunk boundary maps and unmaps a chunk thousands of times per page (CPython gh-142183;
# the fix, one chunk kept per thread, is in the 3.13 and 3.14 releases of 2026, not in 3.11). How near depends on the caller's stack: pytest-xdist's
# workers sit where it costs, and the quick loop spent about 8 % more time (half of it system time)
# than when each test is called from a frame that reserves 512 KiB, which gets a chunk of its own and
# leaves the test the room to run without crossing. The portal's WSGI entry point does not do this:
# the mixed benchmark gained under 5 % with it (docs/architecture.md, "Caching").
_STACK_SLOTS = 64 * 1024  # 8-byte value slots: 512 KiB


def _call(function, *args):
    return function(*args)


_call_with_stack_room = types.FunctionType(
    _call.__code__.replace(co_stacksize=_STACK_SLOTS), _call.__globals__, "_call_with_stack_room"
)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """pytest's own call of the test function, from a frame with stack room (above)."""
    if sys.version_info >= (3, 13):
        return None  # pytest calls it as usual
    from _pytest.python import pytest_pyfunc_call as call_the_test

    return _call_with_stack_room(call_the_test, pyfuncitem)


@pytest.fixture(autouse=True)
def _celery_eager():
    """Run Celery tasks in-process. The settings turn CELERY_TASK_ALWAYS_EAGER on under pytest; this
    restores it after a test that changed it. The live worker fixture (tests/live/worker.py) turns it off
    for its tests, which then publish to the worker's queue."""
    from kitb_portal.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Private uploads and job files go to a fresh folder per test; returns it."""
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = root
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture(autouse=True)
def _fresh_cache_and_lang(settings):
    """Each test starts with an empty cache and English; axes records are per test database."""
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    translation.activate("en")
    yield
    translation.deactivate()


def force_login_verified(client, user, backend=None, *, verified=True, _original=None):
    """``Client.force_login`` as the tests use it (see ``_force_login_passes_the_second_factor``):
    for a user the admin asks a second factor of, the session also counts as verified."""
    from django.test import Client

    from kitb_portal.accounts import second_factor

    original = _original or Client.force_login
    if verified:
        second_factor.force_login_verified(client, user, backend, force_login=original)
    else:
        original(client, user, backend)


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """``client.force_login(user)`` skips the login form, password and all; for a user the admin asks
    a second factor of (KITB administrators, superusers, anyone with a device) it skips that step too:
    the session counts as verified with the user's TOTP device (made if missing), as after the token
    step. ``force_login(user, verified=False)`` logs in without it. The steps themselves are tested
    through the forms (tests/accounts/test_second_factor.py)."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None, *, verified=True):
        force_login_verified(self, user, backend, verified=verified, _original=original)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def kitb(db):
    return host_organization()


@pytest.fixture
def technopark(db):
    return technopark_organization()


@pytest.fixture
def province(db):
    return province_organization()


@pytest.fixture
def staff_user(db, kitb):
    return UserFactory(staff=True, organization=kitb, email="staff@kitb.example")


@pytest.fixture
def admin_user(db, kitb):
    return admin_user_of(kitb)


@pytest.fixture
def partner_a(db, technopark):
    """A partner user of Chungbuk Technopark."""
    return partner_a_user(technopark)


@pytest.fixture
def partner_b(db, province):
    """A partner user of the provincial government: must never see partner A's records."""
    return partner_b_user(province)


@pytest.fixture
def client_a(client, partner_a):
    client.force_login(partner_a)
    return client


@pytest.fixture
def partner_client(partner_a):
    """Partner A logged in on a client of its own (so a test can use ``client`` for someone else)."""
    from tests.utils import logged_in_client

    return logged_in_client(partner_a)


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def plain_pack_pdfs():
    """For the whole test, review packs get small real PDFs instead of WeasyPrint prints (see
    ``tests.utils.plain_pack_pdfs_context`` for why); the test must build at least one pack."""
    from tests.utils import plain_pack_pdfs_context

    with plain_pack_pdfs_context() as printed:
        yield printed
